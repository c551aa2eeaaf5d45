"""An advisory site embeds the widget with one tag, from another origin.

The host page is served by a second server on another port (another origin); the widget
calls the API cross-origin with credentials. A listed origin works, data-prefill included;
an unlisted one is refused by CORS and the widget says the server cannot be reached,
without breaking the host page. A server error on a listed origin is read as such.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from browser import launch, requires_chromium
from live_server import free_port, live_server, serving
from scripted_step import step
from test_web_errors import failing_app

pytestmark = [pytest.mark.browser, requires_chromium]

HOST_PAGE = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Fiduciaire Exemple</title></head>
<body><h1>Fiduciaire Exemple</h1><p>Notre page sur les prêts.</p>
<script src="{api}/widget.js" data-lang="fr"
        data-prefill='{{"borrower":{{"region":"brussels"}}}}' async></script>
</body></html>
"""


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        return None


@contextmanager
def host_site(folder: Path) -> Iterator[int]:
    """Serve `folder` on a free loopback port (the advisory site)."""
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), partial(QuietHandler, directory=folder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield port
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    folder = tmp_path_factory.mktemp("advisor-site")
    with host_site(folder) as host_port:
        allowed = f"http://127.0.0.1:{host_port}"
        db = tmp_path_factory.mktemp("embed-db")
        with live_server(db, step=step, allowed_origins=allowed) as api:
            (folder / "host.html").write_text(HOST_PAGE.format(api=api), encoding="utf-8")
            yield api, host_port


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


def test_listed_origin_embeds_with_one_tag_and_prefill(browser: Any, site: tuple[str, int]) -> None:
    _, host_port = site
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"http://127.0.0.1:{host_port}/host.html")
        page.get_by_role("button", name="Ouvrir le chat leenwijzer").click()
        page.get_by_text("Qui êtes-vous ?").wait_for()
        texts = page.locator(".panel .msg.bot").all_text_contents()
        assert texts[0] == 'Already known: {"borrower": {"region": "brussels"}}'
        page.get_by_role("button", name="Lender").click()
        page.get_by_text("Combien ?").wait_for()
        page.reload()  # the conversation survives a reload on the advisory site too
        page.get_by_text("Combien ?").wait_for()
        page.get_by_label("Votre réponse").fill("25 000")
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Yes").click()
        page.get_by_role("table").wait_for()
        assert page.get_by_role("heading", name="Fiduciaire Exemple").is_visible()
        assert errors == []
    finally:
        context.close()


def test_unlisted_origin_is_refused_gracefully(browser: Any, site: tuple[str, int]) -> None:
    _, host_port = site
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"http://localhost:{host_port}/host.html")  # another origin, not listed
        page.get_by_role("button", name="Ouvrir le chat leenwijzer").click()
        notice = page.locator(".panel .msg.sys")
        notice.wait_for()
        assert "injoignable" in (notice.text_content() or "")
        assert page.locator(".panel .msg.bot").count() == 0
    finally:
        context.close()


def test_a_server_error_is_told_apart_from_an_unreachable_server(
    browser: Any, tmp_path: Path
) -> None:
    """A 500 carries the CORS headers: the widget on a listed origin reads it and says
    something went wrong (not that the server cannot be reached), and goes on."""
    with host_site(tmp_path) as host_port:
        app = failing_app(allowed=f"http://127.0.0.1:{host_port}")
        with serving(app) as api:
            (tmp_path / "host.html").write_text(HOST_PAGE.format(api=api), encoding="utf-8")
            context = browser.new_context()
            page = context.new_page()
            try:
                page.goto(f"http://127.0.0.1:{host_port}/host.html")
                page.get_by_role("button", name="Ouvrir le chat leenwijzer").click()
                page.get_by_text("Hello").wait_for()
                page.get_by_label("Votre réponse").fill("boom")
                page.keyboard.press("Enter")
                notice = page.locator(".panel .msg.sys")
                notice.wait_for()
                text = notice.text_content() or ""
                assert "Une erreur s'est produite" in text and "injoignable" not in text
                page.get_by_label("Votre réponse").fill("encore")
                page.keyboard.press("Enter")
                page.get_by_text("You said: encore").wait_for()
            finally:
                context.close()
