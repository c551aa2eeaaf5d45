"""A little of `bench/fuzz.py` in every run: 300 fuzzed chat turns and 100 malformed cases
(plus 30 schedule requests), seeded, in-process against the real app and storage.

The full fuzz (20,000 turns, 3,000 cases, a real server on both databases) is run on
demand; this keeps its generators working and catches the obvious regressions: no 5xx,
no status outside the contract, no exception logged (the chat's crash-proof turn answers
200 with an apology, so the log is where a dialog defect shows).
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient

from bot.settings import Settings
from bot.web.app import create_app
from bot.web.config import WebConfig
from tests.bot.storage.db_fixtures import BACKENDS, database_for, postgres_base_url

ROOT = Path(__file__).resolve().parent.parent


def load_fuzz() -> ModuleType:
    """`bench/fuzz.py` as a module (bench/ is scripts, not a package)."""
    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location("fuzz", ROOT / "bench" / "fuzz.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["fuzz"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=BACKENDS)
def client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    from bot import service

    if request.param == "postgres" and postgres_base_url() is None:
        pytest.skip("TEST_DATABASE_URL not set")
    with database_for(request.param, tmp_path) as url:
        service.configure(url)
        app = create_app(Settings(), web_config=WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0))
        with TestClient(app, raise_server_exceptions=False) as test_client:
            yield test_client
        service.engine().dispose()


def test_fuzz_smoke(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    fuzz = load_fuzz()
    plan = fuzz.Plan(turns=300, cases=100, schedules=30, cli_cases=0, threads=4, seed=5)
    tally = fuzz.Tally()
    with caplog.at_level(logging.ERROR):
        # One shared client: TestClient runs the app in its own portal, and the workers'
        # `with client` would close it; a no-op context keeps it open for all of them.
        budget = fuzz.run_fuzz(lambda: _Shared(client), plan, tally)
    assert not budget.timed_out
    assert (tally.turns, tally.cases, tally.schedules) == (300, 100, 30)
    assert tally.server_errors == 0, tally.failures
    assert tally.failure_count == 0, tally.failures
    logged = [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert not logged, [r.getMessage() for r in logged]
    statuses = {status for (_, status) in tally.statuses}
    assert {200, 413, 415, 422} <= statuses  # the fuzz reached the refusals, not only 200s


class _Shared:
    """The test client for a worker, without closing it when the worker is done."""

    def __init__(self, client: TestClient):
        self.client = client

    def __enter__(self) -> TestClient:
        return self.client

    def __exit__(self, *_: object) -> None:
        return None
