"""An unexpected error in a route is a JSON 500 that passes the same guards as any answer:
security headers, CORS for the allowed origins (so the widget can read it and say so),
and the connection stays open."""

from __future__ import annotations

import http.client
import json
import logging
from urllib.parse import urlparse

import pytest
from conftest import ALLOWED
from fastapi.testclient import TestClient
from live_server import serving
from web_fakes import FailingHandle, healthy

from bot.settings import Settings
from bot.web.app import create_app
from bot.web.config import WebConfig

CHAT = "/api/v1/chat"
START = {"event": {"type": "start"}}
BOOM = {"event": {"type": "text", "text": "boom"}}


def failing_app(allowed: str = ALLOWED) -> object:
    """The app on a conversation service that fails on "boom"; `allowed` origins."""
    fake = FailingHandle()
    return create_app(
        Settings(LEENWIJZER_ALLOWED_ORIGINS=allowed),
        handle=fake,
        session_exists=fake.exists,
        healthcheck=healthy,
        web_config=WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0),
    )


def test_a_failing_route_answers_500_with_the_security_and_cors_headers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = TestClient(failing_app())  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        response = client.post(CHAT, json=BOOM, headers={"Origin": ALLOWED})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    assert response.json()["detail"][0]["type"] == "http_500"
    assert "database" not in response.text  # the reason is for the log, not the visitor
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-credentials"] == "true"
    assert any("the database went away" in (r.exc_text or "") for r in caplog.records)


def test_over_http_the_500_keeps_the_connection_open() -> None:
    with serving(failing_app()) as base_url:
        address = urlparse(base_url)
        connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=10)
        try:
            headers = {"Content-Type": "application/json", "Origin": ALLOWED}
            connection.request("POST", CHAT, body=json.dumps(BOOM), headers=headers)
            failed = connection.getresponse()
            body = json.loads(failed.read())
            assert failed.status == 500 and body["detail"][0]["type"] == "http_500"
            assert failed.getheader("connection") != "close"
            assert failed.getheader("access-control-allow-origin") == ALLOWED
            assert failed.getheader("x-content-type-options") == "nosniff"
            # the same connection serves the next turn
            connection.request("POST", CHAT, body=json.dumps(START), headers=headers)
            after = connection.getresponse()
            assert after.status == 200 and json.loads(after.read())["replies"]
        finally:
            connection.close()
