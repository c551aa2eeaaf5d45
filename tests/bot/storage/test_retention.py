"""Privacy and retention: /forget leaves no trace in SQLite's files; the purge ages data out.

- after a confirmed /forget the user's answers are in neither the `.sqlite3` nor the
  `-wal` file (secure_delete zeroes freed pages, a checkpoint empties the log);
- `purge` removes idle conversations, old receipts, processed updates, delivered outbox
  rows and stored web turns, and keeps the fresh ones and undelivered replies;
- `leenwijzer db purge [--older-than DAYS]` prints what went; `leenwijzer serve` purges in
  the background (once at start, then daily) and survives a failing purge.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from bot import service
from bot.storage import outbox, retention
from bot.storage.engine import make_engine
from bot.storage.models import Conversation, OutboxEntry, ProcessedUpdate, Result, WebTurn
from dialogs.events import Event
from tests.bot.storage import fake_step

SECRET = "Zq-distinctive-answer-7731-Quokka"
NOW = datetime.now(UTC)
OLD = NOW - timedelta(days=200)


@pytest.fixture
def db(database_url: str) -> Iterator[str]:
    service.configure(database_url, step=fake_step.step)
    yield database_url
    service.engine().dispose()


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "leenwijzer.sqlite3"
    service.configure(f"sqlite:///{path}", step=fake_step.step)
    yield path
    service.engine().dispose()


def file_bytes(path: Path) -> bytes:
    """The database file and its write-ahead log, as on disk now."""
    wal = path.with_name(path.name + "-wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def rows(model: Any) -> list[Any]:
    with Session(service.engine()) as session:
        return list(session.exec(select(model)).all())


async def test_after_forget_the_answer_is_in_no_sqlite_file(sqlite_file: Path) -> None:
    await service.handle("web", "s1", Event.typed(SECRET), turn_id="1")
    await service.handle("telegram", "u1", Event.typed(SECRET), update_id="9")
    await service.handle("web", "s1", Event.typed("result"), turn_id="2")  # a receipt too
    await service.handle("web", "other", Event.typed("kept"), turn_id="1")
    assert SECRET.encode() in file_bytes(sqlite_file)  # the test can see it when it is there

    for user, channel in (("s1", "web"), ("u1", "telegram")):
        await service.handle(channel, user, Event.command("forget"))
        erased = await service.handle(channel, user, Event.typed("yes"))
        assert [r.text for r in erased.replies] == ["forgotten"]

    assert SECRET.encode() not in file_bytes(sqlite_file)
    assert b"kept" in file_bytes(sqlite_file)  # the other user's answers are still there


def age(model: Any, column: str, user_key: str, moment: datetime) -> None:
    """Set a timestamp of the user's rows, as if they were written at `moment`."""
    with Session(service.engine()) as session:
        session.execute(update(model).where(model.user_key == user_key).values({column: moment}))
        session.commit()


async def seed() -> None:
    """An idle user `old` (200 days), a fresh user `new`; Telegram rows for both."""
    for user in ("old", "new"):
        await service.handle("web", user, Event.typed(f"{user}-{SECRET}"), turn_id="1")
        await service.handle("web", user, Event.typed("result"), turn_id="2")
        await service.handle("telegram", user, Event.typed("hi"), update_id=f"{user}-1")
        await service.handle("telegram", user, Event.typed("hi"), update_id=f"{user}-2")
    engine = service.engine()
    for user in ("old", "new"):  # one entry delivered, one still pending, per user
        first = outbox.pending_for_user(engine, "telegram", user)[0]
        assert outbox.claim(engine, first, None)
        assert outbox.mark_progress(engine, first.id, first.attempts + 1, 1, done=True)
    age(Conversation, "updated_at", "old", OLD)
    age(Result, "created_at", "old", OLD)
    age(WebTurn, "created_at", "old", OLD)
    age(OutboxEntry, "created_at", "old", OLD)
    with Session(engine) as session:
        session.execute(
            update(OutboxEntry)
            .where(OutboxEntry.user_key == "old", OutboxEntry.sent_at.is_not(None))  # type: ignore[union-attr]
            .values(sent_at=OLD)
        )
        session.execute(
            update(ProcessedUpdate)
            .where(ProcessedUpdate.update_id.startswith("old-"))  # type: ignore[attr-defined]
            .values(processed_at=OLD)
        )
        session.commit()


async def test_purge_removes_what_is_older_than_the_cutoff_and_keeps_the_rest(db: str) -> None:
    await seed()
    counts = retention.purge(service.engine(), 180)
    assert counts == retention.PurgeCounts(
        conversations=2, receipts=1, processed_updates=2, outbox=1, web_turns=2
    )
    assert {(c.channel, c.user_key) for c in rows(Conversation)} == {
        ("web", "new"),
        ("telegram", "new"),
    }
    assert [r.user_key for r in rows(Result)] == ["new"]
    assert sorted(u.update_id for u in rows(ProcessedUpdate)) == ["new-1", "new-2"]
    assert {w.user_key for w in rows(WebTurn)} == {"new"}
    kept = {(e.user_key, e.sent_at is None) for e in rows(OutboxEntry)}
    assert kept == {("old", True), ("new", True), ("new", False)}  # pending ones stay

    assert retention.purge(service.engine(), 180) == retention.PurgeCounts(0, 0, 0, 0, 0)


