"""The published OpenAPI (`/api/v1/openapi.json`) says what the API really validates.

Real requests are checked against the published request schemas both ways: a sample the
schema accepts gets past validation (no 422), one it refuses gets a 422. And every error
answer, an unparsable body included, is a 422 (or 413/415/429/500) in the documented shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator, FormatChecker

EVALUATE = "/api/v1/evaluate"
CHAT = "/api/v1/chat"
ERROR_CODES = {"413", "415", "422", "429", "500"}


@pytest.fixture
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def request_validator(document: dict[str, Any], path: str) -> Draft202012Validator:
    """A validator for the request body of `path`, references resolved in the document."""
    schema = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
    root = {**schema, "components": document["components"]}
    return Draft202012Validator(root, format_checker=FormatChecker())


def walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def test_money_and_percentages_are_documented_as_strings_never_numbers(
    document: dict[str, Any],
) -> None:
    schemas = document["components"]["schemas"]
    for name in ("Lender", "Borrower", "Partner", "Loan", "Project"):
        assert not [n for n in walk(schemas[name]) if n.get("type") == "number"], name
    amount = schemas["Loan"]["properties"]["amount"]
    kinds = [s.get("type") for s in walk(amount)]
    assert "string" in kinds and "number" not in kinds
    assert any("pattern" in s for s in walk(amount))


def test_the_chat_prefill_is_documented_as_an_evaluate_case(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    prefill = schemas["StartEvent"]["properties"]["prefill"]
    assert {"$ref": "#/components/schemas/Case"} in prefill["anyOf"]
    assert schemas["Case"]["additionalProperties"] is False
    assert set(schemas["Case"]["properties"]) == {
        "closing_date",
        "lender",
        "borrower",
        "loan",
        "project",
    }


@pytest.mark.parametrize("path", [EVALUATE, CHAT])
def test_every_error_answer_is_documented_with_its_body(
    document: dict[str, Any], path: str
) -> None:
    responses = document["paths"][path]["post"]["responses"]
    assert set(responses) == {"200", *ERROR_CODES}
    for code in ERROR_CODES:
        schema = responses[code]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorBody"}, code


@pytest.mark.parametrize("path", [EVALUATE, CHAT])
@pytest.mark.parametrize(
    ("body", "named"),
    [
        (b"{not json", "JSON"),
        (b"[" * 1000 + b"]" * 1000, "nested too deeply"),
        (b'{"a":' * 1000 + b"1" + b"}" * 1000, "nested too deeply"),
        (b'{"closing_date": "2024-03-15\xff"}', "UTF-8"),
        (b'{"loan": {"amount": 1' + b"0" * 5000 + b"}}", "JSON"),
        (b"[1, 2]", "object"),
        (b'"case"', "object"),
        (b"null", "object"),
    ],
)
def test_an_unparsable_or_non_object_body_is_a_422_naming_the_problem(
    client: TestClient, document: dict[str, Any], path: str, body: bytes, named: str
) -> None:
    response = client.post(path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail[0]["loc"][0] == "body"
    assert named.lower() in detail[0]["msg"].lower(), detail
    error_body = Draft202012Validator(
        {"$ref": "#/components/schemas/ErrorBody", "components": document["components"]}
    )
    assert not list(error_body.iter_errors(response.json()))


CASES: list[dict[str, Any]] = [
    {},
    {"closing_date": "2024-03-15"},
    {"closing_date": "1900-01-01"},
    {"closing_date": "2100-12-31"},
    {"closing_date": "2101-01-01"},
    {"closing_date": "1899-12-31"},
    {"closing_date": "9999-12-31"},
    {"closing_date": "2024-02-30"},
    {"closing_date": "15/03/2024"},
    {"lender": {"region": "brussels", "shareholding_pct": "4.25", "already_lent": "0"}},
    {"lender": {"region": "mars"}},
    {"lender": {"shareholding_pct": "100"}},
    {"lender": {"shareholding_pct": "100.0001"}},
    {"lender": {"shareholding_pct": 5}},
    {"lender": {"shareholding_pct": 5.5}},
    {"lender": {"natural_person": "yes"}},
    {"loan": {"amount": "20000", "rate_pct": "4.5", "years": 8}},
    {"loan": {"amount": 20000}},
    {"loan": {"amount": 20000.5}},
    {"loan": {"amount": "20000.505"}},
    {"loan": {"amount": "-5"}},
    {"loan": {"amount": "1e5"}},
    {"loan": {"amount": "1000000000000"}},
    {"loan": {"amount": "1000000000001"}},
    {"loan": {"amount": True}},
    {"loan": {"years": 51}},
    {"loan": {"years": "8"}},
    {"borrower": {"partners": [{"held_pct": "30", "staff": "40"}]}},
    {"borrower": {"partners": [{"staff": "40"}]}},
    {"project": {"pmv_amount": "150000", "pmv_years": 5}},
    {"surprise": 1},
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_evaluate_schema_and_validation_agree(
    client: TestClient, document: dict[str, Any], case: dict[str, Any]
) -> None:
    schema_accepts = request_validator(document, EVALUATE).is_valid(case)
    response = client.post(EVALUATE, json=case)
    assert response.status_code in (200, 422), response.text
    assert schema_accepts == (response.status_code == 200), response.text


CHAT_BODIES: list[dict[str, Any]] = [
    {"event": {"type": "start"}},
    {"lang": "fr", "event": {"type": "start", "prefill": None}},
    {"event": {"type": "text", "text": "50.000"}},
    {"event": {"type": "text", "text": ""}},
    {"event": {"type": "text", "text": "x" * 4001}},
    {"event": {"type": "button", "key": "region.brussels"}},
    {"event": {"type": "button", "key": "région"}},
    {"event": {"type": "command", "name": "language", "arg": "fr"}},
    {"event": {"type": "command", "name": "sudo"}},
    {"event": {"type": "dance"}},
    {"session": "short", "event": {"type": "start"}},
    {"lang": "de", "event": {"type": "start"}},
    {"sesion": "a" * 32, "event": {"type": "start"}},
    *({"event": {"type": "start", "prefill": case}} for case in CASES if case),
]


@pytest.mark.parametrize("body", CHAT_BODIES, ids=str)
def test_chat_schema_and_validation_agree(
    client: TestClient, document: dict[str, Any], body: dict[str, Any]
) -> None:
    schema_accepts = request_validator(document, CHAT).is_valid(body)
    response = client.post(CHAT, json=body)
    assert response.status_code in (200, 422), response.text
    assert schema_accepts == (response.status_code == 200), response.text
