"""`leenwijzer telegram`: only the bot, polling or (with TELEGRAM_WEBHOOK_URL) webhook.

In webhook mode a small Starlette app serves the webhook route through uvicorn; it
listens on TELEGRAM_WEBHOOK_HOST:TELEGRAM_WEBHOOK_PORT (default 127.0.0.1:8443), behind
the TLS-terminating proxy that TELEGRAM_WEBHOOK_URL points at.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.routing import Route

from bot import service
from bot.settings import get_settings
from bot.telegram.runner import TelegramRunner, build_runner

log = logging.getLogger(__name__)


def webhook_app(runner: TelegramRunner) -> Starlette:
    """A Starlette app with only the webhook route; it starts and stops the runner."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        await runner.start()
        try:
            yield
        finally:
            await runner.stop()

    return Starlette(
        routes=[Route(runner.webhook_path, runner.handle_webhook, methods=["POST"])],
        lifespan=lifespan,
    )


async def _poll_until_signalled(runner: TelegramRunner) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    await runner.start()
    log.info("Telegram bot (%s) polling; Ctrl-C stops it", runner.library)
    try:
        await stop.wait()
    finally:
        await runner.stop()


def run_telegram() -> int:
    """Run the Telegram bot until interrupted; 2 when no token is configured."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = get_settings()
    runner = build_runner(settings)
    if runner is None:
        log.error("TELEGRAM_BOT_TOKEN is not set: nothing to run")
        return 2
    settings.prepare_data_dir()  # SettingsError (one line from the CLI) when it cannot be
    service.configure()  # migrations before the first update
    if not runner.uses_webhook:
        asyncio.run(_poll_until_signalled(runner))
        return 0
    import uvicorn

    uvicorn.run(
        webhook_app(runner),
        host=settings.telegram_webhook_host,
        port=settings.telegram_webhook_port,
        log_level="info",
    )
    return 0
