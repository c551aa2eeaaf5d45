"""Start-up work: the rules' parameters are read when the app is built, not on a request."""

from __future__ import annotations

from web_fakes import FakeHandle, healthy

from bot.settings import Settings
from bot.web.app import create_app
from bot.web.config import WebConfig
from rules.params import load_all, load_meta


def test_create_app_reads_the_parameter_files() -> None:
    load_all.cache_clear()
    load_meta.cache_clear()
    fake = FakeHandle()
    create_app(
        Settings(),
        handle=fake,
        session_exists=fake.exists,
        healthcheck=healthy,
        web_config=WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0),
    )
    assert load_all.cache_info().currsize == 1
    assert load_meta.cache_info().currsize == 1
