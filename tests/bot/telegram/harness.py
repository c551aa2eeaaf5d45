"""Runs a real Telegram runner (PTB or aiogram, polling or webhook) against the fake API.

`Bot.turn(update)` injects one update and waits until the runner has delivered its
replies (or found it a duplicate): tests then read what the fake server received.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from typing import Any

import uvicorn

from bot import service
from bot.service import TurnResult
from bot.settings import Settings
from bot.storage.turns import StepFunction
from bot.telegram.delivery import RESEND_AFTER_SECONDS
from bot.telegram.incoming import Incoming
from bot.telegram.run import webhook_app
from bot.telegram.runner import TelegramRunner, build_runner
from bot.triage.route import DeskConfig
from tests.bot.telegram.fake_bot_api import TOKEN, FakeBotApi

SECRET = "test-secret_123"
#: How long a wait for the bot may last before the test fails (a deadlock guard, not a
#: performance assertion).
PATIENCE = 20.0


async def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Wait for `condition`; fail the test if it never comes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + PATIENCE
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(0.01)


class Bot:
    """One bot process: a runner, and in webhook mode the HTTP server in front of it."""

    def __init__(
        self,
        fake: FakeBotApi,
        library: str,
        mode: str,
        database_url: str,
        *,
        resend_after: float = RESEND_AFTER_SECONDS,
        step: StepFunction | None = None,
        desk: DeskConfig | None = None,
    ) -> None:
        self.fake = fake
        #: The dialog's step function (None: the real dialog).
        self.step = step
        #: The triage desk this bot runs with (None: no desk, /advisor lists agencies).
        self.desk = desk
        #: The outbox grace period of the runners this bot starts (0: resend at once).
        self.resend_after = resend_after
        self.library = library
        self.mode = mode
        self.database_url = database_url
        self.delivered: list[tuple[int, bool]] = []  # (update id, duplicate)
        self.runner: TelegramRunner | None = None
        self._server: uvicorn.Server | None = None
        self._serving: asyncio.Task[None] | None = None
        self.port = 0

    @property
    def webhook_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram/hook"

    def settings(self) -> Settings:
        values: dict[str, Any] = {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_LIBRARY": self.library,
            "TELEGRAM_API_URL": self.fake.base_url,
            "DATABASE_URL": self.database_url,
        }
        if self.mode == "webhook":
            values |= {"TELEGRAM_WEBHOOK_URL": self.webhook_url, "TELEGRAM_WEBHOOK_SECRET": SECRET}
        return Settings(**values)

    async def start(self) -> None:
        """Start as a fresh process would: new engine, new runner, commands, webhook/polling."""
        service.configure(self.database_url, step=self.step, desk=self.desk)
        if self.mode == "webhook" and not self.port:
            with socket.socket() as probe:  # pick a free port before the URL is announced
                probe.bind(("127.0.0.1", 0))
                self.port = probe.getsockname()[1]
        # Sweeps only on start: a periodic one in the middle of a test would be noise.
        runner = build_runner(
            self.settings(), poll_timeout=1, resend_after=self.resend_after, sweep_every=3600
        )
        assert runner is not None
        self.runner = runner
        real_deliver = runner.deliver

        async def counting_deliver(incoming: Incoming, result: TurnResult) -> None:
            await real_deliver(incoming, result)
            self.delivered.append((incoming.update_id, result.duplicate))

        runner.deliver = counting_deliver  # type: ignore[method-assign]
        if self.mode == "polling":
            await runner.start()
            return
        config = uvicorn.Config(webhook_app(runner), log_level="warning", lifespan="on")
        self._server = uvicorn.Server(config)
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))  # a restart listens where Telegram posts
        self.port = listener.getsockname()[1]
        self._serving = asyncio.create_task(self._server.serve(sockets=[listener]))
        await wait_until(
            lambda: self._server is not None and self._server.started, "webhook server"
        )

    async def stop(self) -> None:
        if self._server is not None and self._serving is not None:
            self._server.should_exit = True
            await self._serving
            self._server = self._serving = None
        elif self.runner is not None:
            self.fake.release_polls()
            await self.runner.stop()
            self.fake.hurry = False
        self.runner = None

    async def turn(self, *updates: dict[str, Any]) -> list[int]:
        """Inject updates and wait until each was handled; webhook status codes returned."""
        expected = len(self.delivered) + len(updates)
        statuses = await self.fake.inject(*updates)
        await wait_until(lambda: len(self.delivered) >= expected, f"{len(updates)} deliveries")
        return statuses

    async def say(self, chat_id: int, text: str, lang: str | None = "nl") -> None:
        await self.turn(self.fake.text_update(chat_id, text, lang))

    async def press(self, chat_id: int, key: str, lang: str | None = "nl") -> None:
        await self.turn(self.fake.press_update(chat_id, key, lang))
