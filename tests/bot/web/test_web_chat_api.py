"""`POST /api/v1/chat`: the chat contract, sessions, and every bad-input class."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_fakes import FakeHandle

from bot.web.api import SESSION_COOKIE

CHAT = "/api/v1/chat"


def start(client: TestClient, **extra: Any) -> dict[str, Any]:
    response = client.post(CHAT, json={"lang": "fr", "event": {"type": "start"}, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_first_turn_returns_contract_shape_and_sets_session(
    client: TestClient, fake_handle: FakeHandle
) -> None:
    response = client.post(CHAT, json={"lang": "fr", "event": {"type": "start"}})
    body = response.json()
    assert set(body) == {"session", "lang", "replies", "done"}
    assert body["lang"] == "fr"
    assert body["done"] is False
    assert body["replies"] == [
        {
            "text": "Hello",
            "buttons": [
                {"key": "role.entrepreneur", "label": "Borrow"},
                {"key": "show.table", "label": "Table"},
            ],
        }
    ]
    channel, user_key, event = fake_handle.calls[0]
    assert (channel, user_key, event.type, event.lang) == ("web", body["session"], "start", "fr")


def test_session_cookie_is_httponly_and_lax(client: TestClient) -> None:
    response = client.post(CHAT, json={"event": {"type": "start"}})
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}={response.json()['session']}")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Path=/api/v1/" in cookie


def test_session_in_body_is_kept(client: TestClient, fake_handle: FakeHandle) -> None:
    session = start(client)["session"]
    client.cookies.clear()
    body = client.post(
        CHAT, json={"session": session, "event": {"type": "text", "text": "50.000"}}
    ).json()
    assert body["session"] == session
    assert body["replies"] == [{"text": "You said: 50.000"}]
    assert fake_handle.calls[-1][1] == session


def test_session_from_cookie_when_body_has_none(
    client: TestClient, fake_handle: FakeHandle
) -> None:
    session = start(client)["session"]
    body = client.post(CHAT, json={"event": {"type": "text", "text": "ja"}}).json()
    assert body["session"] == session
    assert fake_handle.calls[-1][1] == session


UNKNOWN = "madeUpByTheClient_0123456789"


def test_unknown_session_in_body_is_replaced_by_a_fresh_one(
    client: TestClient, fake_handle: FakeHandle
) -> None:
    response = client.post(CHAT, json={"session": UNKNOWN, "event": {"type": "text", "text": "ja"}})
    body = response.json()
    assert body["session"] != UNKNOWN
    assert len(body["session"]) >= 32
    assert fake_handle.calls[-1][1] == body["session"]
    assert response.cookies[SESSION_COOKIE] == body["session"]
    assert UNKNOWN not in fake_handle.langs


def test_unknown_session_in_cookie_is_replaced_by_a_fresh_one(
    client: TestClient, fake_handle: FakeHandle
) -> None:
    client.cookies.set(SESSION_COOKIE, UNKNOWN)
    response = client.post(CHAT, json={"event": {"type": "text", "text": "ja"}})
    body = response.json()
    assert body["session"] != UNKNOWN
    assert fake_handle.calls[-1][1] == body["session"]
    assert response.cookies[SESSION_COOKIE] == body["session"]


def test_unknown_body_session_wins_over_a_known_cookie(
    client: TestClient, fake_handle: FakeHandle
) -> None:
    known = start(client)["session"]
    body = client.post(
        CHAT, json={"session": UNKNOWN, "event": {"type": "text", "text": "ja"}}
    ).json()
    assert body["session"] not in (UNKNOWN, known)


def test_new_clients_get_distinct_unguessable_sessions(
    client: TestClient, fake_handle: FakeHandle
) -> None:
    first = start(client)["session"]
    client.cookies.clear()
    second = start(client)["session"]
    assert first != second
    assert len(first) >= 32


def test_malformed_cookie_is_ignored_not_trusted(
    client: TestClient, fake_handle: FakeHandle
) -> None:
    client.cookies.set(SESSION_COOKIE, "../../etc/passwd")
    body = start(client)
    assert body["session"] != "../../etc/passwd"


def test_table_and_done(client: TestClient) -> None:
    session = start(client)["session"]
    body = client.post(
        CHAT, json={"session": session, "event": {"type": "button", "key": "show.table"}}
    ).json()
    assert body["done"] is True
    assert body["replies"][0]["table"] == {"columns": ["n", "capital"], "rows": [["1", "100.00"]]}
    assert "buttons" not in body["replies"][0]


def test_command_language_switches_lang(client: TestClient, fake_handle: FakeHandle) -> None:
    session = start(client)["session"]
    body = client.post(
        CHAT,
        json={"session": session, "event": {"type": "command", "name": "language", "arg": "nl"}},
    ).json()
    assert body["lang"] == "nl"
    event = fake_handle.calls[-1][2]
    assert (event.type, event.name, event.arg) == ("command", "language", "nl")


def test_html_in_text_comes_back_as_json_text(client: TestClient) -> None:
    payload = "<img src=x onerror=alert(1)>"
    response = client.post(CHAT, json={"event": {"type": "text", "text": payload}})
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["replies"][0]["text"] == f"You said: {payload}"


def test_prefill_is_passed_on(client: TestClient, fake_handle: FakeHandle) -> None:
    prefill = {"borrower": {"region": "brussels"}}
    client.post(CHAT, json={"event": {"type": "start", "prefill": prefill}})
    assert fake_handle.calls[-1][2].prefill == prefill


def locs(response: Any) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [error["loc"] for error in response.json()["detail"]]


@pytest.mark.parametrize(
    ("body", "expected_loc"),
    [
        ({"event": {"type": "dance"}}, ["body", "event"]),
        ({}, ["body", "event"]),
        ({"event": {}}, ["body", "event"]),
        ({"event": {"type": "text"}}, ["body", "event", "text", "text"]),
        ({"event": {"type": "text", "text": ""}}, ["body", "event", "text", "text"]),
        ({"event": {"type": "text", "text": "x" * 4001}}, ["body", "event", "text", "text"]),
        ({"event": {"type": "button"}}, ["body", "event", "button", "key"]),
        ({"event": {"type": "button", "key": "k" * 65}}, ["body", "event", "button", "key"]),
        ({"event": {"type": "button", "key": "région"}}, ["body", "event", "button", "key"]),
        ({"event": {"type": "command"}}, ["body", "event", "command", "name"]),
        ({"event": {"type": "command", "name": "sudo"}}, ["body", "event", "command", "name"]),
        ({"lang": "de", "event": {"type": "start"}}, ["body", "lang"]),
        ({"session": "short", "event": {"type": "start"}}, ["body", "session"]),
        ({"session": 'x"><script>' * 3, "event": {"type": "start"}}, ["body", "session"]),
        (
            {"event": {"type": "start", "prefill": "brussels"}},
            ["body", "event", "start", "prefill"],
        ),
        ({"sesion": "a" * 32, "event": {"type": "start"}}, ["body", "sesion"]),
        ({"event": {"type": "start", "lang": "fr"}}, ["body", "event", "start", "lang"]),
        ({"event": {"type": "text", "text": "ja", "key": "x"}}, ["body", "event", "text", "key"]),
        (
            {"event": {"type": "button", "key": "k", "label": "K"}},
            ["body", "event", "button", "label"],
        ),
        (
            {"event": {"type": "command", "name": "back", "args": "x"}},
            ["body", "event", "command", "args"],
        ),
    ],
)
def test_bad_requests_get_field_level_422(
    client: TestClient, fake_handle: FakeHandle, body: dict[str, Any], expected_loc: list[Any]
) -> None:
    response = client.post(CHAT, json=body)
    assert expected_loc in locs(response)
    assert all("msg" in error for error in response.json()["detail"])
    assert fake_handle.calls == []


def test_text_of_exactly_4000_chars_is_accepted(client: TestClient) -> None:
    response = client.post(CHAT, json={"event": {"type": "text", "text": "x" * 4000}})
    assert response.status_code == 200


def test_button_key_of_64_ascii_bytes_is_accepted(client: TestClient) -> None:
    response = client.post(CHAT, json={"event": {"type": "button", "key": "k" * 64}})
    assert response.status_code == 200


def test_invalid_prefill_field_is_named(client: TestClient, fake_handle: FakeHandle) -> None:
    response = client.post(
        CHAT, json={"event": {"type": "start", "prefill": {"borrower": {"region": "mars"}}}}
    )
    assert ["body", "event", "prefill", "borrower", "region"] in locs(response)
    assert fake_handle.calls == []


def test_a_closing_date_out_of_range_in_the_prefill_is_named(
    client: TestClient, fake_handle: FakeHandle
) -> None:
    response = client.post(
        CHAT, json={"event": {"type": "start", "prefill": {"closing_date": "9999-12-31"}}}
    )
    assert ["body", "event", "prefill", "closing_date"] in locs(response)
    assert fake_handle.calls == []


def test_not_json_body_is_422(client: TestClient) -> None:
    response = client.post(CHAT, content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 422


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", ""])
def test_wrong_content_type_is_415(
    client: TestClient, fake_handle: FakeHandle, content_type: str
) -> None:
    response = client.post(
        CHAT, content=b'{"event": {"type": "start"}}', headers={"content-type": content_type}
    )
    assert response.status_code == 415
    assert response.json()["detail"][0]["loc"] == ["header", "content-type"]
    assert fake_handle.calls == []


def test_json_with_charset_is_fine(client: TestClient) -> None:
    response = client.post(
        CHAT,
        content=b'{"event": {"type": "start"}}',
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200
