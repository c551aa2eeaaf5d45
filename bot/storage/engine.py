"""Database URLs and engines: SQLite (WAL) by default, PostgreSQL through psycopg."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import create_engine

log = logging.getLogger(__name__)


def normalize_url(url: str) -> str:
    """The URL with a PostgreSQL scheme rewritten to the psycopg (v3) driver.

    Hosting platforms hand out `postgres://` or `postgresql://`; SQLAlchemy would pick
    psycopg2 for those, which is not installed.
    """
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def is_sqlite(url: str) -> bool:
    """Whether the URL names a SQLite database."""
    return url.startswith("sqlite")


def make_engine(url: str) -> Engine:
    """An engine for the URL; SQLite gets WAL, a busy timeout and cross-thread use.

    Turns run in worker threads, so SQLite connections must be shareable between
    threads; the busy timeout makes a writer wait for another instead of failing.
    SQL errors do not show their parameters: those are conversation states and answers,
    which must not end up in the logs.
    """
    url = normalize_url(url)
    if is_sqlite(url):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=5, max_overflow=10, hide_parameters=True
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers go on while one writer writes; foreign keys on for good measure.

    `secure_delete` overwrites deleted content with zeros: without it the pages freed by
    /forget or the purge would still hold the erased answers.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def checkpoint_wal(engine: Engine) -> None:
    """On SQLite, copy the write-ahead log into the database file and empty it.

    Deleted rows stay readable in the `-wal` file until a checkpoint; after an erase
    (/forget, the purge) this makes them leave it at once. It waits (busy timeout) for
    readers of older snapshots; a failure is logged, never raised: the erase itself is
    committed, and the next checkpoint (SQLite runs them on its own) finishes the job.
    A no-op on other databases.
    """
    if engine.dialect.name != "sqlite":
        return
    try:
        with engine.connect() as connection:
            busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").first()
    except Exception:
        log.exception("SQLite WAL checkpoint failed")
        return
    if busy is not None and busy[0]:
        log.warning("SQLite WAL checkpoint incomplete: readers were still busy")
