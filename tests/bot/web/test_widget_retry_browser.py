"""The widget's turn ids in real Chromium: a lost answer is fetched again, never re-applied.

Playwright stands between the widget and the server: it forwards a request, lets the
server process it, and then drops the answer (a connection reset), as a flaky mobile
network does. The widget must send the same event again with the same `turn`, show the
answer once, and the server must have applied it once (the scripted dialog answers "?"
to an amount typed twice).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from browser import launch, requires_chromium
from live_server import live_server
from scripted_step import step

pytestmark = [pytest.mark.browser, requires_chromium]

CHAT_URL = re.compile(r".*/api/v1/chat$")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("retry-db"), step=step) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def open_at_amount(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/?lang=en")
    page.locator("#leenwijzer-widget .bubble").click()
    page.get_by_role("button", name="Lender").click()
    page.get_by_text("How much?").wait_for()


def bot_texts(page: Any) -> list[str]:
    texts: list[str] = page.locator(".panel .msg.bot").all_text_contents()
    return texts


def stored_state(session: str) -> dict[str, Any]:
    from sqlmodel import Session, select

    from bot import service
    from bot.storage.models import Conversation

    with Session(service.engine()) as db:
        query = select(Conversation).where(Conversation.user_key == session)
        return dict(db.exec(query).one().state)


def session_of(page: Any) -> str:
    saved = page.evaluate("() => JSON.stringify(window.localStorage)")
    (value,) = [v for k, v in json.loads(saved).items() if k.startswith("leenwijzer:")]
    return str(json.loads(value)["session"])


def test_a_dropped_answer_is_fetched_again_with_the_same_turn(page: Any, base_url: str) -> None:
    sent: list[dict[str, Any]] = []
    dropped: list[str] = []

    def flaky(route: Any) -> None:
        body = json.loads(route.request.post_data or "{}")
        sent.append(body)
        response = route.fetch()  # the server processes the turn
        if body["event"]["type"] == "text" and not dropped:
            dropped.append(body["turn"])
            route.abort("connectionreset")  # … and its answer never arrives
            return
        route.fulfill(response=response)

    open_at_amount(page, base_url)
    page.route(CHAT_URL, flaky)
    page.get_by_label("Your answer").fill("5000")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Yes").wait_for()

    texts = [body for body in sent if body["event"]["type"] == "text"]
    assert len(texts) == 2
    assert texts[0] == texts[1]
    assert texts[0]["turn"] == dropped[0]
    assert bot_texts(page)[-1] == "Amount: 5000\nConfirm?"
    assert bot_texts(page).count("Amount: 5000\nConfirm?") == 1
    assert "?" not in bot_texts(page)
    assert page.locator(".panel .msg.user").all_text_contents().count("5000") == 1
    assert page.locator(".panel .msg.sys").count() == 0  # no "offline" notice
    state = stored_state(session_of(page))
    assert (state["at"], state["amount"]) == ("confirm", "5000")
    assert page.errors == []


def test_each_event_has_its_own_turn(page: Any, base_url: str) -> None:
    sent: list[dict[str, Any]] = []

    def record(route: Any) -> None:
        sent.append(json.loads(route.request.post_data or "{}"))
        route.continue_()

    page.route(CHAT_URL, record)
    open_at_amount(page, base_url)
    page.get_by_label("Your answer").fill("5000")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Yes").wait_for()
    turns = [body["turn"] for body in sent]
    assert len(turns) == 3
    assert len(set(turns)) == 3
    assert all(isinstance(t, str) and 1 <= len(t) <= 64 and t.isascii() for t in turns)


def test_a_network_that_stays_down_ends_in_offline_after_a_few_tries(
    page: Any, base_url: str
) -> None:
    open_at_amount(page, base_url)
    sent: list[dict[str, Any]] = []

    def down(route: Any) -> None:
        sent.append(json.loads(route.request.post_data or "{}"))
        route.abort("internetdisconnected")

    page.route(CHAT_URL, down)
    page.get_by_label("Your answer").fill("5000")
    page.keyboard.press("Enter")
    page.locator(".panel .msg.sys").wait_for(timeout=15_000)
    assert 2 <= len(sent) <= 5
    assert len({body["turn"] for body in sent}) == 1
    assert page.locator(".panel .msg.sys").count() == 1

    page.unroute(CHAT_URL)
    page.get_by_label("Your answer").fill("6000")
    with page.expect_request(CHAT_URL) as later:
        page.keyboard.press("Enter")
    assert json.loads(later.value.post_data)["turn"] != sent[0]["turn"]
    page.get_by_role("button", name="Yes").wait_for()
    assert bot_texts(page)[-1] == "Amount: 6000\nConfirm?"
