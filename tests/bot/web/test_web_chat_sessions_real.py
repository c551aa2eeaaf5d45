"""Sessions against the REAL service, storage (temp SQLite) and dialog, not the fake handle.

The chat contract: an unknown or expired session starts a new conversation and says so
in the first reply. The client never chooses the key its conversation is stored under.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.settings import Settings
from bot.web.api import SESSION_COOKIE
from bot.web.app import create_app
from bot.web.config import WebConfig
from bot.web.sessions import conversation_exists_sync
from dialogs.i18n import Translator

CHAT = "/api/v1/chat"
UNKNOWN = "madeUpByTheClient_0123456789"
NOT_FOUND = "I could not find our earlier conversation, so let us start again."


@pytest.fixture
def real_client(tmp_path: Path) -> Iterator[TestClient]:
    from bot import service

    service.configure(f"sqlite:///{tmp_path / 'sessions.sqlite3'}")  # the real dialogs.step
    app = create_app(Settings(), web_config=WebConfig(LEENWIJZER_RATE_LIMIT_PER_SECOND=0))
    with TestClient(app) as client:
        yield client


def turn(client: TestClient, body: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """POST one turn; the JSON body and the session cookie it set."""
    response = client.post(CHAT, json=body)
    assert response.status_code == 200, response.text
    reply: dict[str, Any] = response.json()
    return reply, response.cookies.get(SESSION_COOKIE)


def not_found_in(lang: str) -> str:
    text = Translator(lang)(NOT_FOUND)
    if lang != "en":
        assert text != NOT_FOUND, f"the {lang} catalog lacks the message"
    return text


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_unknown_session_starts_a_new_one_and_says_so(real_client: TestClient, lang: str) -> None:
    body, cookie = turn(
        real_client, {"session": UNKNOWN, "lang": lang, "event": {"type": "text", "text": "ja"}}
    )
    session = body["session"]
    assert session != UNKNOWN
    assert cookie == session
    assert body["lang"] == lang
    assert body["replies"][0]["text"].startswith(not_found_in(lang))
    assert not conversation_exists_sync("web", UNKNOWN)
    assert conversation_exists_sync("web", session)

    real_client.cookies.clear()
    again, _ = turn(
        real_client, {"session": session, "lang": lang, "event": {"type": "text", "text": "ja"}}
    )
    assert again["session"] == session
    assert not any(not_found_in(lang) in reply["text"] for reply in again["replies"])


def test_unknown_session_in_cookie_starts_a_new_one(real_client: TestClient) -> None:
    real_client.cookies.set(SESSION_COOKIE, UNKNOWN)
    body, cookie = turn(
        real_client, {"lang": "fr", "event": {"type": "button", "key": "role.entrepreneur"}}
    )
    assert body["session"] != UNKNOWN
    assert cookie == body["session"]
    assert body["replies"][0]["text"].startswith(not_found_in("fr"))
    assert not conversation_exists_sync("web", UNKNOWN)


def test_start_with_unknown_session_gets_a_fresh_id_and_a_plain_greeting(
    real_client: TestClient,
) -> None:
    body, _ = turn(real_client, {"session": UNKNOWN, "lang": "nl", "event": {"type": "start"}})
    assert body["session"] != UNKNOWN
    assert not any(not_found_in("nl") in reply["text"] for reply in body["replies"])


def test_a_stored_session_is_kept(real_client: TestClient) -> None:
    first, _ = turn(real_client, {"lang": "fr", "event": {"type": "start"}})
    real_client.cookies.clear()
    second, cookie = turn(
        real_client,
        {"session": first["session"], "event": {"type": "button", "key": "role.entrepreneur"}},
    )
    assert second["session"] == first["session"] == cookie
    assert not any(not_found_in("fr") in reply["text"] for reply in second["replies"])


def test_after_forget_the_old_session_is_unknown(real_client: TestClient) -> None:
    first, _ = turn(real_client, {"lang": "fr", "event": {"type": "start"}})
    session = first["session"]
    turn(real_client, {"session": session, "event": {"type": "command", "name": "forget"}})
    turn(real_client, {"session": session, "event": {"type": "button", "key": "forget.yes"}})
    assert not conversation_exists_sync("web", session)

    after, cookie = turn(
        real_client, {"session": session, "lang": "fr", "event": {"type": "text", "text": "oui"}}
    )
    assert after["session"] != session
    assert cookie == after["session"]
    assert after["replies"][0]["text"].startswith(not_found_in("fr"))
