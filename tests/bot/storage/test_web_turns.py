"""Client turn ids (the chat contract's `turn`): a re-sent event is answered, not re-applied.

A web answer lost on the way makes the widget send the same event again with the same
`turn`; the stored replies come back and the state moves once. Runs on SQLite and, when
TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlmodel import Session, select

from bot import service
from bot.storage.engine import make_engine
from bot.storage.models import Conversation, WebTurn
from bot.storage.turns import run_turn
from dialogs.events import Button, Event, Reply, Table
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


def answers(url: str, user_key: str) -> list[str]:
    (conversation,) = [c for c in rows(url, Conversation) if c.user_key == user_key]
    return list(conversation.state["answers"])


async def test_the_same_turn_twice_is_answered_alike_and_applied_once(db: str) -> None:
    await service.handle("web", "s1", Event.start(lang="nl"), turn_id="t1")
    first = await service.handle("web", "s1", Event.typed("12"), turn_id="t2")
    again = await service.handle("web", "s1", Event.typed("12"), turn_id="t2")
    assert [r.text for r in first.replies] == ["nl:2:12"]
    assert again.replies == first.replies
    assert (again.lang, again.done) == (first.lang, first.done)
    assert again.duplicate and not first.duplicate
    assert answers(db, "s1") == ["start", "12"]

    other = await service.handle("web", "s1", Event.typed("12"), turn_id="t3")
    assert [r.text for r in other.replies] == ["nl:3:12"]
    assert answers(db, "s1") == ["start", "12", "12"]


async def test_without_a_turn_id_every_request_is_applied(db: str) -> None:
    await service.handle("web", "s1", Event.typed("a"))
    await service.handle("web", "s1", Event.typed("a"))
    assert answers(db, "s1") == ["a", "a"]
    assert rows(db, WebTurn) == []


async def test_the_same_turn_id_in_another_session_is_independent(db: str) -> None:
    await service.handle("web", "s1", Event.typed("one"), turn_id="1")
    other = await service.handle("web", "s2", Event.typed("two"), turn_id="1")
    assert not other.duplicate
    assert [r.text for r in other.replies] == ["en:1:two"]
    assert answers(db, "s1") == ["one"] and answers(db, "s2") == ["two"]


async def test_a_replayed_turn_keeps_its_buttons_table_and_done(db: str) -> None:
    def rich(
        state: dict[str, Any] | None, event: Event, now: datetime
    ) -> tuple[dict[str, Any], list[Reply]]:
        count = int((state or {}).get("count", 0)) + 1
        table = Table(["n"], [[str(count)]])
        return {"lang": "fr", "done": True, "count": count}, [
            Reply(f"turn {count}", [Button("a.b", "A")], table),
            Reply("second"),
        ]

    service.configure(db, step=rich)
    first = await service.handle("web", "s1", Event.typed("x"), turn_id="k")
    again = await service.handle("web", "s1", Event.typed("x"), turn_id="k")
    assert again.replies == first.replies
    assert again.replies[0].table == Table(["n"], [["1"]])
    assert (again.lang, again.done) == ("fr", True)
    (conversation,) = rows(db, Conversation)
    assert conversation.state["count"] == 1


def test_two_identical_requests_at_the_same_time_apply_once(db: str) -> None:
    """Both requests are inside their transaction, past the lookup, when either saves."""
    both_stepping = threading.Barrier(2, timeout=10)
    calls: list[str] = []
    lock = threading.Lock()

    def meeting_step(
        state: dict[str, Any] | None, event: Event, now: datetime
    ) -> tuple[dict[str, Any], list[Reply]]:
        with lock:
            calls.append(event.text or "")
            first_two = len(calls) <= 2
        if first_two:
            both_stepping.wait()  # the two requests overlap here
        return fake_step.step(state, event, now)

    engine = service.engine()
    run_turn(engine, fake_step.step, "web", "s1", Event.start(), update_id=None, now=NOW)
    results: list[Any] = []
    errors: list[BaseException] = []

    def send() -> None:
        try:
            outcome = run_turn(
                engine,
                meeting_step,
                "web",
                "s1",
                Event.typed("12"),
                update_id=None,
                now=NOW,
                turn_id="same",
            )
            results.append(outcome)
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(calls) >= 2  # both really stepped concurrently
    assert answers(db, "s1") == ["start", "12"]
    assert [r.text for r in results[0].replies] == [r.text for r in results[1].replies]
    assert [r.text for r in results[0].replies] == ["en:2:12"]
    assert sorted(o.duplicate for o in results) == [False, True]
    assert len(rows(db, WebTurn)) == 1


async def test_forget_erases_the_users_stored_turns_too(db: str) -> None:
    await service.handle("web", "s1", Event.typed("secret"), turn_id="1")
    await service.handle("web", "s2", Event.typed("other"), turn_id="1")
    await service.handle("web", "s1", Event.command("forget"), turn_id="2")
    await service.handle("web", "s1", Event.typed("yes"), turn_id="3")
    assert [(t.user_key, t.turn) for t in rows(db, WebTurn)] == [("s2", "1")]
