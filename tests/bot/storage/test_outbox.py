"""The outbox: replies stored in the turn's transaction, claims, progress, /forget, pruning."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import Session, SQLModel, select

from bot import service
from bot.storage import outbox
from bot.storage.engine import make_engine
from bot.storage.models import OutboxEntry
from bot.storage.turns import run_turn
from dialogs.events import Button, Event, Reply, Table
from tests.bot.storage import fake_step

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
LATER = datetime.now(UTC) + timedelta(hours=1)  # a cutoff every existing claim is before


@pytest.fixture
def db(database_url: str) -> Iterator[str]:
    service.configure(database_url, step=fake_step.step)
    yield database_url
    service.engine().dispose()


def entries(url: str) -> list[OutboxEntry]:
    engine = make_engine(url)
    with Session(engine) as session:
        found = list(session.exec(select(OutboxEntry).order_by(OutboxEntry.id)).all())  # type: ignore[arg-type]
    engine.dispose()
    return found


def three_replies(
    state: dict[str, Any] | None, event: Event, now: datetime
) -> tuple[dict[str, Any], list[Reply]]:
    """A turn that says three things, the last with buttons and a table."""
    return {"lang": "nl"}, [
        Reply("one"),
        Reply("two"),
        Reply("three", [Button("a", "A")], Table(["x", "y"], [["1", "2"]])),
    ]


async def test_a_turn_with_an_update_id_stores_its_replies_unsent_in_order(db: str) -> None:
    result = await service.handle("telegram", "u1", Event.typed("hi"), update_id="1")
    (entry,) = entries(db)
    assert result.outbox_id == entry.id
    assert entry.replies == [r.to_json() for r in result.replies]
    assert (entry.channel, entry.user_key, entry.update_id) == ("telegram", "u1", "1")
    assert entry.sent_at is None and entry.abandoned_at is None
    assert (entry.parts_sent, entry.attempts) == (0, 0)


def test_several_replies_are_kept_in_their_order(db: str) -> None:
    outcome = run_turn(
        service.engine(),
        three_replies,
        "telegram",
        "u1",
        Event.typed("x"),
        update_id="9",
        now=NOW,
        outbox=True,
    )
    (entry,) = entries(db)
    assert entry.id == outcome.outbox_id
    assert [r["text"] for r in entry.replies] == ["one", "two", "three"]
    (pending,) = outbox.pending_for_user(service.engine(), "telegram", "u1")
    assert pending.replies == outcome.replies  # what is read back is what was said


async def test_a_duplicate_update_stores_nothing_more(db: str) -> None:
    for _ in range(3):
        await service.handle("telegram", "u1", Event.typed("once"), update_id="77")
    assert len(entries(db)) == 1


async def test_the_web_and_turns_without_an_update_id_write_no_outbox(db: str) -> None:
    web = await service.handle("web", "s1", Event.typed("a"), update_id="1")
    plain = await service.handle("telegram", "u1", Event.typed("b"))
    assert web.replies and plain.replies
    assert web.outbox_id is None and plain.outbox_id is None
    assert entries(db) == []


async def test_forget_deletes_the_users_outbox_and_keeps_only_its_confirmation(db: str) -> None:
    await service.handle("telegram", "u1", Event.typed("a"), update_id="1")
    await service.handle("telegram", "u2", Event.typed("b"), update_id="2")
    await service.handle("telegram", "u1", Event.command("forget"), update_id="3")
    erased = await service.handle("telegram", "u1", Event.typed("yes"), update_id="4")
    left = [(e.user_key, [r["text"] for r in e.replies]) for e in entries(db)]
    assert left == [("u2", ["en:1:b"]), ("u1", ["forgotten"])]
    assert erased.outbox_id == entries(db)[-1].id


async def test_the_turns_own_worker_claims_once_and_others_only_after_the_grace(
    db: str,
) -> None:
    engine = service.engine()
    await service.handle("telegram", "u1", Event.typed("a"), update_id="1")
    (fresh,) = outbox.pending_for_user(engine, "telegram", "u1")
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    assert not outbox.claim(engine, fresh, long_ago)  # another worker: claimed too recently
    assert outbox.claim(engine, fresh, None)  # the turn's own worker
    assert not outbox.claim(engine, fresh, None)  # the token is spent: no second sender
    (taken,) = outbox.pending_for_user(engine, "telegram", "u1")
    assert taken.attempts == 1
    assert outbox.users_with_stale(engine, "telegram", long_ago, 10) == []
    assert outbox.users_with_stale(engine, "telegram", LATER, 10) == ["u1"]
    assert outbox.claim(engine, taken, LATER)  # the grace is over: another worker takes it
    assert not outbox.mark_progress(engine, taken.id, taken.attempts, 1, done=True)  # lost
    assert outbox.mark_progress(engine, taken.id, taken.attempts + 1, 1, done=True)
    (entry,) = entries(db)
    assert entry.sent_at is not None and entry.parts_sent == 1
    assert outbox.pending_for_user(engine, "telegram", "u1") == []
    assert outbox.users_with_stale(engine, "telegram", LATER, 10) == []


async def test_progress_is_kept_part_by_part(db: str) -> None:
    engine = service.engine()
    await service.handle("telegram", "u1", Event.typed("a"), update_id="1")
    (pending,) = outbox.pending_for_user(engine, "telegram", "u1")
    assert outbox.claim(engine, pending, None)
    assert outbox.mark_progress(engine, pending.id, 1, 2, done=False)
    (resumed,) = outbox.pending_for_user(engine, "telegram", "u1")
    assert resumed.parts_sent == 2 and entries(db)[0].sent_at is None


async def test_users_with_stale_entries_come_oldest_first(db: str) -> None:
    for n, user in enumerate(["u3", "u1", "u2", "u1"]):
        await service.handle("telegram", user, Event.typed("x"), update_id=str(n))
    engine = service.engine()
    assert outbox.users_with_stale(engine, "telegram", LATER, 10) == ["u3", "u1", "u2"]
    assert outbox.users_with_stale(engine, "telegram", LATER, 2) == ["u3", "u1"]
    assert outbox.users_with_stale(engine, "other", LATER, 10) == []


async def test_abandoned_and_old_sent_entries_are_pruned_unsent_ones_kept(db: str) -> None:
    engine = service.engine()
    for n, user in enumerate(["sent", "blocked", "waiting", "gave-up"]):
        await service.handle("telegram", user, Event.typed("x"), update_id=str(n))
    (sent,) = outbox.pending_for_user(engine, "telegram", "sent")
    assert outbox.claim(engine, sent, None)
    assert outbox.mark_progress(engine, sent.id, 1, 1, done=True)
    outbox.abandon_user(engine, "telegram", "blocked")
    outbox.abandon(engine, outbox.pending_for_user(engine, "telegram", "gave-up")[0].id)
    assert outbox.prune(engine, datetime(2000, 1, 1, tzinfo=UTC)) == 0
    assert outbox.prune(engine, LATER) == 3
    assert [e.user_key for e in entries(db)] == ["waiting"]


def test_a_reply_survives_the_json_round_trip() -> None:
    reply = Reply("t", [Button("k", "K"), Button("l", "L")], Table(["a"], [["1"], ["2"]]))
    assert outbox.reply_from_json(reply.to_json()) == reply
    assert outbox.reply_from_json(Reply("plain").to_json()) == Reply("plain")


def test_the_migrations_build_exactly_the_tables_of_the_models(database_url: str) -> None:
    service.configure(database_url, step=fake_step.step)
    with service.engine().connect() as connection:
        context = MigrationContext.configure(connection)
        differences = compare_metadata(context, SQLModel.metadata)
    service.engine().dispose()
    assert differences == []
