"""Behind the shipped proxy: per-visitor rate limit and `Secure` cookie need trusted headers.

uvicorn applies X-Forwarded-For/-Proto only from `FORWARDED_ALLOW_IPS`. These tests put
uvicorn's own proxy-headers middleware in front of the app, as `leenwijzer serve` does,
and check deploy/compose.yaml trusts the proxy container.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from fastapi.testclient import TestClient
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from web_fakes import FakeHandle, healthy

from bot.settings import Settings
from bot.web.app import create_app
from bot.web.config import WebConfig

CHAT = "/api/v1/chat"
START = {"event": {"type": "start"}}
COMPOSE = Path(__file__).resolve().parents[3] / "deploy" / "compose.yaml"


def proxied_client(trusted: str) -> TestClient:
    """The app behind uvicorn's proxy-headers handling, one request per visitor's burst."""
    fake = FakeHandle()
    app = create_app(
        Settings(),
        handle=fake,
        session_exists=fake.exists,
        healthcheck=healthy,
        web_config=WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0.001, LEENWIJZER_RATE_LIMIT_BURST=1),
    )
    return TestClient(ProxyHeadersMiddleware(app, trusted_hosts=trusted))  # type: ignore[arg-type]


def post_as(client: TestClient, visitor: str, proto: str = "http") -> Any:
    headers = {"X-Forwarded-For": visitor, "X-Forwarded-Proto": proto}
    return client.post(CHAT, json=START, headers=headers)


def test_trusted_proxy_gives_each_visitor_a_bucket() -> None:
    with proxied_client("*") as client:
        assert post_as(client, "198.51.100.1").status_code == 200
        assert post_as(client, "198.51.100.2").status_code == 200
        assert post_as(client, "198.51.100.1").status_code == 429


def test_untrusted_proxy_makes_every_visitor_share_one_bucket() -> None:
    """What happened before compose set FORWARDED_ALLOW_IPS: the proxy is the one client."""
    with proxied_client("127.0.0.1") as client:
        assert post_as(client, "198.51.100.1").status_code == 200
        assert post_as(client, "198.51.100.2").status_code == 429


def test_cookie_is_secure_when_the_trusted_proxy_says_https() -> None:
    with proxied_client("*") as client:
        secure = post_as(client, "198.51.100.1", proto="https").headers["set-cookie"]
        plain = post_as(client, "198.51.100.2", proto="http").headers["set-cookie"]
    assert "Secure" in secure
    assert "Secure" not in plain


def test_compose_web_service_trusts_the_proxy() -> None:
    services = yaml.safe_load(COMPOSE.read_text("utf-8"))["services"]
    environment = services["web"]["environment"]
    assert environment["FORWARDED_ALLOW_IPS"] == "${FORWARDED_ALLOW_IPS:-*}"
    assert environment["DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "ports" not in services["web"], "'*' is only safe while no port is published"
