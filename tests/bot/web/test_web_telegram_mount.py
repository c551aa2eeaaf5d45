"""`serve` runs the Telegram bot in the same process: started and stopped with the app,
its webhook route mounted only in webhook mode."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from web_fakes import FakeHandle, healthy

from bot.settings import Settings
from bot.web.app import create_app
from bot.web.config import WebConfig

WEBHOOK = "/telegram/webhook"


@dataclass
class FakeRunner:
    webhook_path: str = WEBHOOK
    events: list[str] = field(default_factory=list)

    async def start(self) -> None:
        self.events.append("start")

    async def stop(self) -> None:
        self.events.append("stop")

    async def handle_webhook(self, request: Request) -> Response:
        update = await request.json()
        self.events.append(f"update {update['update_id']}")
        return JSONResponse({"ok": True})


def build(settings: Settings, runner: FakeRunner) -> TestClient:
    fake = FakeHandle()
    app = create_app(
        settings,
        handle=fake,
        session_exists=fake.exists,
        healthcheck=healthy,
        web_config=WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0),
        telegram_runner=runner,
    )
    return TestClient(app)


def test_runner_starts_and_stops_with_the_app() -> None:
    runner = FakeRunner()
    with build(Settings(TELEGRAM_BOT_TOKEN="1:x"), runner) as client:
        assert runner.events == ["start"]
        assert client.get("/healthz").status_code == 200
    assert runner.events == ["start", "stop"]


def test_webhook_route_in_webhook_mode() -> None:
    runner = FakeRunner()
    settings = Settings(
        TELEGRAM_BOT_TOKEN="1:x", TELEGRAM_WEBHOOK_URL=f"https://bot.example{WEBHOOK}"
    )
    with build(settings, runner) as client:
        response = client.post(WEBHOOK, json={"update_id": 7})
        assert response.status_code == 200
    assert "update 7" in runner.events


def test_no_webhook_route_when_polling() -> None:
    runner = FakeRunner()
    with build(Settings(TELEGRAM_BOT_TOKEN="1:x"), runner) as client:
        assert client.post(WEBHOOK, json={"update_id": 7}).status_code in (404, 405)
    assert not any(event.startswith("update") for event in runner.events)


def test_real_runner_webhook_refuses_a_wrong_secret() -> None:
    from bot.telegram.runner import build_runner

    settings = Settings(
        TELEGRAM_BOT_TOKEN="1:x", TELEGRAM_WEBHOOK_URL="https://bot.example/tg/hook"
    )
    runner = build_runner(settings)
    assert runner is not None
    fake = FakeHandle()
    app = create_app(
        settings,
        handle=fake,
        session_exists=fake.exists,
        healthcheck=healthy,
        web_config=WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0),
        telegram_runner=runner,
    )
    client = TestClient(app)  # no lifespan: the runner never calls Telegram here
    response = client.post(
        "/tg/hook",
        json={"update_id": 1},
        headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize("library", ["ptb", "aiogram"])
@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1]",
        b'{"message": {"text": "hi"}}',
        b'{"update_id": "7", "message": {"text": "hi"}}',
        b'{"update_id": 7, "message": {"message_id": 1, "date": 0, "text": "hi",'
        b' "chat": {"id": "seven", "type": "private"}}}',
    ],
)
def test_real_runner_webhook_acknowledges_a_malformed_update_without_a_turn(
    library: str, body: bytes, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from bot import service
    from bot.telegram.runner import build_runner, webhook_secret

    turns: list[object] = []

    async def no_turn(*args: object, **kwargs: object) -> None:
        turns.append(args)
        raise AssertionError("a malformed update must not become a turn")

    monkeypatch.setattr(service, "handle", no_turn)
    settings = Settings(
        TELEGRAM_BOT_TOKEN="1:x",
        TELEGRAM_LIBRARY=library,
        TELEGRAM_WEBHOOK_URL="https://bot.example/tg/hook",
    )
    runner = build_runner(settings)
    assert runner is not None
    fake = FakeHandle()
    app = create_app(
        settings,
        handle=fake,
        session_exists=fake.exists,
        healthcheck=healthy,
        web_config=WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0),
        telegram_runner=runner,
    )
    client = TestClient(app)  # no lifespan: the runner never calls Telegram here
    with caplog.at_level(logging.WARNING):
        response = client.post(
            "/tg/hook",
            content=body,
            headers={
                "X-Telegram-Bot-Api-Secret-Token": webhook_secret(settings),
                "Content-Type": "application/json",
            },
        )
    assert response.status_code == 200
    assert turns == []
    (line,) = [r for r in caplog.records if r.name.startswith("bot.")]
    assert "malformed" in line.getMessage() and line.exc_info is None
