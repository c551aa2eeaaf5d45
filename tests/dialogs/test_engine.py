"""The step function's interface as the storage, Telegram and web layers rely on it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from dialogs import command_descriptions, step
from dialogs.events import COMMANDS, ERASE_KEY, RECEIPT_KEY, Event
from dialogs.flow import FLOW, QUESTIONS
from dialogs.i18n import Translator
from tests.dialogs.sample_cases import COMPLETE

NOW = datetime(2024, 3, 15, 10)


@pytest.mark.parametrize(
    ("hint", "lang"), [("nl-BE", "nl"), ("fr", "fr"), ("de", "en"), (None, "en"), ("FR_be", "fr")]
)
def test_the_language_hint_is_used_for_a_new_conversation(hint: str | None, lang: str) -> None:
    state, _ = step(None, Event.start(lang=hint), NOW)
    assert state["lang"] == lang and state["done"] is False


def test_the_hint_does_not_override_a_chosen_language() -> None:
    state, _ = step(None, Event.start(lang="fr"), NOW)
    state, replies = step(state, Event.button("role.lender", lang="nl"), NOW)
    assert state["lang"] == "fr" and "Quand" in replies[0].text


def test_complete_prefill_gives_the_result_and_a_receipt() -> None:
    state, replies = step(None, Event.start(lang="nl", prefill=COMPLETE), NOW)
    assert state["done"] is True and state["mode"] == "result"
    receipt = state[RECEIPT_KEY]
    assert set(receipt) == {"rules_version", "closing_date", "case", "verdicts"}
    assert receipt["closing_date"] == "2024-03-15"
    assert receipt["case"]["loan"]["amount"] == "20000"
    assert receipt["verdicts"] == {
        "winwin": "eligible",
        "proxi": "not_eligible",
        "cofinanciering": "needs_info",
        "coup_de_pouce": "not_eligible",
    }
    assert "Winwinlening: mogelijk" in replies[0].text
    json.dumps(state)


def test_a_bad_prefill_field_is_dropped_and_named() -> None:
    case: dict[str, Any] = json.loads(json.dumps(COMPLETE))
    case["loan"]["amount"] = "-5"
    state, replies = step(None, Event.start(lang="en", prefill=case), NOW)
    assert "loan.amount" in replies[0].text
    assert "loan.amount" not in state["answers"]
    assert state["q"] == "role"  # not complete any more: who is asking decides what follows
    state, _ = step(state, Event.button("role.lender"), NOW)
    assert state["q"] == "loan.amount"


def test_a_prefilled_closing_date_near_the_end_of_the_calendar_is_dropped() -> None:
    """A closing date in 9999 would overflow the schedule: it is dropped, named, and
    asked again, instead of failing the turn."""
    case: dict[str, Any] = json.loads(json.dumps(COMPLETE))
    case["closing_date"] = "9999-12-31"
    state, replies = step(None, Event.start(lang="en", prefill=case), NOW)
    assert "closing_date" in replies[0].text
    assert "closing_date" not in state["answers"]
    assert state["done"] is False


def test_the_receipt_is_only_on_the_turn_of_the_result() -> None:
    state, _ = step(None, Event.start(lang="nl", prefill=COMPLETE), NOW)
    state.pop(RECEIPT_KEY)
    state, replies = step(state, Event.button("table.winwin"), NOW)
    assert RECEIPT_KEY not in state
    # the chat shows the schedule per year (2024 … 2032); the 96 instalments are in the PDF/CSV
    assert replies[0].table is not None and [r[0] for r in replies[0].table.rows] == [
        str(year) for year in range(2024, 2033)
    ]


def test_forget_needs_confirmation_then_erases() -> None:
    state, _ = step(None, Event.start(lang="en", prefill=COMPLETE), NOW)
    state, replies = step(state, Event.command("forget"), NOW)
    assert ERASE_KEY not in state and {b.key for b in replies[-1].buttons} == {
        "forget.yes",
        "forget.no",
    }
    state, replies = step(state, Event.button("forget.yes"), NOW)
    assert state[ERASE_KEY] is True and state["answers"] == {} and not state["done"]
    assert "erased" in replies[0].text


def test_command_descriptions_in_three_languages() -> None:
    for lang in ("nl", "fr", "en"):
        texts = command_descriptions(lang)
        assert set(texts) == {"start", *COMMANDS}
        assert all(texts.values())
    assert command_descriptions("nl")["back"] != command_descriptions("en")["back"]


def test_every_button_key_fits_telegram() -> None:
    tr = Translator("fr")
    keys = {f"edit.{field}" for field in QUESTIONS}
    for question in FLOW:
        keys |= {b.key for b in question.answer.buttons(tr, NOW)}
    assert all(k.isascii() and len(k.encode()) <= 64 for k in keys)


def test_the_state_stays_small() -> None:
    state, _ = step(None, Event.start(lang="nl"), NOW)
    for _ in range(100):
        state, _ = step(state, Event.typed("ja"), NOW)
        state, _ = step(state, Event.command("back"), NOW)
    assert len(json.dumps(state)) < 20_000


@pytest.mark.parametrize("key", ["doc.pdf.bogus", "doc.pdf", "doc.pdf.__init__", "doc.csv.."])
def test_a_forged_document_button_is_re_prompted(key: str) -> None:
    """Review finding: the regime name of a doc.* key was imported as a module."""
    state, _ = step(None, Event.start(lang="nl", prefill=COMPLETE), NOW)
    assert state["done"]
    after, replies = step(json.loads(json.dumps(state)), Event.button(key), NOW)
    assert "hoort bij een eerdere vraag" in replies[0].text
    assert after["answers"] == state["answers"]
