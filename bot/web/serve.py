"""`leenwijzer serve`: the main job — web app, and the Telegram bot when a token is set.

On a fresh machine this needs nothing: storage defaults to a SQLite file in the working
directory (migrations run on start), no token means no Telegram, and the demo page with
the widget is at http://127.0.0.1:8080/.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

import uvicorn

from bot.settings import Settings, get_settings
from bot.web.app import create_app

log = logging.getLogger(__name__)


def daily_purge(settings: Settings) -> Callable[[], Coroutine[Any, Any, None]]:
    """The retention purge (once at start, then daily) as a background job of the app."""
    from bot import service
    from bot.storage.retention import purge_periodically

    return lambda: purge_periodically(service.engine, settings.retention_days)


def run_serve(host: str = "127.0.0.1", port: int = 8080) -> int:
    """Configure storage, build the app (and the Telegram runner), serve until stopped.

    Proxy headers are honoured only from the addresses in `FORWARDED_ALLOW_IPS` (uvicorn
    reads it; default 127.0.0.1): behind a proxy elsewhere (compose) it must name that
    proxy, or the rate limit sees one client and the cookie is never `Secure`.
    """
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    settings = get_settings()
    settings.prepare_data_dir()  # SettingsError (one line from the CLI) when it cannot be

    from bot.service import configure

    configure(settings.effective_database_url)

    runner = None
    if settings.telegram_bot_token:
        from bot.telegram.runner import build_runner

        runner = build_runner(settings)
        mode = "webhook" if settings.telegram_webhook_url else "polling"
        log.info("Telegram bot enabled (%s, %s)", settings.telegram_library, mode)

    app = create_app(settings, telegram_runner=runner, background=[daily_purge(settings)])
    log.info("leenwijzer: demo page and widget at http://%s:%d/", host, port)
    uvicorn.run(app, host=host, port=port, proxy_headers=True, server_header=False)
    return 0
