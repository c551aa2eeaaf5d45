"""Replies survive the worker that ran the turn: the next runner sends them, once, in order.

Runs the real clients against the fake Bot API, like the other scenarios: both libraries,
polling and webhook, SQLite and PostgreSQL; and once as a real `leenwijzer telegram`
process killed (SIGKILL) while its send is in flight.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from sqlmodel import Session, select

from bot.storage.engine import make_engine
from bot.storage.models import OutboxEntry
from tests.bot.telegram.fake_bot_api import TOKEN, FakeBotApi
from tests.bot.telegram.harness import Bot, wait_until

ROOT = Path(__file__).resolve().parents[3]
CHAT = 7001
REFERENCE = 7002  # the same conversation, delivered normally, for comparison
#: A Walloon lender's first two turns, in French, typed.
TURNS = ["/start", "prêteur"]


def outbox_of(database_url: str, chat_id: int) -> list[OutboxEntry]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        query = select(OutboxEntry).where(OutboxEntry.user_key == str(chat_id))
        found = sorted(session.exec(query).all(), key=lambda e: e.id or 0)
    engine.dispose()
    return found


async def test_replies_a_worker_could_not_send_are_sent_once_in_order_by_the_next(
    bot: Bot,
) -> None:
    fake = bot.fake
    fake.fail("sendMessage", 400, "Bad Request: simulated outage", chat_id=CHAT, times=1000)
    updates = [fake.text_update(CHAT, text, lang="fr") for text in TURNS]
    for update in updates:
        await bot.turn(update)
    assert fake.sent_to(CHAT) == []
    assert [e.sent_at for e in outbox_of(bot.database_url, CHAT)] == [None, None]

    await bot.stop()  # the worker goes; its replies stay in the outbox
    fake.clear_failures()
    bot.resend_after = 0  # as if the grace period had passed
    await bot.start()  # a new runner on the same database sweeps on start

    for text in TURNS:
        await bot.say(REFERENCE, text, lang="fr")
    expected = fake.texts_to(REFERENCE)
    assert len(expected) >= 2 and "Bonjour" in expected[0]
    assert fake.texts_to(CHAT) == expected  # every reply, once, in order
    assert all(e.sent_at is not None for e in outbox_of(bot.database_url, CHAT))

    assert bot.runner is not None
    await bot.runner.courier.sweep()
    await bot.turn(updates[0])  # Telegram redelivers an old update: still a duplicate
    assert fake.texts_to(CHAT) == expected  # nothing more


async def test_a_killed_workers_replies_are_sent_once_by_the_next_worker(
    fake: FakeBotApi, database_url: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": fake.base_url,
        "DATABASE_URL": database_url,
    }
    for name in ("TELEGRAM_WEBHOOK_URL", "TELEGRAM_LIBRARY"):
        env.pop(name, None)
    fake.stall("sendMessage")  # the send is in flight when the process dies
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "telegram", cwd=tmp_path, env=env
    )
    update = fake.text_update(CHAT, "/start", lang="fr")
    try:
        await wait_until(lambda: bool(fake.called("getUpdates")), "the worker to poll")
        await fake.inject(update)
        await wait_until(lambda: bool(fake.called("sendMessage", status=-1)), "its send")
    finally:
        process.kill()
        await process.wait()
    (entry,) = outbox_of(database_url, CHAT)
    assert (entry.attempts, entry.parts_sent, entry.sent_at) == (1, 0, None)  # claimed, unsent
    fake.resume("sendMessage")

    # A new worker within the grace period leaves the entry alone (its owner might be
    # alive and sending), and the same update delivered again is a duplicate.
    patient = Bot(fake, "ptb", "polling", database_url)
    await patient.start()
    await patient.turn(update)
    await patient.stop()
    assert patient.delivered == [(update["update_id"], True)]
    assert fake.sent_to(CHAT) == []

    # Once the grace period is over, the next worker sends it: once.
    successor = Bot(fake, "aiogram", "polling", database_url, resend_after=0)
    await successor.start()
    try:
        texts = fake.texts_to(CHAT)
        assert len(texts) == 1 and "Bonjour" in texts[0]
        await successor.turn(update)
        assert fake.texts_to(CHAT) == texts
        (entry,) = outbox_of(database_url, CHAT)
        assert entry.sent_at is not None and entry.parts_sent == 1
    finally:
        await successor.stop()
