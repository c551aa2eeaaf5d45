"""Fixtures for the Telegram scenarios: the fake Bot API, a database, a bot per library × mode."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.bot.storage.db_fixtures import database_for, postgres_base_url
from tests.bot.telegram.fake_bot_api import FakeBotApi
from tests.bot.telegram.harness import Bot

LIBRARIES = ("ptb", "aiogram")
MODES = ("polling", "webhook")


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgres" and postgres_base_url() is None:
        pytest.skip("TEST_DATABASE_URL not set")
    with database_for(request.param, tmp_path) as url:
        yield url


@pytest.fixture(
    params=[(lib, mode) for lib in LIBRARIES for mode in MODES], ids=lambda p: "-".join(p)
)
async def bot(
    request: pytest.FixtureRequest, fake: FakeBotApi, database_url: str
) -> AsyncIterator[Bot]:
    library, mode = request.param
    running = Bot(fake, library, mode, database_url)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture(params=LIBRARIES)
async def webhook_bot(
    request: pytest.FixtureRequest, fake: FakeBotApi, database_url: str
) -> AsyncIterator[Bot]:
    """A bot in webhook mode only, per library: for what only a webhook can receive."""
    running = Bot(fake, request.param, "webhook", database_url)
    await running.start()
    yield running
    await running.stop()
