"""The courier on its own: outbox entries sent in order, once, resumed where they stopped.

A recording sender stands in for Telegram, so each failure lands exactly where the test
puts it; two couriers on one database are two workers.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from bot import service
from bot.storage.models import OutboxEntry
from bot.telegram import delivery
from bot.telegram.delivery import Courier, SendFn
from bot.telegram.render import Outgoing
from dialogs.events import Event, Reply

CHAT = 7001
OTHER = 7002


def step(
    state: dict[str, Any] | None, event: Event, now: datetime
) -> tuple[dict[str, Any], list[Reply]]:
    """Text "N:label" gets N replies "label-1" … "label-N"."""
    count, _, label = str(event.text).partition(":")
    new = copy.deepcopy(state) if state else {"lang": "en"}
    return new, [Reply(f"{label}-{n}") for n in range(1, int(count) + 1)]


class Gone(Exception):
    """What the sender raises for a chat that blocked the bot."""


class Sender:
    """Records what Telegram accepted; `fail(call_number, chat_id)` may raise instead."""

    def __init__(self) -> None:
        self.accepted: list[tuple[int, str]] = []
        self.calls = 0
        self.fail: Callable[[int, int], None] = lambda _n, _chat: None

    async def __call__(self, chat_id: int, message: Outgoing) -> None:
        self.calls += 1
        self.fail(self.calls, chat_id)
        await asyncio.sleep(0)  # let other workers interleave
        self.accepted.append((chat_id, message.text))

    def texts(self, chat_id: int = CHAT) -> list[str]:
        return [text for chat, text in self.accepted if chat == chat_id]


def courier(sender: SendFn, resend_after: float = 60.0) -> Courier:
    return Courier("telegram", sender, lambda e: isinstance(e, Gone), resend_after=resend_after)


@pytest.fixture
def db(database_url: str) -> Iterator[str]:
    service.configure(database_url, step=step)
    yield database_url
    service.engine().dispose()


update_ids = iter(range(1, 1_000_000))


async def turn(text: str, chat_id: int = CHAT) -> int | None:
    """One committed turn (inbox, state, outbox) without any delivery: its outbox id."""
    result = await service.handle(
        "telegram", str(chat_id), Event.typed(text), update_id=str(next(update_ids))
    )
    return result.outbox_id


def stored(chat_id: int = CHAT) -> list[OutboxEntry]:
    with Session(service.engine()) as session:
        query = select(OutboxEntry).where(OutboxEntry.user_key == str(chat_id))
        return sorted(session.exec(query).all(), key=lambda e: e.id or 0)


def age_claims(by: timedelta) -> None:
    """Make every claim look `by` older, as if that much time had passed."""
    with Session(service.engine()) as session:
        for entry in session.exec(select(OutboxEntry)).all():
            session.execute(
                update(OutboxEntry)
                .where(OutboxEntry.id == entry.id)  # type: ignore[arg-type]
                .values(claimed_at=entry.claimed_at - by)
            )
        session.commit()


async def test_a_turns_replies_are_sent_in_order_once_and_marked(db: str) -> None:
    sender = Sender()
    entry = await turn("3:a")
    await courier(sender).deliver(CHAT, entry)
    assert sender.texts() == ["a-1", "a-2", "a-3"]
    (row,) = stored()
    assert row.sent_at is not None and row.parts_sent == 3
    await courier(sender).deliver(CHAT, entry)
    assert await courier(sender, resend_after=0).sweep() == 0
    assert sender.texts() == ["a-1", "a-2", "a-3"]  # nothing twice


async def test_a_failed_message_is_resumed_where_it_stopped_by_the_next_worker(db: str) -> None:
    first, second = Sender(), Sender()
    first.fail = lambda n, _chat: (_ for _ in ()).throw(ConnectionError()) if n == 2 else None
    entry = await turn("3:a")
    await courier(first).deliver(CHAT, entry)
    assert first.texts() == ["a-1"]
    (row,) = stored()
    assert row.sent_at is None and row.parts_sent == 1  # released for the next attempt
    assert await courier(second).sweep() == 1  # released: no grace period to wait for
    assert second.texts() == ["a-2", "a-3"]
    assert first.texts() + second.texts() == ["a-1", "a-2", "a-3"]


async def test_a_crashed_workers_claim_is_respected_until_the_grace_period_is_over(
    db: str,
) -> None:
    """The dead worker claimed the entry and never sent it; its claim is never released."""
    dead, alive = Sender(), Sender()

    def crash(_n: int, _chat: int) -> None:
        raise asyncio.CancelledError  # not an Exception: nothing is logged or released

    dead.fail = crash
    entry = await turn("2:a")
    with pytest.raises(asyncio.CancelledError):
        await courier(dead).deliver(CHAT, entry)
    assert stored()[0].attempts == 1 and stored()[0].sent_at is None
    assert await courier(alive).sweep() == 0  # it might still be sending: wait
    age_claims(timedelta(seconds=delivery.RESEND_AFTER_SECONDS + 1))
    assert await courier(alive).sweep() == 1
    assert alive.texts() == ["a-1", "a-2"]
    assert stored()[0].sent_at is not None


async def test_an_older_unsent_entry_goes_out_before_the_new_turns_replies(db: str) -> None:
    sender = Sender()
    sender.fail = lambda n, _chat: (_ for _ in ()).throw(ConnectionError()) if n == 1 else None
    first = await turn("1:old")
    await courier(sender).deliver(CHAT, first)
    assert sender.texts() == []
    second = await turn("2:new")
    await courier(sender).deliver(CHAT, second)
    assert sender.texts() == ["old-1", "new-1", "new-2"]


async def test_two_workers_sweeping_at_once_send_every_message_once_in_order(db: str) -> None:
    for n in range(4):
        await turn(f"2:t{n}", CHAT)
        await turn(f"1:u{n}", OTHER)
    age_claims(timedelta(hours=1))  # as if the worker that ran these turns had died
    one, two = Sender(), Sender()
    await asyncio.gather(courier(one).sweep(), courier(two).sweep())
    for chat, expected in (
        (CHAT, [f"t{n}-{k}" for n in range(4) for k in (1, 2)]),
        (OTHER, [f"u{n}-1" for n in range(4)]),
    ):
        both = one.texts(chat) + two.texts(chat)
        assert sorted(both) == sorted(expected)  # each exactly once
        for texts in (one.texts(chat), two.texts(chat)):
            assert texts == [t for t in expected if t in texts]  # each worker in order
    assert all(row.sent_at is not None for row in stored(CHAT) + stored(OTHER))


async def test_a_blocked_chat_has_its_entries_abandoned_and_others_are_served(
    db: str, caplog: pytest.LogCaptureFixture
) -> None:
    sender = Sender()

    def blocked(_n: int, chat: int) -> None:
        if chat == CHAT:
            raise Gone("Forbidden: bot was blocked by the user")

    sender.fail = blocked
    for _ in range(2):
        await turn("1:x", CHAT)
    other = await turn("1:y", OTHER)
    age_claims(timedelta(hours=1))
    await courier(sender).sweep()
    await courier(sender).deliver(OTHER, other)
    assert any("unreachable" in r.getMessage() for r in caplog.records)
    assert all(row.abandoned_at is not None and row.sent_at is None for row in stored(CHAT))
    assert sender.texts(OTHER) == ["y-1"]
    assert await courier(sender, resend_after=0).sweep() == 0  # nothing left to try


async def test_an_entry_that_keeps_failing_is_given_up_after_the_last_attempt(db: str) -> None:
    sender = Sender()
    sender.fail = lambda _n, _chat: (_ for _ in ()).throw(ConnectionError())
    entry = await turn("1:x")
    await courier(sender).deliver(CHAT, entry)
    while stored()[0].abandoned_at is None:
        assert sender.calls <= delivery.MAX_DELIVERY_ATTEMPTS, "never given up"
        await courier(sender).sweep()
    assert sender.calls == delivery.MAX_DELIVERY_ATTEMPTS
    assert stored()[0].sent_at is None


async def test_the_sweep_prunes_entries_done_long_ago(db: str) -> None:
    sender = Sender()
    await courier(sender).deliver(CHAT, await turn("1:x"))
    await turn("1:y", OTHER)  # unsent: kept however old
    with Session(service.engine()) as session:
        session.execute(update(OutboxEntry).values(created_at=datetime(2000, 1, 1, tzinfo=UTC)))
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.sent_at.is_not(None))  # type: ignore[union-attr]
            .values(sent_at=datetime(2000, 1, 1, tzinfo=UTC))
        )
        session.commit()
    await courier(sender).sweep()
    assert stored(CHAT) == [] and len(stored(OTHER)) == 1


async def test_periodic_sweeps_run_until_stopped(db: str) -> None:
    sender = Sender()
    worker = Courier("telegram", sender, lambda e: False, resend_after=0, sweep_every=0.01)
    await worker.start()
    await turn("1:late")  # committed after the first sweep, never delivered by its turn
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 20  # a deadlock guard, not a timing
    while not sender.texts() and loop.time() < deadline:
        await asyncio.sleep(0.01)
    await worker.stop()
    assert sender.texts() == ["late-1"]


async def test_a_newer_entry_waits_for_the_worker_holding_an_older_one_which_sends_it(
    db: str,
) -> None:
    """Worker one's send is in flight when worker two's turn commits and delivers."""
    one, two = Sender(), Sender()
    in_flight, go_on = asyncio.Event(), asyncio.Event()
    first_send = one.__call__

    async def slow(chat_id: int, message: Outgoing) -> None:
        if not in_flight.is_set():
            in_flight.set()
            await go_on.wait()
        await first_send(chat_id, message)

    older = await turn("2:old")
    sending = asyncio.create_task(courier(slow).deliver(CHAT, older))
    await in_flight.wait()
    newer = await turn("1:new")
    await courier(two).deliver(CHAT, newer)
    assert two.texts() == []  # not before the older reply: left to the worker holding it
    go_on.set()
    await sending
    assert one.texts() == ["old-1", "old-2", "new-1"]
    assert all(row.sent_at is not None for row in stored())
    assert await courier(two, resend_after=0).sweep() == 0  # nothing left behind


async def test_an_entry_nobody_took_yet_is_sent_by_whichever_worker_comes_first(db: str) -> None:
    """The turn's worker holds no privilege: the first claim wins, the other sends nothing."""
    one, two = Sender(), Sender()
    older = await turn("1:old")
    newer = await turn("1:new")
    await courier(two).deliver(CHAT, newer)  # the older turn's worker has not started yet
    await courier(one).deliver(CHAT, older)
    assert two.texts() == ["old-1", "new-1"] and one.texts() == []


