"""A turn whose step raises: a polite reply, logged once, recorded as handled (issue 8).

Before, the exception went up to the transport: the web answered 500, Telegram's webhook
answered 500 on every redelivery of the same update (a poison update) and the user never
heard back. Now it is the dialog's apology, the conversation unchanged, and a
redelivery is a duplicate.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError, StatementError
from sqlmodel import Session, select

from bot import service
from bot.storage.engine import make_engine
from bot.storage.models import Conversation, OutboxEntry, ProcessedUpdate
from dialogs.events import Event, Reply
from dialogs.i18n import Translator
from tests.bot.storage import fake_step

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
SORRY = "Sorry, something went wrong with that answer. Could you try again?"
TURNS_LOGGER = "bot.storage.turns"


def breaking_step(
    state: dict[str, Any] | None, event: Event, now: datetime
) -> tuple[dict[str, Any], list[Reply]]:
    """The fake step, except that the text "boom" raises (a bug nobody foresaw)."""
    if event.type == "text" and event.text == "boom":
        raise ArithmeticError("a bug in the dialog")
    return fake_step.step(state, event, now)


@pytest.fixture
def db(database_url: str) -> Iterator[str]:
    service.configure(database_url, step=breaking_step)
    yield database_url
    service.engine().dispose()


def rows(url: str, model: Any) -> list[Any]:
    engine = make_engine(url)
    with Session(engine) as session:
        found = list(session.exec(select(model)).all())
    engine.dispose()
    return found


def failures(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == TURNS_LOGGER and r.levelno >= logging.ERROR]


async def test_a_failing_step_gets_an_apology_and_changes_nothing(
    db: str, caplog: pytest.LogCaptureFixture
) -> None:
    await service.handle("telegram", "u1", Event.start(lang="fr"), update_id="1", now=NOW)
    (before,) = rows(db, Conversation)
    result = await service.handle("telegram", "u1", Event.typed("boom"), update_id="2", now=NOW)
    # the fake's state is not the dialog's, so the apology has no question to repeat
    assert [r.text for r in result.replies] == [Translator("fr")(SORRY)]
    assert Translator("fr")(SORRY) != SORRY, "the apology is translated"
    assert result.lang == "fr" and not result.duplicate and not result.new_conversation
    (after,) = rows(db, Conversation)
    assert (after.state, after.version) == (before.state, before.version)
    assert {u.update_id for u in rows(db, ProcessedUpdate)} == {"1", "2"}
    # the apology is delivered like any reply: from the outbox
    (entry,) = [e for e in rows(db, OutboxEntry) if e.update_id == "2"]
    assert entry.id == result.outbox_id
    assert entry.replies[0]["text"] == Translator("fr")(SORRY)
    (record,) = failures(caplog)
    assert "telegram" in record.getMessage() and "2" in record.getMessage()
    assert "boom" not in record.getMessage() and "u1" not in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is ArithmeticError

    # the conversation goes on where it was
    going_on = await service.handle("telegram", "u1", Event.typed("x"), update_id="3", now=NOW)
    assert [r.text for r in going_on.replies] == ["fr:2:x"]


async def test_a_redelivered_failing_update_is_a_duplicate_logged_once(
    db: str, caplog: pytest.LogCaptureFixture
) -> None:
    first = await service.handle("telegram", "u1", Event.typed("boom"), update_id="9", now=NOW)
    again = await service.handle("telegram", "u1", Event.typed("boom"), update_id="9", now=NOW)
    assert first.replies and not first.duplicate
    assert again.duplicate and again.replies == []
    assert len(failures(caplog)) == 1
    assert [u.update_id for u in rows(db, ProcessedUpdate)] == ["9"]
    assert len(rows(db, OutboxEntry)) == 1


async def test_a_failing_first_turn_apologises_in_the_hinted_language(db: str) -> None:
    result = await service.handle(
        "telegram", "new", Event.typed("boom", lang="nl"), update_id="5", now=NOW
    )
    assert [r.text for r in result.replies] == [Translator("nl")(SORRY)]
    assert result.lang == "nl"
    assert rows(db, Conversation) == []  # nothing to keep: no conversation was made
    assert [u.update_id for u in rows(db, ProcessedUpdate)] == ["5"]


async def test_the_web_gets_the_apology_in_the_response(
    db: str, caplog: pytest.LogCaptureFixture
) -> None:
    await service.handle("web", "s1", Event.start(lang="nl"), now=NOW)
    result = await service.handle("web", "s1", Event.typed("boom"), now=NOW)
    assert [r.text for r in result.replies] == [Translator("nl")(SORRY)]
    assert result.outbox_id is None and rows(db, OutboxEntry) == []
    assert len(failures(caplog)) == 1


async def test_a_database_error_still_propagates_so_the_update_comes_back(
    database_url: str,
) -> None:
    def database_down(state: Any, event: Event, now: datetime) -> Any:
        raise OperationalError("SELECT 1", {}, Exception("server closed the connection"))

    service.configure(database_url, step=database_down)
    try:
        with pytest.raises(OperationalError):
            await service.handle("telegram", "u1", Event.typed("x"), update_id="7", now=NOW)
        assert rows(database_url, ProcessedUpdate) == []  # redelivered later, then handled
    finally:
        service.engine().dispose()


async def test_the_real_dialog_apologises_and_asks_the_same_question_again(
    database_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from dialogs import engine, step

    service.configure(database_url, step=step)
    try:
        await service.handle("telegram", "u1", Event.start(lang="nl"), update_id="1", now=NOW)
        asked = await service.handle(
            "telegram", "u1", Event.button("role.lender"), update_id="2", now=NOW
        )
        (before,) = rows(database_url, Conversation)

        def broken(*_args: Any, **_kwargs: Any) -> None:
            raise RuntimeError("a bug in the rules")

        monkeypatch.setattr(engine.Turn, "answer", broken)
        result = await service.handle(
            "telegram", "u1", Event.button("today"), update_id="3", now=NOW
        )
        (reply,) = result.replies
        assert reply.text.startswith(Translator("nl")(SORRY) + "\n\n")
        assert reply.text.endswith(asked.replies[-1].text)  # the same question again
        assert [b.key for b in reply.buttons] == [b.key for b in asked.replies[-1].buttons]
        (after,) = rows(database_url, Conversation)
        assert (after.state, after.version) == (before.state, before.version)
        (record,) = failures(caplog)
        assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    finally:
        service.engine().dispose()


async def test_a_state_that_cannot_be_saved_is_an_apology_and_the_log_shows_no_answers(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The failure is in the save, not in step; the error names no SQL parameters."""

    def unsaveable(state: Any, event: Event, now: datetime) -> Any:
        return {"lang": "nl", "answers": {"loan.amount": Decimal("54321.99")}}, []

    service.configure(database_url, step=unsaveable)
    try:
        result = await service.handle("telegram", "u1", Event.typed("x"), update_id="4", now=NOW)
        assert [r.text for r in result.replies] == [Translator("en")(SORRY)]
        assert [u.update_id for u in rows(database_url, ProcessedUpdate)] == ["4"]
        (record,) = failures(caplog)
        assert record.exc_info is not None
        assert record.exc_info[0] in (StatementError, TypeError)  # SQLite / PostgreSQL
        assert "54321" not in caplog.text and "u1" not in caplog.text
    finally:
        service.engine().dispose()


def test_a_failed_web_turn_retried_with_its_turn_id_gets_the_same_apology_once(
    db: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Review finding: the apology was not stored under the web turn id, so a retry of the
    same (session, turn) ran the event again (and failed again)."""
    service.handle_sync("web", "visitor", Event.typed("hello"), now=NOW)
    with caplog.at_level(logging.ERROR, logger=TURNS_LOGGER):
        first = service.handle_sync("web", "visitor", Event.typed("boom"), turn_id="t-7", now=NOW)
        again = service.handle_sync("web", "visitor", Event.typed("boom"), turn_id="t-7", now=NOW)
    assert SORRY in first.replies[0].text
    assert [r.text for r in again.replies] == [r.text for r in first.replies]
    assert again.duplicate and not first.duplicate
    assert len(failures(caplog)) == 1  # the retry did not run the step again
