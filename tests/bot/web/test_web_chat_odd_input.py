"""POST /api/v1/chat with huge amounts, forged buttons and a failing step (issue 8).

Against the real service, storage (temp SQLite) and dialog: each of these answered 500.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot import service
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.config import WebConfig
from dialogs import step
from dialogs.events import Event, Reply
from dialogs.i18n import Translator
from tests.dialogs.sample_cases import COMPLETE

CHAT = "/api/v1/chat"
TOO_LARGE = "That amount is too large to be right."
EARLIER = "That button belongs to an earlier question."
SORRY = "Sorry, something went wrong with that answer. Could you try again?"


def breaking_step(
    state: dict[str, Any] | None, event: Event, now: datetime
) -> tuple[dict[str, Any], list[Reply]]:
    """The real dialog, except that the text "boom" raises (a bug nobody foresaw)."""
    if event.type == "text" and event.text == "boom":
        raise ZeroDivisionError("a bug in the dialog")
    return step(state, event, now)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    service.configure(f"sqlite:///{tmp_path / 'chat.sqlite3'}", step=breaking_step)
    app = create_app(Settings(), web_config=WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0))
    with TestClient(app) as test_client:
        yield test_client
    service.engine().dispose()


def post(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(CHAT, json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def asked(client: TestClient, lang: str, without: str) -> dict[str, Any]:
    """A lender's conversation whose open question is the complete case's `without` field."""
    section, name = without.split(".")
    prefill = copy.deepcopy(COMPLETE)
    del prefill[section][name]
    started = post(client, {"lang": lang, "event": {"type": "start", "prefill": prefill}})
    return post(
        client,
        {
            "session": started["session"],
            "lang": lang,
            "event": {"type": "button", "key": "role.lender"},
        },
    )


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
@pytest.mark.parametrize("typed", ["1" * 27, "1" * 24 + "k"])
def test_a_huge_amount_gets_a_re_prompt_not_a_500(
    client: TestClient, lang: str, typed: str
) -> None:
    question = asked(client, lang, "loan.amount")
    body = {"session": question["session"], "event": {"type": "text", "text": typed}}
    answer = post(client, body)
    assert answer["replies"][0]["text"].startswith(Translator(lang)(TOO_LARGE))
    assert answer["replies"][-1]["text"].endswith(question["replies"][-1]["text"])
    # the question is still open: a sensible amount is taken
    body["event"] = {"type": "text", "text": "20k"}
    assert Translator(lang).money("20000") in post(client, body)["replies"][0]["text"]


@pytest.mark.parametrize("key", ["years.0", "years.51", "years.999999", "years.31", "years.50"])
def test_a_forged_years_button_is_refused_not_a_500(client: TestClient, key: str) -> None:
    question = asked(client, "fr", "loan.years")
    body = {"session": question["session"], "event": {"type": "button", "key": key}}
    answer = post(client, body)
    assert answer["replies"][0]["text"].startswith(Translator("fr")(EARLIER))
    body["event"] = {"type": "button", "key": "years.8"}
    assert "8 ans" in post(client, body)["replies"][0]["text"]


def test_a_failing_turn_gets_an_apology_and_the_question_again(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    question = asked(client, "nl", "loan.amount")
    body = {"session": question["session"], "event": {"type": "text", "text": "boom"}}
    answer = post(client, body)
    (reply,) = answer["replies"]
    assert reply["text"] == Translator("nl")(SORRY) + "\n\n" + question["replies"][-1]["text"]
    assert answer["lang"] == "nl" and answer["session"] == question["session"]
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(logged) == 1 and "web" in logged[0].getMessage()
    body["event"] = {"type": "text", "text": "20000"}
    assert "20.000,00" in post(client, body)["replies"][0]["text"]  # nothing was lost
