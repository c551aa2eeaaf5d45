"""Run the real app (real storage on a temp SQLite file) with uvicorn in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from bot.settings import Settings
from bot.web.app import create_app
from bot.web.config import WebConfig


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def live_server(db_dir: Path, step: Any | None = None, allowed_origins: str = "") -> Iterator[str]:
    """Yield the base URL of a running server; the conversation uses `step` if given."""
    from bot import service

    service.configure(f"sqlite:///{db_dir / 'web.sqlite3'}", step=step)
    app = create_app(
        Settings(LEENWIJZER_ALLOWED_ORIGINS=allowed_origins),
        web_config=WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0),
    )
    with serving(app) as base_url:
        yield base_url


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Yield the base URL of uvicorn serving `app` on a free loopback port, in a thread."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