async def test_a_short_retention_keeps_only_what_is_newer(db: str) -> None:
    await seed()
    counts = retention.purge(service.engine(), 1, now=NOW + timedelta(days=2))
    assert counts.conversations == 4 and counts.web_turns == 4 and counts.receipts == 2
    assert rows(Conversation) == []


def test_the_retention_must_be_at_least_a_day(db: str) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        retention.purge(service.engine(), 0)


async def test_the_purge_leaves_the_purged_answers_in_no_sqlite_file(sqlite_file: Path) -> None:
    await seed()
    assert f"old-{SECRET}".encode() in file_bytes(sqlite_file)
    retention.purge(service.engine(), 180)
    assert f"old-{SECRET}".encode() not in file_bytes(sqlite_file)
    assert f"new-{SECRET}".encode() in file_bytes(sqlite_file)


def test_the_counts_read_as_a_sentence() -> None:
    counts = retention.PurgeCounts(3, 2, 5, 1, 4)
    assert counts.total == 15
    assert str(counts) == (
        "3 conversations, 2 receipts, 5 processed updates, 1 outbox rows, 4 web turns"
    )


@pytest.fixture
def cli_database(db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from bot.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", db)
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


async def test_db_purge_prints_what_it_removed(
    cli_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    await seed()
    assert main(["db", "purge", "--older-than", "190"]) == 0
    out = capsys.readouterr().out
    assert "2 conversations, 1 receipts, 2 processed updates, 1 outbox rows, 2 web turns" in out
    assert "190 days" in out


async def test_db_purge_defaults_to_the_retention_setting(
    cli_database: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main
    from bot.settings import Settings, get_settings

    assert Settings().retention_days == 180
    await seed()
    monkeypatch.setenv("LEENWIJZER_RETENTION_DAYS", "365")
    get_settings.cache_clear()
    assert main(["db", "purge"]) == 0
    out = capsys.readouterr().out
    assert "0 conversations" in out and "365 days" in out
    assert len(rows(Conversation)) == 4


@pytest.mark.parametrize("days", ["0", "-3", "soon"])
def test_db_purge_refuses_a_retention_under_a_day(
    days: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["db", "purge", "--older-than", days])
    assert exit_info.value.code == 2
    assert "--older-than" in capsys.readouterr().err


async def test_the_background_purge_runs_at_once_then_again_and_survives_errors(
    db: str, caplog: pytest.LogCaptureFixture
) -> None:
    await seed()
    calls: list[int] = []
    real_purge = retention.purge

    def flaky_purge(engine: Any, days: int) -> retention.PurgeCounts:
        calls.append(days)
        if len(calls) == 2:
            raise RuntimeError("database gone for a moment")
        return real_purge(engine, days)

    caplog.set_level(logging.INFO, logger="bot.storage.retention")
    task = asyncio.create_task(
        retention.purge_periodically(service.engine, 180, every=0.05, purge_fn=flaky_purge)
    )
    for _ in range(200):
        await asyncio.sleep(0.02)
        if len(calls) >= 3:
            break
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(calls) >= 3 and set(calls) == {180}
    assert len(rows(Conversation)) == 2
    messages = [record.getMessage() for record in caplog.records]
    assert any("2 conversations" in message for message in messages)
    assert any(record.levelno == logging.ERROR for record in caplog.records)


def test_serve_purges_in_the_background(cli_database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from fastapi.testclient import TestClient

    import bot.web.serve

    asyncio.run(seed())
    served: list[Any] = []
    monkeypatch.setattr(bot.web.serve.uvicorn, "run", lambda app, **_: served.append(app))
    assert bot.web.serve.run_serve() == 0
    service.configure(cli_database, step=fake_step.step)  # back to the test's fake dialog
    with TestClient(served[0]):
        for _ in range(500):
            if len(rows(Conversation)) == 2:
                break
            time.sleep(0.02)
    assert {c.user_key for c in rows(Conversation)} == {"new"}


def test_every_sqlite_connection_turns_secure_delete_on(tmp_path: Path) -> None:
    """Freed pages must be zeroed whatever the build's default (Debian's is on, others off)."""
    from bot.storage import engine as engine_module

    executed: list[str] = []

    class Cursor:
        def execute(self, statement: str) -> None:
            executed.append(statement)

        def close(self) -> None:
            pass

    class Connection:
        def cursor(self) -> Cursor:
            return Cursor()

    engine_module._sqlite_pragmas(Connection(), None)
    assert "PRAGMA secure_delete=ON" in executed

    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    engine.dispose()