class RateLimited(Exception):
    """What the sender raises when the library gave up on a 429."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"retry after {retry_after}")
        self.retry_after = retry_after


def rate_limited_courier(sender: SendFn) -> Courier:
    def retry_after(error: Exception) -> float | None:
        return error.retry_after if isinstance(error, RateLimited) else None

    return Courier("telegram", sender, lambda e: False, retry_after=retry_after)


async def test_after_a_429_nothing_is_sent_before_retry_after_then_the_entry_is_retried(
    db: str,
) -> None:
    sender = Sender()
    sender.fail = lambda n, _chat: (_ for _ in ()).throw(RateLimited(0.3)) if n == 1 else None
    loop = asyncio.get_running_loop()
    times: list[float] = []

    async def timed(chat_id: int, message: Outgoing) -> None:
        times.append(loop.time())
        await sender(chat_id, message)

    worker = rate_limited_courier(timed)
    await worker.deliver(CHAT, await turn("1:a"))
    assert sender.texts() == [] and stored()[0].sent_at is None  # released
    await worker.deliver(OTHER, await turn("1:b", OTHER))  # another chat waits too
    deadline = loop.time() + 20  # a deadlock guard, not a timing
    while not sender.texts() and loop.time() < deadline:
        await asyncio.sleep(0.01)
    await worker.stop()
    assert sender.texts(OTHER) == ["b-1"] and sender.texts() == ["a-1"]
    assert all(later - times[0] >= 0.3 for later in times[1:])  # a lower bound, not a timing
    assert stored()[0].sent_at is not None and stored()[0].attempts == 2


async def test_stopping_drops_a_retry_still_waiting_and_leaves_its_entry_released(
    db: str,
) -> None:
    sender = Sender()
    sender.fail = lambda _n, _chat: (_ for _ in ()).throw(RateLimited(3600))
    worker = rate_limited_courier(sender)
    await worker.deliver(CHAT, await turn("1:a"))
    await worker.stop()  # does not wait the hour
    assert sender.calls == 1
    (row,) = stored()
    assert row.sent_at is None and row.claimed_at.year == 1970  # for the next worker
