"""`POST /api/v1/evaluate`: the evaluate contract over HTTP, and field-level 422s."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from rules import evaluate, parse_case

EVALUATE = "/api/v1/evaluate"

CASE: dict[str, Any] = {
    "closing_date": "2024-03-15",
    "lender": {"region": "flanders", "natural_person": True},
    "borrower": {"legal_form": "company", "region": "flanders"},
    "loan": {
        "amount": "10000",
        "rate_pct": "2",
        "years": 5,
        "repayment": "bullet",
        "frequency": "annual",
    },
}


def test_answer_is_the_rules_core_answer(client: TestClient) -> None:
    response = client.post(EVALUATE, json=CASE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body == evaluate(parse_case(CASE))
    assert body["contract"] == "leenwijzer.evaluate/1"
    assert [r["regime"] for r in body["regimes"]] == [
        "winwin",
        "proxi",
        "cofinanciering",
        "coup_de_pouce",
    ]


def verdicts_over_http(client: TestClient, case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    response = client.post(EVALUATE, json=case)
    assert response.status_code == 200, response.text
    return {regime["regime"]: regime for regime in response.json()["regimes"]}


def failed_ids(regime: dict[str, Any]) -> set[str]:
    return {c["id"] for c in regime["conditions"] if c["status"] == "fail"}


def test_empty_case_needs_info_everywhere(client: TestClient) -> None:
    regimes = verdicts_over_http(client, {"closing_date": "2024-03-15"})
    assert {name: r["verdict"] for name, r in regimes.items()} == {
        "winwin": "needs_info",
        "proxi": "needs_info",
        "cofinanciering": "needs_info",
        "coup_de_pouce": "needs_info",
    }
    for name, regime in regimes.items():
        assert regime["missing"], f"{name}: needs_info must say what it needs"
        assert not failed_ids(regime), name
    assert "lender.region" in regimes["winwin"]["missing"]
    assert "lender.region" in regimes["proxi"]["missing"]
    assert "borrower.region" in regimes["cofinanciering"]["missing"]


def test_walloon_lender_fails_winwin_and_proxi_only(client: TestClient) -> None:
    """The tax-credit loans need a lender living in their region (Coup de Pouce: Wallonia);
    cofinanciering has no lender condition."""
    case = {"closing_date": "2024-03-15", "lender": {"region": "wallonia"}}
    regimes = verdicts_over_http(client, case)
    assert {name: r["verdict"] for name, r in regimes.items()} == {
        "winwin": "not_eligible",
        "proxi": "not_eligible",
        "cofinanciering": "needs_info",
        "coup_de_pouce": "needs_info",
    }
    assert "lender.region" not in failed_ids(regimes["coup_de_pouce"])
    for name in ("winwin", "proxi"):
        assert "lender.region" in failed_ids(regimes[name]), name
        assert regimes[name]["missing"] == [], f"{name}: a failed regime needs nothing more"
    assert regimes["cofinanciering"]["missing"]


@pytest.mark.parametrize(
    ("case", "loc"),
    [
        ({"closing_date": "15/03/2024"}, ["body", "closing_date"]),
        ({"closing_date": "9999-12-31"}, ["body", "closing_date"]),
        ({"lender": {"region": "mars"}}, ["body", "lender", "region"]),
        ({"loan": {"amount": "-5"}}, ["body", "loan", "amount"]),
        ({"loan": {"amount": "lots"}}, ["body", "loan", "amount"]),
        ({"loan": {"years": "five"}}, ["body", "loan", "years"]),
        ({"lender": {"favourite_colour": "blue"}}, ["body", "lender", "favourite_colour"]),
    ],
)
def test_bad_case_names_the_field(client: TestClient, case: dict[str, Any], loc: list[Any]) -> None:
    response = client.post(EVALUATE, json=case)
    assert response.status_code == 422, response.text
    assert loc in [error["loc"] for error in response.json()["detail"]]


def test_several_bad_fields_are_all_named(client: TestClient) -> None:
    response = client.post(EVALUATE, json={"lender": {"region": "mars"}, "loan": {"amount": "-5"}})
    locs = [error["loc"] for error in response.json()["detail"]]
    assert ["body", "lender", "region"] in locs
    assert ["body", "loan", "amount"] in locs


def test_body_must_be_an_object(client: TestClient) -> None:
    assert client.post(EVALUATE, json=["not", "a", "case"]).status_code == 422


def test_wrong_content_type_is_415(client: TestClient) -> None:
    response = client.post(
        EVALUATE,
        content=b"closing_date=2024-03-15",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 415


def test_openapi_publishes_both_contracts(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/evaluate", "/api/v1/chat"} <= set(document["paths"])
    evaluate_body = document["paths"]["/api/v1/evaluate"]["post"]["requestBody"]
    schema = evaluate_body["content"]["application/json"]["schema"]
    assert "lender" in schema["properties"]
    schemas = document["components"]["schemas"]
    assert "ChatRequest" in schemas and "ChatResponse" in schemas
    for ref_holder in (schema["properties"]["lender"],):
        refs = [part["$ref"] for part in ref_holder.get("anyOf", []) if "$ref" in part]
        for ref in refs:
            assert ref.rsplit("/", 1)[1] in schemas


def test_docs_page_is_self_contained(client: TestClient) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert "/api/v1/chat" in response.text
    assert "cdn" not in response.text.lower()
