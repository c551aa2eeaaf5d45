"""A webhook request with the right secret but a body that is not a valid update: 200 (so
Telegram does not retry it forever), one log line, and nothing recorded or sent.

Both libraries (PTB is lenient about types, aiogram strict), both databases.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, select

from bot.storage.engine import make_engine
from bot.storage.models import Conversation, OutboxEntry, ProcessedUpdate, Result
from tests.bot.telegram.harness import SECRET, Bot

CHAT = 7002

#: What to do to a good text update (or the raw body to send instead of it).
Spoil = Callable[[dict[str, Any]], Any]


def without(key: str) -> Spoil:
    return lambda update: {k: v for k, v in update.items() if k != key}


def setting(path: tuple[str, ...], value: Any) -> Spoil:
    def spoil(update: dict[str, Any]) -> dict[str, Any]:
        spoiled = copy.deepcopy(update)
        node = spoiled
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return spoiled

    return spoil


MALFORMED: dict[str, Spoil | bytes] = {
    "not JSON": b"{update_id: 1",
    "not UTF-8": b'{"update_id": 1, "message": {"text": "\xff"}}',
    "nested too deeply": b"[" * 5000 + b"]" * 5000,
    "a JSON array": b"[1, 2, 3]",
    "a JSON string": b'"update"',
    "no update_id": without("update_id"),
    "update_id a string": setting(("update_id",), "abc"),
    "update_id a boolean": setting(("update_id",), True),
    "update_id a fraction": setting(("update_id",), 1.5),
    "message not an object": setting(("message",), "hello"),
    "no chat": setting(("message", "chat"), None),
    "chat id a string": setting(("message", "chat", "id"), "seven"),
    "text a number": setting(("message", "text"), 5),
    "sender a number": setting(("message", "from"), 3),
}


def rows(database_url: str) -> dict[str, int]:
    """How many rows each table holds."""
    engine = make_engine(database_url)
    tables: list[type[SQLModel]] = [Conversation, ProcessedUpdate, OutboxEntry, Result]
    with Session(engine) as session:
        counts = {
            table.__name__: int(session.exec(select(func.count()).select_from(table)).one())
            for table in tables
        }
    engine.dispose()
    return counts


async def post(bot: Bot, body: bytes | dict[str, Any]) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as session:
        kwargs: dict[str, Any] = {"json": body} if isinstance(body, dict) else {"data": body}
        async with session.post(bot.webhook_url, headers=headers, **kwargs) as answer:
            return answer.status


@pytest.mark.parametrize("name", MALFORMED)
async def test_a_malformed_update_is_acknowledged_logged_once_and_not_recorded(
    webhook_bot: Bot, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    bot = webhook_bot
    spoil = MALFORMED[name]
    good = bot.fake.text_update(CHAT, "/start")
    body = spoil if isinstance(spoil, bytes) else spoil(good)
    before = rows(bot.database_url)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="bot"):
        status = await post(bot, body)
    assert status == 200
    lines = [r for r in caplog.records if r.name.startswith("bot.")]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert lines[0].levelno == logging.WARNING and "malformed" in lines[0].getMessage()
    assert lines[0].exc_info is None  # one line, no traceback
    assert rows(bot.database_url) == before
    assert not bot.fake.called("sendMessage", status=None)
    assert not bot.fake.called("answerCallbackQuery", status=None)
    # the bot is none the worse: the good update is answered
    await bot.turn(good)
    assert "Hallo" in bot.fake.texts_to(CHAT)[0]


async def test_a_malformed_button_press_is_not_answered_either(
    webhook_bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    bot = webhook_bot
    await bot.say(CHAT, "/start")
    press = bot.fake.press_update(CHAT, "role.lender")
    before = rows(bot.database_url)
    sent = len(bot.fake.sent_to(CHAT))
    for spoiled in (
        setting(("callback_query", "data"), 12)(press),
        setting(("callback_query", "id"), 5)(press),
        setting(("callback_query", "message", "chat", "id"), "x")(press),
    ):
        assert await post(bot, spoiled) == 200
    assert rows(bot.database_url) == before
    assert len(bot.fake.sent_to(CHAT)) == sent
    assert not bot.fake.called("answerCallbackQuery", status=None)
