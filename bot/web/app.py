"""The ASGI application: JSON API, widget, demo page, health check, Telegram webhook.

`create_app()` wires the real conversation service and storage; tests inject a fake
`handle`/`healthcheck` and a tighter `WebConfig`. Middleware order, outermost first:
security headers → CORS → rate limit → body cap → JSON-only → internal error → routes, so
even a 413, a 429 or a 500 carries the CORS and nosniff headers a cross-origin widget needs
to read it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from functools import lru_cache
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware

from bot.settings import Settings, get_settings
from bot.web.api import HandleFn, build_api_router
from bot.web.config import WebConfig
from bot.web.documents import build_schedule_router
from bot.web.pages import (
    DEMO_CSS,
    build_widget_script,
    negotiate_language,
    render_demo_page,
    render_docs_page,
)
from bot.web.ratelimit import TokenBucketLimiter
from bot.web.security import (
    BodyLimitMiddleware,
    InternalErrorMiddleware,
    JsonOnlyMiddleware,
    RateLimitMiddleware,
    SecurityHeadersMiddleware,
)
from bot.web.sessions import SessionExistsFn
from rules import REGIMES

log = logging.getLogger(__name__)

HealthFn = Callable[[], Awaitable[bool]]
OPENAPI_URL = "/api/v1/openapi.json"


@lru_cache(maxsize=1)
def widget_source() -> bytes:
    """The widget script as served: `bot/web/static/widget.js` (shipped inside the package)
    with its nl/fr/en texts from the catalogs, built once and then served from memory."""
    template = resources.files("bot.web").joinpath("static/widget.js").read_text("utf-8")
    return build_widget_script(template)


def case_schemas() -> tuple[dict[str, Any], dict[str, Any]]:
    """The evaluate case as JSON Schema, from the rules core's own validator.

    Returns the top-level schema and the component schemas to publish: the case's parts
    and the case itself as `Case` (the chat's `prefill` refers to it), with references
    pointing into the OpenAPI components so `/api/v1/openapi.json` documents exactly what
    is accepted.
    """
    from rules import Case

    schema = Case.model_json_schema(ref_template="#/components/schemas/{model}")
    defs: dict[str, Any] = schema.pop("$defs", {})
    return schema, {**defs, "Case": schema}


#: The one-line reason an unparsable body gets, by what the JSON decoder raised.
BODY_PROBLEMS: tuple[tuple[type[BaseException], str], ...] = (
    (RecursionError, "The body is not a JSON object: JSON nested too deeply."),
    (UnicodeDecodeError, "The body is not UTF-8 text."),
    (ValueError, "The body is not valid JSON (a number with too many digits?)."),
)
#: Validation errors at the body's root, reworded to name the problem for a client.
BODY_ROOT_MESSAGES = {
    "missing": "The body is empty: send a JSON object.",
    "dict_type": "The body must be a JSON object.",
    "model_attributes_type": "The body must be a JSON object.",
}


def _field_error(err: Any) -> dict[str, Any]:
    loc = list(err.get("loc", []))
    kind = str(err.get("type", ""))
    msg = str(err.get("msg", ""))
    if loc == ["body"] and kind in BODY_ROOT_MESSAGES:
        msg = BODY_ROOT_MESSAGES[kind]
    elif kind == "json_invalid" and (err.get("ctx") or {}).get("error"):
        msg = f"{msg}: {err['ctx']['error']}"
    return {"loc": loc, "msg": msg, "type": kind}


def load_parameters() -> None:
    """Read and check the rules' parameter files now, at start-up, so that the first
    evaluate or chat turn does not parse YAML (and a broken file fails the start)."""
    from rules.params import load_all, load_meta

    load_all()
    load_meta()


async def validation_error(_: Request, exc: Exception) -> JSONResponse:
    """422 with one `{loc, msg, type}` per bad field (no echo of the input)."""
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    return JSONResponse(status_code=422, content={"detail": [_field_error(e) for e in errors]})


async def http_error(request: Request, exc: Exception) -> Response:
    """FastAPI's answer to an HTTPException, except a body it could not parse: a 422.

    FastAPI turns a JSON syntax error into a 422 but anything else its decoder raises
    (nesting too deep, bytes that are not UTF-8, an integer too long to convert) into a
    bare 400 that the contracts do not know. Those are bad requests like any other.
    """
    assert isinstance(exc, StarletteHTTPException)
    cause = exc.__cause__
    if exc.status_code == 400 and cause is not None:
        msg = next((m for kind, m in BODY_PROBLEMS if isinstance(cause, kind)), None)
        if msg is not None:
            detail = [{"loc": ["body"], "msg": msg, "type": "json_invalid"}]
            return JSONResponse(status_code=422, content={"detail": detail})
    return await http_exception_handler(request, exc)


async def _cancel(jobs: Sequence[asyncio.Task[None]]) -> None:
    """Stop the background jobs and wait until they have."""
    for job in jobs:
        job.cancel()
    for job in jobs:
        with contextlib.suppress(asyncio.CancelledError):
            await job


def _default_handle() -> HandleFn:
    from bot.service import handle

    return handle


def _default_session_exists() -> SessionExistsFn:
    from bot.web.sessions import conversation_exists

    return conversation_exists


def _default_healthcheck() -> HealthFn:
    from bot.service import healthcheck

    return healthcheck


def create_app(
    settings: Settings | None = None,
    *,
    handle: HandleFn | None = None,
    session_exists: SessionExistsFn | None = None,
    healthcheck: HealthFn | None = None,
    web_config: WebConfig | None = None,
    telegram_runner: Any | None = None,
    background: Sequence[Callable[[], Coroutine[Any, Any, None]]] = (),
) -> FastAPI:
    """Build the web app. Storage must already be configured (`bot.service.configure`).

    `telegram_runner` (from `bot.telegram.runner.build_runner`) is started and stopped
    with the app; in webhook mode its route is mounted here.

    `handle` and `session_exists` come as a pair: a fake conversation service needs its
    own answer to "is this session stored?", never the real database's.

    `background` jobs (e.g. the daily retention purge) run while the app does and are
    cancelled when it stops.
    """
    if handle is not None and session_exists is None:
        raise TypeError("create_app: pass session_exists together with handle")
    settings = settings or get_settings()
    web_config = web_config or WebConfig()
    handle = handle or _default_handle()
    session_exists = session_exists or _default_session_exists()
    check = healthcheck or _default_healthcheck()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if telegram_runner is not None:
            await telegram_runner.start()
        jobs = [asyncio.create_task(job()) for job in background]
        try:
            yield
        finally:
            await _cancel(jobs)
            if telegram_runner is not None:
                await telegram_runner.stop()

    app = FastAPI(
        title="leenwijzer",
        version="1",
        description=(
            "Belgian friends-and-family loans and PMV co-financing ("
            + "; ".join(regime.title for regime in REGIMES)
            + "): eligibility, simulation and a conversation, as JSON. Information, not "
            "legal or tax advice."
        ),
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    load_parameters()
    case_schema, case_defs = case_schemas()
    app.include_router(build_api_router(handle, case_schema, session_exists))
    app.include_router(build_schedule_router(case_schema))
    base_openapi = app.openapi

    def openapi_with_case_schemas() -> dict[str, Any]:
        document = base_openapi()
        document.setdefault("components", {}).setdefault("schemas", {}).update(case_defs)
        return document

    app.openapi = openapi_with_case_schemas  # type: ignore[method-assign]

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        try:
            ok = await check()
        except Exception:  # the probe must answer, whatever the database does
            log.exception("health check failed")
            ok = False
        if ok:
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "unavailable"}, status_code=503)

    script = widget_source()  # built at start-up: a broken widget build fails here

    @app.get("/widget.js", include_in_schema=False)
    async def widget() -> Response:
        return Response(
            script,
            media_type="application/javascript; charset=utf-8",
            headers={
                "Cache-Control": "public, max-age=300",
                "Cross-Origin-Resource-Policy": "cross-origin",
            },
        )

    @app.get("/demo.css", include_in_schema=False)
    async def demo_css() -> Response:
        return Response(DEMO_CSS, media_type="text/css; charset=utf-8")

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/", include_in_schema=False)
    async def demo_page(request: Request, lang: str | None = None) -> HTMLResponse:
        chosen = negotiate_language(lang, request.headers.get("accept-language"))
        html = render_demo_page(chosen, str(request.base_url))
        return HTMLResponse(html, headers={"Content-Language": chosen, "Vary": "Accept-Language"})

    @app.get("/api/v1/docs", include_in_schema=False)
    async def api_docs() -> HTMLResponse:
        return HTMLResponse(render_docs_page(app.openapi()))

    webhook_path = getattr(telegram_runner, "webhook_path", None)
    if telegram_runner is not None and settings.telegram_webhook_url and webhook_path:
        # A plain Starlette route: the runner reads the raw update and checks the secret.
        app.add_route(webhook_path, telegram_runner.handle_webhook, methods=["POST"])

    limiter = TokenBucketLimiter(web_config.rate_limit_per_second, web_config.rate_limit_burst)
    app.add_middleware(InternalErrorMiddleware)
    app.add_middleware(JsonOnlyMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=web_config.max_body_bytes)
    app.add_middleware(RateLimitMiddleware, limiter=limiter)
    origins = settings.allowed_origin_list
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_credentials=True,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            max_age=600,
        )
    app.add_middleware(SecurityHeadersMiddleware)
    return app
