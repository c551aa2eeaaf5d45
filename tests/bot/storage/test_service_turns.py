"""`bot.service.handle`: load → step → save, the inbox, receipts, /forget, restarts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import inspect
from sqlmodel import Session, select

from bot import service
from bot.storage.engine import make_engine
from bot.storage.models import Conversation, ProcessedUpdate, Result
from bot.storage.turns import inputs_hash, run_turn
from dialogs.events import RECEIPT_KEY, Event, Reply
from tests.bot.storage import fake_step

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(database_url: str) -> Iterator[str]:
    service.configure(database_url, step=fake_step.step)
    yield database_url
    service.engine().dispose()


def rows(url: str, model: Any) -> list[Any]:
    engine = make_engine(url)
    with Session(engine) as session:
        found = list(session.exec(select(model)).all())
    engine.dispose()
    return found


def answers(url: str, user_key: str = "u1") -> list[str]:
    (conversation,) = [c for c in rows(url, Conversation) if c.user_key == user_key]
    return list(conversation.state["answers"])


async def test_first_turn_creates_the_conversation_and_later_turns_continue_it(db: str) -> None:
    first = await service.handle("telegram", "u1", Event.start(lang="fr"), now=NOW)
    second = await service.handle("telegram", "u1", Event.typed("hallo"), now=NOW)
    assert first.new_conversation and not second.new_conversation
    assert [r.text for r in second.replies] == ["fr:2:hallo"]
    assert second.lang == "fr" and not second.done and not second.duplicate
    assert answers(db) == ["start", "hallo"]
    (conversation,) = rows(db, Conversation)
    assert conversation.version == 2 and conversation.lang == "fr"


async def test_users_and_channels_are_kept_apart(db: str) -> None:
    await service.handle("telegram", "u1", Event.typed("a"))
    await service.handle("web", "u1", Event.typed("b"))
    await service.handle("telegram", "u2", Event.typed("c"))
    by_key = {(c.channel, c.user_key): c.state["answers"] for c in rows(db, Conversation)}
    assert by_key == {("telegram", "u1"): ["a"], ("web", "u1"): ["b"], ("telegram", "u2"): ["c"]}


async def test_an_update_delivered_three_times_is_answered_once(db: str) -> None:
    results = [
        await service.handle("telegram", "u1", Event.typed("once"), update_id="77")
        for _ in range(3)
    ]
    assert [bool(r.replies) for r in results] == [True, False, False]
    assert [r.duplicate for r in results] == [False, True, True]
    assert answers(db) == ["once"]
    assert [(u.channel, u.update_id) for u in rows(db, ProcessedUpdate)] == [("telegram", "77")]


async def test_the_same_update_id_on_another_channel_is_not_a_duplicate(db: str) -> None:
    await service.handle("telegram", "u1", Event.typed("a"), update_id="5")
    other = await service.handle("web", "u1", Event.typed("b"), update_id="5")
    assert not other.duplicate and other.replies


async def test_a_receipt_becomes_a_results_row_and_leaves_the_state(db: str) -> None:
    result = await service.handle("telegram", "u1", Event.typed("result"), now=NOW)
    assert result.done
    (conversation,) = rows(db, Conversation)
    assert RECEIPT_KEY not in conversation.state
    (receipt,) = rows(db, Result)
    assert receipt.rules_version == "2026-10-01"
    assert receipt.closing_date == date(2026, 11, 1)
    assert receipt.inputs_hash == inputs_hash(fake_step.RECEIPT["case"])
    assert receipt.verdicts["winwin"] == "eligible"
    assert (receipt.channel, receipt.user_key) == ("telegram", "u1")


def test_the_inputs_hash_ignores_key_order_but_not_values() -> None:
    assert inputs_hash({"a": 1, "b": {"c": "2"}}) == inputs_hash({"b": {"c": "2"}, "a": 1})
    assert inputs_hash({"a": 1}) != inputs_hash({"a": 2})


async def test_forget_confirmed_erases_every_row_of_that_user_only(db: str) -> None:
    await service.handle("telegram", "u1", Event.typed("result"))
    await service.handle("telegram", "u2", Event.typed("result"))
    await service.handle("telegram", "u1", Event.command("forget"))
    assert len(rows(db, Conversation)) == 2  # asking is not erasing
    erased = await service.handle("telegram", "u1", Event.typed("yes"))
    assert [r.text for r in erased.replies] == ["forgotten"]
    assert [c.user_key for c in rows(db, Conversation)] == ["u2"]
    assert [r.user_key for r in rows(db, Result)] == ["u2"]
    again = await service.handle("telegram", "u1", Event.typed("hello"))
    assert again.new_conversation and answers(db, "u1") == ["hello"]


async def test_a_restart_with_a_new_engine_resumes_the_conversation(db: str) -> None:
    await service.handle("telegram", "u1", Event.typed("before"))
    service.configure(db, step=fake_step.step)  # as a new process would
    after = await service.handle("telegram", "u1", Event.typed("after"))
    assert [r.text for r in after.replies] == ["en:2:after"]


async def test_healthcheck_says_whether_the_database_answers(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await service.healthcheck()
    unreachable = make_engine("postgresql://nobody@127.0.0.1:1/nothing")
    monkeypatch.setattr(service, "_engine", unreachable)
    assert not await service.healthcheck()


def test_a_lost_race_is_reapplied_on_the_newer_state(database_url: str) -> None:
    """Turn A reads, turn B commits meanwhile, A's save fails the version check and reruns."""
    service.configure(database_url, step=fake_step.step)
    engine = service.engine()
    run_turn(engine, fake_step.step, "t", "u1", Event.typed("first"), update_id=None, now=NOW)
    calls: list[str] = []

    def racing_step(state: dict[str, Any] | None, event: Event, now: datetime) -> Any:
        calls.append(str(event.text))
        if len(calls) == 1:  # B sneaks in between A's read and A's save
            other = threading.Thread(
                target=run_turn,
                args=(
                    engine,
                    fake_step.step,
                    "t",
                    "u1",
                    Event.typed("B"),
                ),
                kwargs={"update_id": "b", "now": now},
            )
            other.start()
            other.join()
        return fake_step.step(state, event, now)

    # Without an update id A holds no write lock while it steps (SQLite would otherwise,
    # rightly, make B wait for A), so the race reaches the version check on both backends.
    outcome = run_turn(engine, racing_step, "t", "u1", Event.typed("A"), update_id=None, now=NOW)
    assert calls == ["A", "A"]  # applied, conflicted, re-applied
    assert outcome.replies == [Reply(text="en:3:A")]
    assert answers(database_url) == ["first", "B", "A"]
    assert [u.update_id for u in rows(database_url, ProcessedUpdate)] == ["b"]
    engine.dispose()


def test_migrations_create_the_tables_and_are_idempotent(database_url: str) -> None:
    from bot.storage.migrations import upgrade

    upgrade(database_url)
    upgrade(database_url)
    engine = make_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"conversations", "processed_updates", "results", "alembic_version"} <= tables


def test_leenwijzer_db_upgrade_uses_database_url(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import cli
    from bot.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        assert cli.main(["db", "upgrade"]) == 0
    finally:
        get_settings.cache_clear()
    engine = make_engine(database_url)
    assert "conversations" in inspect(engine).get_table_names()
    engine.dispose()


async def test_the_forget_confirmation_keeps_the_conversation_language(database_url: str) -> None:
    """Nothing is kept after /forget, yet the answer is in the language just spoken."""
    from dialogs import step

    service.configure(database_url, step=step)
    try:
        await service.handle("web", "s1", Event.start(lang="nl"))
        await service.handle("web", "s1", Event.command("forget"))
        erased = await service.handle("web", "s1", Event.button("forget.yes"))
        assert erased.lang == "nl"
        assert rows(database_url, Conversation) == []
    finally:
        service.engine().dispose()
