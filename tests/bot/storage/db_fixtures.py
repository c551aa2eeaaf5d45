"""Databases for tests: a SQLite file per test, and PostgreSQL when TEST_DATABASE_URL is set.

Each PostgreSQL test gets a fresh schema (selected through `search_path` in the URL), so
runs never see each other's rows; the schema is dropped afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from bot.storage.engine import normalize_url

BACKENDS = ("sqlite", "postgres")


def postgres_base_url() -> str | None:
    """TEST_DATABASE_URL, normalised to psycopg, or None when PostgreSQL is not offered."""
    url = os.environ.get("TEST_DATABASE_URL")
    return normalize_url(url) if url else None


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL whose connections use a new, empty schema; the schema is dropped on exit."""
    base = postgres_base_url()
    assert base is not None
    schema = f"lw_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def database_for(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database URL of the given backend ("sqlite" or "postgres")."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'leenwijzer.sqlite3'}"
        return
    with postgres_schema() as url:
        yield url
