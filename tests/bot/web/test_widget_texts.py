"""The widget's texts come from the gettext catalogs, put into `/widget.js` by the server.

`static/widget.js` holds no text table of its own; the served script carries the nl, fr
and en texts as one JSON object in place of a placeholder, so the widget is still one
request and its words are translated (and checked for completeness) with the rest.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bot.web import pages
from bot.web.pages import (
    LANGUAGE_NAMES,
    WIDGET_TEXT,
    WIDGET_TEXT_PLACEHOLDER,
    build_widget_script,
)
from dialogs.i18n import Translator

TEMPLATE = resources.files("bot.web").joinpath("static/widget.js").read_text("utf-8")


def served_texts(script: str) -> Any:
    """The JSON object the server put where the placeholder was (`var TEXTS = {...};`)."""
    match = re.search(r"var TEXTS = (\{.*?\});\n", script)
    assert match, "no text table in the served widget"
    return json.loads(match.group(1))


def test_the_stored_script_has_one_placeholder_and_no_texts_of_its_own() -> None:
    assert TEMPLATE.count(WIDGET_TEXT_PLACEHOLDER) == 1
    for lang in ("nl", "fr"):
        for msgid in WIDGET_TEXT.values():
            translated = Translator(lang)(msgid)
            assert translated not in TEMPLATE, f"{translated!r} is written into widget.js"


def test_every_key_the_script_looks_up_has_a_text_and_none_is_unused() -> None:
    looked_up = set(re.findall(r'\bt\("(\w+)"\)', TEMPLATE))
    assert looked_up == set(WIDGET_TEXT)


def test_served_script_carries_the_catalog_texts(client: TestClient) -> None:
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert WIDGET_TEXT_PLACEHOLDER not in response.text
    table = served_texts(response.text)
    assert table["names"] == LANGUAGE_NAMES
    assert set(table["text"]) == {"nl", "fr", "en"}
    for lang, texts in table["text"].items():
        assert texts == {key: Translator(lang)(msgid) for key, msgid in WIDGET_TEXT.items()}
    assert table["text"]["fr"]["open"] == "Ouvrir le chat leenwijzer"
    assert table["text"]["nl"]["send"] == "Versturen"
    assert table["text"]["nl"]["table"] == "Aflossingstabel"  # glossary: repayment table
    assert table["text"]["fr"]["table"] == "Tableau d'amortissement"
    assert table["text"]["en"]["input"] == "Your answer"


def test_the_notice_placeholder_is_kept_in_every_language(client: TestClient) -> None:
    table = served_texts(client.get("/widget.js").text)
    for texts in table["text"].values():
        assert texts["tooMany"].count("{seconds}") == 1
    assert '.replace("{seconds}", wait)' in TEMPLATE


def test_the_texts_are_valid_javascript_string_content(monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON allows raw U+2028/U+2029 in strings; older JavaScript engines do not."""
    monkeypatch.setattr(pages, "WIDGET_TEXT", {"open": 'a\u2028b\u2029c "</script>'})
    script = build_widget_script(f"var TEXTS = {WIDGET_TEXT_PLACEHOLDER};\n").decode("utf-8")
    assert "\u2028" not in script and "\u2029" not in script
    assert served_texts(script)["text"]["en"]["open"] == 'a\u2028b\u2029c "</script>'


@pytest.mark.parametrize("template", ["var TEXTS = {};", 2 * WIDGET_TEXT_PLACEHOLDER])
def test_a_script_without_exactly_one_placeholder_is_refused(template: str) -> None:
    with pytest.raises(ValueError, match="placeholder"):
        build_widget_script(template)
