"""A 429 the library gave up on still holds back the next send for its `retry_after`.

PTB's AIORateLimiter and aiogram's retry middleware wait out a few 429s and then raise
the last one at once; the courier must not answer that with an immediate send (to the
same chat or another), and the reply must still arrive: released, retried, once.
"""

from __future__ import annotations

import pytest

from bot.telegram import aiogram_runner, ptb_runner
from tests.bot.telegram.conftest import LIBRARIES
from tests.bot.telegram.fake_bot_api import Call, FakeBotApi
from tests.bot.telegram.harness import Bot, wait_until
from tests.bot.telegram.test_tg_outbox_scenarios import outbox_of

CHAT = 7001
OTHER = 7002
RETRY_AFTER = 1

pytestmark = pytest.mark.slow  # each waits out about five 429s of a second


def library_retries(library: str) -> int:
    """How many 429s the library waits out itself before raising one."""
    adapter = ptb_runner if library == "ptb" else aiogram_runner
    return adapter.RATE_LIMIT_RETRIES


@pytest.mark.parametrize("library", LIBRARIES)
async def test_after_the_library_gives_up_on_429s_the_next_send_still_waits_retry_after(
    fake: FakeBotApi, database_url: str, library: str
) -> None:
    retries = library_retries(library)
    bot = Bot(fake, library, "webhook", database_url)
    await bot.start()
    # The library's first call and its retries, then our own retry's first call.
    fake.fail(
        "sendMessage",
        429,
        f"Too Many Requests: retry after {RETRY_AFTER}",
        retry_after=RETRY_AFTER,
        chat_id=CHAT,
        times=retries + 2,
    )
    try:
        await bot.say(CHAT, "/start")
        assert len(fake.called("sendMessage", status=429)) == retries + 1  # given up
        given_up = fake.called("sendMessage", status=429)[-1]
        await bot.say(OTHER, "/start")  # another chat, right after the give-up
        other = next(c for c in fake.calls if c.params.get("chat_id") == OTHER)
        assert other.at - given_up.at >= RETRY_AFTER, gaps(fake.called("sendMessage", None))
        await wait_until(lambda: bool(fake.texts_to(CHAT)), "the retried reply")
    finally:
        await bot.stop()

    sends = fake.called("sendMessage", status=None)
    after = [c for c in sends if c.at > given_up.at]
    assert after and all(c.at - given_up.at >= RETRY_AFTER for c in after), gaps(sends)
    for limited in fake.called("sendMessage", status=429):
        chat = limited.params["chat_id"]
        following = [c for c in sends if c.at > limited.at and c.params["chat_id"] == chat]
        assert following and following[0].at - limited.at >= RETRY_AFTER, gaps(sends)
    assert len(fake.called("sendMessage", status=429)) == retries + 2
    for chat_id in (CHAT, OTHER):
        (text,) = fake.texts_to(chat_id)  # nothing lost, nothing twice
        assert "Hallo" in text
        (entry,) = outbox_of(database_url, chat_id)
        assert entry.sent_at is not None and entry.parts_sent == 1
    assert outbox_of(database_url, CHAT)[0].attempts == 2  # released once, claimed again


def gaps(sends: list[Call]) -> list[tuple[int, int, float]]:
    """(chat, status, seconds since the first call) of each send, for a failure message."""
    start = sends[0].at
    return [(c.params["chat_id"], c.status, round(c.at - start, 3)) for c in sends]
