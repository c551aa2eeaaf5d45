"""Security and robustness: body cap, rate limit, CORS, headers, health check."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from conftest import ALLOWED
from fastapi.testclient import TestClient
from web_fakes import FakeHandle, broken, healthy, unhealthy

from bot.settings import Settings
from bot.web.app import create_app
from bot.web.config import WebConfig
from bot.web.ratelimit import TokenBucketLimiter, retry_after_header

CHAT = "/api/v1/chat"
START = {"event": {"type": "start"}}


def make_client(
    settings: Settings, config: WebConfig, handle: FakeHandle | None = None
) -> TestClient:
    fake = handle or FakeHandle()
    app = create_app(
        settings,
        handle=fake,
        session_exists=fake.exists,
        healthcheck=healthy,
        web_config=config,
    )
    return TestClient(app)


@pytest.fixture
def limited(web_settings: Settings) -> Iterator[TestClient]:
    config = WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0.001, LEENWIJZER_RATE_LIMIT_BURST=3)
    with make_client(web_settings, config) as test_client:
        yield test_client


def test_rate_limit_gives_429_with_retry_after(limited: TestClient) -> None:
    statuses = [limited.post(CHAT, json=START).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = limited.post(CHAT, json=START)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.json()["detail"][0]["loc"] == ["client"]


def test_rate_limit_covers_evaluate_but_not_pages(limited: TestClient) -> None:
    for _ in range(3):
        limited.post(CHAT, json=START)
    assert limited.post("/api/v1/evaluate", json={}).status_code == 429
    assert limited.get("/healthz").status_code == 200
    assert limited.get("/widget.js").status_code == 200


def test_rate_limited_answer_is_readable_cross_origin(limited: TestClient) -> None:
    for _ in range(3):
        limited.post(CHAT, json=START)
    refused = limited.post(CHAT, json=START, headers={"Origin": ALLOWED})
    assert refused.status_code == 429
    assert refused.headers["access-control-allow-origin"] == ALLOWED


def test_token_bucket_refills_with_time() -> None:
    now = [100.0]
    limiter = TokenBucketLimiter(per_second=2.0, burst=2, clock=lambda: now[0])
    assert [limiter.acquire("a"), limiter.acquire("a")] == [0.0, 0.0]
    wait = limiter.acquire("a")
    assert wait == pytest.approx(0.5)
    assert limiter.acquire("b") == 0.0  # buckets are per client
    now[0] += 0.5
    assert limiter.acquire("a") == 0.0
    assert retry_after_header(0.2) == "1"
    assert retry_after_header(2.1) == "3"


def test_token_bucket_table_is_bounded() -> None:
    limiter = TokenBucketLimiter(per_second=1.0, burst=1, max_clients=10)
    for n in range(100):
        limiter.acquire(f"10.0.0.{n}")
    assert len(limiter._buckets) == 10


def test_oversized_declared_body_is_413(web_settings: Settings) -> None:
    config = WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0, LEENWIJZER_MAX_BODY_BYTES=2048)
    handle = FakeHandle()
    with make_client(web_settings, config, handle) as test_client:
        response = test_client.post(CHAT, json={"event": {"type": "text", "text": "x" * 3000}})
        assert response.status_code == 413
        assert handle.calls == []


def test_oversized_streamed_body_is_413(web_settings: Settings) -> None:
    config = WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0, LEENWIJZER_MAX_BODY_BYTES=2048)

    def chunks() -> Iterator[bytes]:
        yield b'{"event": {"type": "text", "text": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}}'

    with make_client(web_settings, config) as test_client:
        response = test_client.post(
            CHAT, content=chunks(), headers={"content-type": "application/json"}
        )
        assert response.status_code == 413


def test_default_body_cap_is_64_kib(client: TestClient) -> None:
    big = {"event": {"type": "start", "prefill": {"pad": "x" * (64 * 1024)}}}
    assert client.post(CHAT, json=big).status_code == 413


def test_cors_preflight_for_listed_origin(client: TestClient) -> None:
    response = client.options(
        CHAT,
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert response.headers["access-control-allow-credentials"] == "true"


def test_cors_refuses_unlisted_origin(client: TestClient) -> None:
    evil = "https://evil.example"
    preflight = client.options(
        CHAT, headers={"Origin": evil, "Access-Control-Request-Method": "POST"}
    )
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    simple = client.post(CHAT, json=START, headers={"Origin": evil})
    assert "access-control-allow-origin" not in simple.headers


def test_no_cors_at_all_without_allowed_origins() -> None:
    config = WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0)
    with make_client(Settings(LEENWIJZER_ALLOWED_ORIGINS=""), config) as test_client:
        response = test_client.post(CHAT, json=START, headers={"Origin": ALLOWED})
        assert "access-control-allow-origin" not in response.headers


def test_page_headers(client: TestClient) -> None:
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"]


def test_api_headers(client: TestClient) -> None:
    response = client.post(CHAT, json=START)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_widget_is_served_as_script_usable_cross_origin(client: TestClient) -> None:
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/javascript")
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert response.headers["x-content-type-options"] == "nosniff"
    source = re.sub(r"/\*.*?\*/", "", response.text, flags=re.S)  # code, not comments
    assert not re.search(r"\.(inner|outer)HTML\b|insertAdjacentHTML|document\.write|eval\(", source)
    assert "attachShadow" in source
    assert "http://" not in source.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in source


@pytest.mark.parametrize(("check", "status"), [(healthy, 200), (unhealthy, 503), (broken, 503)])
def test_healthz(web_settings: Settings, check: object, status: int) -> None:
    fake = FakeHandle()
    app = create_app(
        web_settings,
        handle=fake,
        session_exists=fake.exists,
        healthcheck=check,  # type: ignore[arg-type]
        web_config=WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0),
    )
    with TestClient(app) as test_client:
        response = test_client.get("/healthz")
        assert response.status_code == status
        if status == 200:
            assert response.json() == {"status": "ok"}
