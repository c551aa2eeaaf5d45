"""The web edge: the JSON API (evaluate, chat), the embeddable widget and its demo page.

`create_app` (in `app`) builds the ASGI application; `serve.run_serve` runs it with
uvicorn as `leenwijzer serve`, the project's main job.
"""
