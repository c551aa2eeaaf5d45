"""`turn` on `POST /api/v1/chat`: a re-sent event gets the same answer and is applied once.

The defect: a web answer lost on the way, the widget sent "12" (the staff) again, and it
became the turnover. The repro runs on the real dialog and storage, on SQLite and (when
TEST_DATABASE_URL is set) PostgreSQL; the validation of `turn` on the fake service.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_fakes import FakeHandle

from bot.settings import Settings
from bot.web.app import create_app
from bot.web.config import WebConfig
from tests.bot.storage.db_fixtures import BACKENDS, database_for, postgres_base_url
from tests.dialogs.sample_cases import COMPLETE

CHAT = "/api/v1/chat"


@pytest.fixture(params=BACKENDS)
def real_client(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    """The real service (real `dialogs.step`) on a fresh database of each backend."""
    from bot import service

    if request.param == "postgres" and postgres_base_url() is None:
        pytest.skip("TEST_DATABASE_URL not set")
    with database_for(request.param, tmp_path) as url:
        service.configure(url)
        app = create_app(Settings(), web_config=WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0))
        with TestClient(app) as client:
            yield client
        service.engine().dispose()


def post(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(CHAT, json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def stored_answers(session: str) -> dict[str, Any]:
    from sqlmodel import Session, select

    from bot import service
    from bot.storage.models import Conversation

    with Session(service.engine()) as db:
        query = select(Conversation).where(Conversation.user_key == session)
        conversation = db.exec(query).one()
    return dict(conversation.state["answers"])


def at_the_staff_question(client: TestClient) -> str:
    """A conversation whose next question is the staff, then the turnover; its session."""
    case = copy.deepcopy(COMPLETE)
    del case["borrower"]["staff"], case["borrower"]["turnover"]
    first = post(client, {"lang": "en", "turn": "1", "event": {"type": "start", "prefill": case}})
    session = str(first["session"])
    role = {"type": "button", "key": "role.entrepreneur"}
    asked = post(client, {"session": session, "turn": "2", "event": role})
    assert "full-time equivalents" in asked["replies"][-1]["text"]
    return session


def test_staff_sent_twice_with_the_same_turn_does_not_become_the_turnover(
    real_client: TestClient,
) -> None:
    session = at_the_staff_question(real_client)
    twelve = {"session": session, "turn": "3", "event": {"type": "text", "text": "12"}}
    first = post(real_client, twelve)
    again = post(real_client, twelve)
    assert "turnover" in first["replies"][-1]["text"]
    assert again == first
    answers = stored_answers(session)
    assert answers["borrower.staff"] == "12"
    assert "borrower.turnover" not in answers


def test_the_same_text_with_another_turn_is_applied(real_client: TestClient) -> None:
    session = at_the_staff_question(real_client)
    post(real_client, {"session": session, "turn": "3", "event": {"type": "text", "text": "12"}})
    post(real_client, {"session": session, "turn": "4", "event": {"type": "text", "text": "12"}})
    answers = stored_answers(session)
    assert (answers["borrower.staff"], answers["borrower.turnover"]) == ("12", "12")


def test_the_same_turn_in_another_session_is_applied(real_client: TestClient) -> None:
    one = at_the_staff_question(real_client)
    real_client.cookies.clear()
    two = at_the_staff_question(real_client)
    assert one != two
    for session, staff in ((one, "12"), (two, "7")):
        text = {"type": "text", "text": staff}
        post(real_client, {"session": session, "turn": "3", "event": text})
    assert stored_answers(one)["borrower.staff"] == "12"
    assert stored_answers(two)["borrower.staff"] == "7"


@pytest.mark.parametrize(
    "turn",
    ["x" * 65, "tür", "", "a\nb", 7, {"id": 1}],
    ids=["too-long", "non-ascii", "empty", "control", "number", "object"],
)
def test_an_invalid_turn_is_a_422_naming_it(
    client: TestClient, fake_handle: FakeHandle, turn: Any
) -> None:
    body: dict[str, Any] = {"lang": "fr", "turn": turn, "event": {"type": "start"}}
    response = client.post(CHAT, json=body)
    assert response.status_code == 422, response.text
    locs = [error["loc"] for error in response.json()["detail"]]
    assert ["body", "turn"] in locs
    assert fake_handle.calls == []


def test_a_64_character_turn_reaches_the_service(
    client: TestClient, fake_handle: FakeHandle
) -> None:
    turn = "T-" + "9" * 62
    response = client.post(CHAT, json={"lang": "fr", "turn": turn, "event": {"type": "start"}})
    assert response.status_code == 200, response.text
    assert fake_handle.turn_ids == [turn]
    client.post(CHAT, json={"lang": "fr", "event": {"type": "start"}})
    assert fake_handle.turn_ids == [turn, None]


def test_the_openapi_documents_turn(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    turn = document["components"]["schemas"]["ChatRequest"]["properties"]["turn"]
    described = str(turn)
    assert "maxLength" in described or "pattern" in described
    assert "same replies" in described
