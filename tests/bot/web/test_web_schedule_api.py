"""`POST /api/v1/schedule`: the repayment table as a download, and a chat reply's document."""

from __future__ import annotations

import base64
import copy
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from web_fakes import healthy

from bot.settings import Settings
from bot.web.app import create_app
from bot.web.config import WebConfig
from dialogs.documents import document_request
from dialogs.events import Event, Reply
from rules import evaluate
from rules.digest import inputs_hash
from tests.dialogs.sample_cases import COMPLETE

SCHEDULE = "/api/v1/schedule"


def pdf_text(content: bytes) -> str:
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def test_a_pdf_in_dutch_with_its_file_name(client: TestClient) -> None:
    response = client.post(f"{SCHEDULE}?regime=winwin&format=pdf&lang=nl", json=COMPLETE)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        'attachment; filename="aflossingstabel-winwin-2024-03-15.pdf"'
    )
    assert response.headers["cache-control"] == "no-store"
    text = pdf_text(response.content)
    assert "Aflossingstabel: Winwinlening" in text and "3.852,68" in text
    assert inputs_hash(COMPLETE) in text


def test_a_csv_in_french_and_in_english(client: TestClient) -> None:
    fr = client.post(f"{SCHEDULE}?regime=winwin&format=csv&lang=fr", json=COMPLETE)
    assert fr.status_code == 200, fr.text
    assert fr.headers["content-type"] == "text/csv; charset=utf-8"
    assert "tableau-amortissement-winwin-2024-03-15.csv" in fr.headers["content-disposition"]
    assert fr.content.startswith("\ufeffN°;Date;Intérêts".encode())
    en = client.post(f"{SCHEDULE}?regime=winwin&format=csv&lang=en", json=COMPLETE)
    assert (
        en.content.decode("utf-8").splitlines()[1]
        == "1,2024-04-15,75.00,173.46,19826.54,22.50,52.50"
    )


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("regime=winwin&format=docx&lang=nl", ["query", "format"]),
        ("regime=winwin&lang=nl", ["query", "format"]),
        ("regime=winwin&format=pdf&lang=de", ["query", "lang"]),
        ("regime=nonsense&format=pdf&lang=nl", ["query", "regime"]),
        ("regime=WIN%20WIN&format=pdf", ["query", "regime"]),
    ],
)
def test_unknown_format_language_or_regime_is_422(
    client: TestClient, query: str, loc: list[str]
) -> None:
    response = client.post(f"{SCHEDULE}?{query}", json=COMPLETE)
    assert response.status_code == 422, response.text
    assert [e["loc"] for e in response.json()["detail"]] == [loc]


def test_a_bad_case_is_422_naming_the_field(client: TestClient) -> None:
    case = copy.deepcopy(COMPLETE)
    case["loan"]["amount"] = "-5"
    response = client.post(f"{SCHEDULE}?regime=winwin&format=pdf", json=case)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "loan", "amount"]


def test_a_regime_that_does_not_apply_is_409_with_the_reason_in_the_language(
    client: TestClient,
) -> None:
    response = client.post(f"{SCHEDULE}?regime=proxi&format=pdf&lang=fr", json=COMPLETE)
    assert response.status_code == 409
    body = response.json()
    assert body["reason"] == "not_eligible" and "prêt Proxi" in body["detail"]
    incomplete = copy.deepcopy(COMPLETE)
    del incomplete["loan"]["years"]
    response = client.post(f"{SCHEDULE}?regime=winwin&format=csv&lang=nl", json=incomplete)
    assert response.status_code == 409
    assert response.json()["reason"] == "needs_info" and "loan.years" in response.json()["missing"]


def test_openapi_documents_the_schedule_route(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/schedule"]["post"]
    assert set(operation["responses"]["200"]["content"]) == {"application/pdf", "text/csv"}
    assert {"409", "422", "413", "429"} <= set(operation["responses"])
    assert {p["name"] for p in operation["parameters"]} == {"regime", "format", "lang"}
    assert "requestBody" in operation


def test_a_chat_reply_carries_the_document_bytes_but_not_the_case(
    web_settings: Settings,
) -> None:
    document = document_request(evaluate(COMPLETE), COMPLETE, "winwin", "pdf", "fr")

    async def handle(
        _channel: str, _user: str, _event: Event, *, turn_id: str | None = None
    ) -> Any:
        class Turn:
            replies = [Reply("Voici", document=document)]
            lang = "fr"
            done = True

        return Turn()

    async def exists(_channel: str, _user: str) -> bool:
        return False

    app = create_app(
        web_settings,
        handle=handle,
        session_exists=exists,
        healthcheck=healthy,
        web_config=WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0),
    )
    with TestClient(app) as client:
        response = client.post("/api/v1/chat", json={"lang": "fr", "event": {"type": "start"}})
    assert response.status_code == 200, response.text
    sent = response.json()["replies"][0]["document"]
    assert set(sent) == {"format", "regime", "filename", "media_type", "data"}
    assert sent["filename"] == "tableau-amortissement-winwin-2024-03-15.pdf"
    assert "Tableau d'amortissement : prêt Winwin" in pdf_text(base64.b64decode(sent["data"]))
    assert "lender" not in response.text  # the case stays on the server
