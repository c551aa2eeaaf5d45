"""Triage tests run on SQLite always and on PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.storage.db_fixtures import BACKENDS, database_for, postgres_base_url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "postgres" and postgres_base_url() is None:
        pytest.skip("TEST_DATABASE_URL not set")
    with database_for(request.param, tmp_path) as url:
        yield url
