"""Full conversations in the widget, in real Chromium, on the real dialog and storage.

A person's path is played by clicking the offered buttons and typing free text into the
widget; which answer to give is decided from the button keys of the last chat response
(keys are stable, labels are translated). Set LEENWIJZER_SCREENSHOTS=1 to refresh
`docs/widget-result.png` from the French result.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import launch, requires_chromium
from live_server import live_server

pytestmark = [pytest.mark.browser, requires_chromium]

DOCS = Path(__file__).resolve().parents[3] / "docs"
CHAT_URL = re.compile(r".*/api/v1/chat$")
#: Questions answered "yes"; every other yes/no question gets "no".
YES_QUESTION = re.compile(
    r"personne physique|natuurlijke persoon|natural person|activité économique|"
    r"economische activiteit|economic activity",
    re.IGNORECASE,
)
STAFF_QUESTION = re.compile(r"\b(ETP|VTE|FTE)\b")
RATE_QUESTION = re.compile(r"taux d'intérêt|rentevoet|interest rate", re.IGNORECASE)
YEARS_QUESTION = re.compile(r"durée|looptijd|duration", re.IGNORECASE)
#: How a person types 10,000 euros in each language (Belgian habits).
AMOUNT = {"nl": "€ 10.000", "fr": "10 000", "en": "10,000"}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("conversation-db")) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


def choose(reply: dict[str, Any], lang: str, role: str, region: str) -> tuple[str, str]:
    """The answer to the last reply: ("button", key) or ("text", what to type)."""
    keys = [button["key"] for button in reply.get("buttons", [])]
    question = reply["text"]
    if "yes" in keys:
        return ("button", "yes" if YES_QUESTION.search(question) else "no")
    for key in (role, "today", region, "form.company", "repay.annuity", "freq.annual"):
        if key in keys:
            return ("button", key)
    for key in ("confirm", "zero"):
        if key in keys:
            return ("button", key)
    if STAFF_QUESTION.search(question):
        return ("text", "5")
    if RATE_QUESTION.search(question):
        return ("text", "3" if lang == "en" else "3,0")
    if YEARS_QUESTION.search(question):
        return ("text", "5")
    return ("text", AMOUNT[lang])


def act(page: Any, reply: dict[str, Any], action: tuple[str, str]) -> dict[str, Any]:
    """Click the button or type the text in the widget; return the next chat response."""
    kind, value = action
    with page.expect_response(CHAT_URL) as response_info:
        if kind == "button":
            label = next(b["label"] for b in reply["buttons"] if b["key"] == value)
            page.locator(".panel .choice:not([disabled])").filter(
                has_text=re.compile(f"^{re.escape(label)}$")
            ).first.click()
        else:
            page.locator("#lw-input").fill(value)
            page.keyboard.press("Enter")
    response = response_info.value
    assert response.status == 200, response.text()
    body: dict[str, Any] = response.json()
    wait_idle(page)
    return body


def wait_idle(page: Any) -> None:
    """Until the widget has rendered the last response (it ignores input while busy)."""
    page.locator('.panel [role=log][aria-busy="false"]').wait_for(state="attached")


def converse(
    page: Any, base_url: str, lang: str, role: str, region: str, *, reload_at: int
) -> dict[str, Any]:
    """Open the demo page, talk until the result; reload the page at turn `reload_at`."""
    page.goto(f"{base_url}/?lang={lang}")
    with page.expect_response(CHAT_URL) as first:
        page.locator("#leenwijzer-widget .bubble").click()
    body: dict[str, Any] = first.value.json()
    wait_idle(page)
    assert body["lang"] == lang
    for turn in range(80):
        if body["done"]:
            return body
        if turn == reload_at:
            before = page.locator(".panel .msg").all_text_contents()
            page.reload()
            page.locator(".panel .msg").first.wait_for()
            assert page.locator(".panel .msg").all_text_contents() == before
        reply = body["replies"][-1]
        body = act(page, reply, choose(reply, lang, role, region))
    pytest.fail("no result after 80 turns")


def show_table(page: Any, body: dict[str, Any], regime: str) -> None:
    reply = body["replies"][-1]
    act(page, reply, ("button", f"table.{regime}"))
    page.locator(".panel table").wait_for()


def test_dutch_conversation_to_a_winwin_result(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="nl-BE")
    page = context.new_page()
    try:
        body = converse(page, base_url, "nl", "role.lender", "region.flanders", reload_at=6)
        text = "\n".join(reply["text"] for reply in body["replies"])
        assert "✅ Winwinlening" in text
        assert "geen juridisch of fiscaal advies" in text
        show_table(page, body, "winwin")
        assert page.locator(".panel table tbody tr").count() >= 5
        assert page.locator(".panel").get_attribute("lang") == "nl"
    finally:
        context.close()


def test_french_conversation_to_a_proxi_result(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="fr-BE")
    page = context.new_page()
    try:
        body = converse(page, base_url, "fr", "role.lender", "region.brussels", reload_at=10)
        text = "\n".join(reply["text"] for reply in body["replies"])
        assert "✅ Prêt Proxi" in text
        assert "pas un conseil juridique ou fiscal" in text
        show_table(page, body, "proxi")
        rows = page.locator(".panel table tbody tr")
        assert rows.count() >= 5
        target = DOCS if os.environ.get("LEENWIJZER_SCREENSHOTS") == "1" else None
        if target is not None:
            page.locator(".panel table").scroll_into_view_if_needed()
            page.locator(".panel").screenshot(path=str(target / "widget-result.png"))
            page.screenshot(path=str(target / "widget-demo-page.png"))
    finally:
        context.close()


def test_the_repayment_table_downloads_as_a_pdf_in_the_widget(browser: Any, base_url: str) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    context = browser.new_context(
        viewport={"width": 1100, "height": 900}, locale="nl-BE", accept_downloads=True
    )
    page = context.new_page()
    try:
        body = converse(page, base_url, "nl", "role.lender", "region.flanders", reload_at=-1)
        body = act(page, body["replies"][-1], ("button", "doc.pdf.winwin"))
        sent = body["replies"][0]["document"]
        assert sent["format"] == "pdf" and "case" not in sent
        link = page.locator(".panel a.doc").last
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename == sent["filename"]
        assert sent["filename"].startswith("aflossingstabel-winwin-")
        content = Path(download.path()).read_bytes()
        text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(content)).pages)
        assert "Aflossingstabel: Winwinlening" in text and "PMV" in text
        assert "geen juridisch of fiscaal advies" in text
    finally:
        context.close()
