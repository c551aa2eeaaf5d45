"""Several webhook workers on one database: each chat's replies still arrive in turn order.

A load balancer spreads a chat's quick successive messages over the workers, so the
reply to one message is often still on its way from one worker while the next message's
turn has already committed on another. Every worker here is a real runner (PTB or
aiogram) with its own webhook server and its own courier; they share the database (SQLite
or PostgreSQL). The dialog is the storage tests' fake step, whose reply to a chat's n-th
turn says n, so the fake Bot API's record shows the order in which replies left.
"""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.telegram.runner import SECRET_HEADER
from tests.bot.storage import fake_step
from tests.bot.telegram.conftest import LIBRARIES
from tests.bot.telegram.fake_bot_api import FakeBotApi
from tests.bot.telegram.harness import SECRET, Bot, wait_until

CHATS = 40
#: Messages each chat sends, one after the other (the next once the last was acknowledged).
MESSAGES = 6
FIRST_CHAT = 8000
#: Seconds Telegram takes to accept a message: about what the real Bot API takes.
SEND_LATENCY = 0.1


def turn_numbers(fake: FakeBotApi, chat_id: int) -> list[int]:
    """The turn each reply to the chat answers, in the order the replies were sent."""
    return [int(text.split(":")[1]) for text in fake.texts_to(chat_id)]


async def talk(bots: list[Bot], session: aiohttp.ClientSession, index: int) -> None:
    """One chat's messages, the k-th posted to worker (index + k) mod the number of workers."""
    fake = bots[0].fake
    for k in range(MESSAGES):
        worker = bots[(index + k) % len(bots)]
        update = fake.text_update(FIRST_CHAT + index, f"m{k + 1}")
        headers = {SECRET_HEADER: SECRET}
        async with session.post(worker.webhook_url, json=update, headers=headers) as answer:
            assert answer.status == 200


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("workers", [2, 3])
async def test_a_chats_replies_leave_in_turn_order_whichever_worker_ran_each_turn(
    fake: FakeBotApi, database_url: str, library: str, workers: int
) -> None:
    bots = [
        Bot(fake, library, "webhook", database_url, step=fake_step.step) for _ in range(workers)
    ]
    chats = [FIRST_CHAT + n for n in range(CHATS)]
    fake.send_latency = SEND_LATENCY
    try:
        for bot in bots:
            await bot.start()
        async with aiohttp.ClientSession() as session:
            await asyncio.gather(*(talk(bots, session, n) for n in range(CHATS)))
        total = CHATS * MESSAGES
        await wait_until(lambda: sum(len(b.delivered) for b in bots) == total, "the deliveries")
        await wait_until(lambda: len(fake.called("sendMessage")) >= total, "every reply")
    finally:
        for bot in bots:
            await bot.stop()  # finishes every delivery under way: late duplicates show too

    expected = list(range(1, MESSAGES + 1))
    for chat_id in chats:
        assert sorted(turn_numbers(fake, chat_id)) == expected  # each reply once
    late = [c for c in chats if turn_numbers(fake, c) != expected]
    assert not late, f"{len(late)} of {CHATS} chats got a reply before an earlier one"
