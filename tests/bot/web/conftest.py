"""Fixtures for the web tests: an app on a fake conversation service, and its client."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

sys.path.insert(0, str(Path(__file__).parent))

from web_fakes import FakeHandle, healthy  # noqa: E402

from bot.settings import Settings  # noqa: E402
from bot.web.app import create_app  # noqa: E402
from bot.web.config import WebConfig  # noqa: E402

ALLOWED = "https://advisor.example"


@pytest.fixture
def fake_handle() -> FakeHandle:
    return FakeHandle()


@pytest.fixture
def web_settings() -> Settings:
    return Settings(LEENWIJZER_ALLOWED_ORIGINS=f"{ALLOWED}, https://other.example")


@pytest.fixture
def client(fake_handle: FakeHandle, web_settings: Settings) -> Iterator[TestClient]:
    app = create_app(
        web_settings,
        handle=fake_handle,
        session_exists=fake_handle.exists,
        healthcheck=healthy,
        web_config=WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0),
    )
    with TestClient(app) as test_client:
        yield test_client
