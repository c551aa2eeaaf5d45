"""The demo page: its language, the embed snippet, and no user input reflected as HTML."""

from __future__ import annotations

from html import escape

import pytest
from fastapi.testclient import TestClient

from bot.web.pages import DEMO_TEXT, embed_snippet, negotiate_language
from dialogs.i18n import Translator
from dialogs.render import regime_list


@pytest.mark.parametrize(
    ("query", "header", "expected"),
    [
        ("fr", None, "fr"),
        ("nl", "fr-BE,fr;q=0.9", "nl"),
        (None, "fr-BE,fr;q=0.9,en;q=0.5", "fr"),
        (None, "de-DE,de;q=0.9,nl;q=0.5,fr;q=0.4", "nl"),
        (None, "en;q=0.2,fr;q=0.8", "fr"),
        (None, "nl;q=0,fr;q=0.1", "fr"),
        (None, "de", "en"),
        (None, None, "en"),
        ("xx", "garbage;;;q=abc", "en"),
    ],
)
def test_language_negotiation(query: str | None, header: str | None, expected: str) -> None:
    assert negotiate_language(query, header) == expected


@pytest.mark.parametrize(
    ("lang", "phrase"),
    [("nl", "Zet hem op uw website"), ("fr", "Intégrez-le à votre site"), ("en", "Put it on")],
)
def test_demo_page_in_each_language(client: TestClient, lang: str, phrase: str) -> None:
    response = client.get(f"/?lang={lang}")
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.text
    assert phrase in response.text
    assert f'<script src="/widget.js" data-lang="{lang}" async></script>' in response.text
    assert response.headers["content-language"] == lang


@pytest.mark.parametrize("lang", ["nl", "fr"])
def test_demo_page_texts_come_from_the_catalogs(client: TestClient, lang: str) -> None:
    text = client.get(f"/?lang={lang}").text
    tr = Translator(lang)
    for msgid in DEMO_TEXT.values():
        translated = tr(msgid, regimes=regime_list(tr))
        assert translated != msgid, f"untranslated in {lang}: {msgid}"
        assert escape(translated) in text


def test_demo_page_names_the_products_as_the_agencies_do(client: TestClient) -> None:
    french = client.get("/?lang=fr").text
    assert "(prêt Winwin, prêt Proxi, cofinancement PMV et prêt Coup de Pouce)" in french
    assert "Winwinlening" not in french
    dutch = client.get("/?lang=nl").text
    assert "(Winwinlening, Proxi-lening, Cofinanciering van PMV en Coup de Pouce-lening)" in dutch


def test_demo_page_follows_accept_language(client: TestClient) -> None:
    response = client.get("/", headers={"Accept-Language": "fr-BE,fr;q=0.9"})
    assert '<html lang="fr">' in response.text


def test_demo_page_shows_the_one_line_snippet(client: TestClient) -> None:
    response = client.get("/?lang=nl")
    escaped = (
        "&lt;script src=&quot;http://testserver/widget.js&quot; data-lang=&quot;nl&quot; "
        "async&gt;&lt;/script&gt;"
    )
    assert escaped in response.text
    assert embed_snippet("https://host/", "fr") == (
        '<script src="https://host/widget.js" data-lang="fr" async></script>'
    )


def test_hostile_query_is_not_reflected(client: TestClient) -> None:
    payload = "<script>alert(1)</script>"
    response = client.get("/", params={"lang": payload})
    assert payload not in response.text
    assert "alert(1)" not in response.text


def test_page_has_no_inline_script_or_style(client: TestClient) -> None:
    text = client.get("/").text
    assert "<style" not in text
    assert "<script>" not in text
    assert " style=" not in text
