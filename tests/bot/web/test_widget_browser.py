"""The widget's mechanics in real Chromium, on a scripted three-question dialog.

Reload-resume, XSS as text, keyboard-only use, language switch, restart, mobile width and
CSS isolation. The real questionnaire is driven in `test_widget_conversation_browser.py`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser import launch, requires_chromium
from live_server import live_server
from scripted_step import step

pytestmark = [pytest.mark.browser, requires_chromium]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with live_server(tmp_path_factory.mktemp("widget-db"), step=step) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from launch()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def open_widget(page: Any, base_url: str, lang: str = "en") -> None:
    page.goto(f"{base_url}/?lang={lang}")
    page.locator("#leenwijzer-widget .bubble").click()
    page.locator(".panel .msg.bot").first.wait_for()


def bot_texts(page: Any) -> list[str]:
    texts: list[str] = page.locator(".panel .msg.bot").all_text_contents()
    return texts


def test_xss_payload_is_shown_as_text_and_runs_nothing(page: Any, base_url: str) -> None:
    dialogs: list[str] = []

    def record(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", record)
    open_widget(page, base_url)
    page.get_by_role("button", name="Lender").click()
    page.get_by_text("How much?").wait_for()
    payload = '<img src=x onerror="window.__pwned=1;alert(1)"><script>window.__pwned=2</script>'
    page.get_by_label("Your answer").fill(payload)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Yes").wait_for()
    assert page.locator(".panel .msg.user").last.text_content() == payload
    assert bot_texts(page)[-1] == f"Amount: {payload}\nConfirm?"
    assert page.locator("#leenwijzer-widget img, #leenwijzer-widget script").count() == 0
    assert page.evaluate("window.__pwned === undefined")
    assert dialogs == []
    assert page.errors == []


def test_reload_mid_conversation_resumes_and_continues(page: Any, base_url: str) -> None:
    open_widget(page, base_url, "fr")
    page.get_by_role("button", name="Entrepreneur").click()
    page.get_by_text("Combien ?").wait_for()
    before = bot_texts(page)
    page.reload()
    page.locator(".panel .msg.bot").first.wait_for()
    assert page.locator(".panel").is_visible()
    assert bot_texts(page) == before
    assert page.locator(".panel .choice:not([disabled])").count() == 0  # old choices are spent
    page.get_by_label("Votre réponse").fill("50.000")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Yes").click()
    page.get_by_role("table").wait_for()
    assert "Résultat" in bot_texts(page)
    assert page.locator("table tbody tr").count() == 2
    assert page.locator("table th").all_text_contents() == ["#", "Date", "Capital"]


def test_keyboard_only(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/?lang=en")
    page.locator("#leenwijzer-widget .bubble").wait_for()
    bubble = page.get_by_role("button", name="Open the leenwijzer chat")
    for _ in range(30):  # tab through the page until the bubble has focus
        page.keyboard.press("Tab")
        if bubble.evaluate("b => b.getRootNode().activeElement === b"):
            break
    else:
        pytest.fail("the bubble is not reachable with Tab")
    assert bubble.get_attribute("aria-expanded") == "false"
    page.keyboard.press("Enter")
    first_choice = page.get_by_role("button", name="Lender")
    first_choice.wait_for()
    page.wait_for_function(
        "() => document.querySelector('#leenwijzer-widget').shadowRoot.activeElement"
        "?.textContent === 'Lender'"
    )
    page.keyboard.press("Enter")
    page.get_by_text("How much?").wait_for()
    page.wait_for_function(
        "() => document.querySelector('#leenwijzer-widget').shadowRoot.activeElement?.id"
        " === 'lw-input'"
    )
    page.keyboard.type("10000")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Yes").wait_for()
    page.keyboard.press("Escape")
    assert not page.locator(".panel").is_visible()
    assert bubble.get_attribute("aria-expanded") == "false"
    assert bubble.evaluate("b => b.getRootNode().activeElement === b")


def test_accessible_structure(page: Any, base_url: str) -> None:
    open_widget(page, base_url)
    log = page.locator(".panel [role=log]")
    assert log.get_attribute("aria-live") == "polite"
    assert page.get_by_role("dialog", name="leenwijzer").is_visible()
    for label in ("Your answer", "Language"):
        assert page.locator(".panel").get_by_label(label).count() == 1
    assert page.get_by_role("button", name="Close the chat").is_visible()
    assert page.get_by_role("button", name="Start again").is_visible()


def test_language_switch_relabels_and_tells_the_dialog(page: Any, base_url: str) -> None:
    open_widget(page, base_url, "en")
    page.locator(".panel").get_by_label("Language").select_option("nl")
    page.get_by_text("Wie bent u?").wait_for()
    assert page.get_by_role("button", name="Versturen").is_visible()
    assert page.locator(".panel").get_attribute("lang") == "nl"


def test_restart_clears_the_transcript(page: Any, base_url: str) -> None:
    open_widget(page, base_url)
    page.get_by_role("button", name="Lender").click()
    page.get_by_text("How much?").wait_for()
    page.get_by_role("button", name="Start again").click()
    page.get_by_role("button", name="Lender").wait_for()
    assert bot_texts(page) == ["Who are you?"]


def test_mobile_width(browser: Any, base_url: str) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True)
    page = context.new_page()
    try:
        open_widget(page, base_url)
        box = page.locator(".panel").bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert box["y"] >= 0 and box["y"] + box["height"] <= 640
        page.get_by_role("button", name="Lender").click()
        page.get_by_text("How much?").wait_for()
        page.get_by_label("Your answer").fill("5000")
        page.keyboard.press("Enter")
        page.get_by_role("button", name="Yes").click()
        page.get_by_role("table").wait_for()
        assert page.get_by_label("Your answer").is_visible()
    finally:
        context.close()


def test_host_page_css_does_not_leak_in(browser: Any, base_url: str) -> None:
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        page.goto(f"{base_url}/?lang=en")
        page.add_style_tag(
            content="* { color: rgb(255, 0, 0) !important; font-size: 40px !important; }"
            " button { display: none !important; }"
        )
        page.locator("#leenwijzer-widget .bubble").click()
        message = page.locator(".panel .msg.bot").first
        message.wait_for()
        color = message.evaluate("m => getComputedStyle(m).color")
        size = message.evaluate("m => getComputedStyle(m).fontSize")
        assert color != "rgb(255, 0, 0)"
        assert size != "40px"
        assert page.get_by_role("button", name="Lender").is_visible()
    finally:
        context.close()


def test_widget_source_size_is_small(base_url: str) -> None:
    import httpx

    body = httpx.get(f"{base_url}/widget.js").content
    assert len(body) < 30_000, f"widget.js grew to {len(body)} bytes"
