"""Huge, odd and forged input: a specific re-prompt in the user's language, never an exception.

Issue 8: a 27-digit amount (or "1" * 24 + "k") crashed `quantize`; "years.0", "years.51"
and "years.999999" crashed or were accepted although no question offered them. Every
answer kind is tried here with text no one should type, and every question with button
keys it did not offer.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs import step
from dialogs.amounts import NumberError, NumberKind, parse_number, parse_whole_years
from dialogs.engine import Turn, new_state
from dialogs.events import Event
from dialogs.flow import FLOW, QUESTIONS, When
from dialogs.i18n import Translator

NOW = datetime(2024, 3, 15, 10)
LANGS = ("nl", "fr", "en")
EARLIER = "That button belongs to an earlier question."

#: Text no one should type at a question: huge numbers, exponents, special values,
#: very long strings, digits of other scripts.
ODD_TEXTS = [
    "1" * 27,
    "1" * 24 + "k",
    "1" * 27 + ",55",
    "9" * 28 + " mio",
    "€ " + "9" * 40,
    "1e30",
    "1E5",
    "NaN",
    "nan",
    "sNaN",
    "Infinity",
    "-Infinity",
    "inf",
    "9" * 10_000,
    "5" * 5_000,
    "1." + "000." * 2_000 + "000",
    "1," + "0" * 5_000,
    "0," + "0" * 5_000 + "1",
    "a" * 10_000 + "!",
    "!" * 10_000 + "a",
    "1" + " " * 10_000 + "x",
    "1/" + " " * 5_000 + "/x",
    "k" * 5_000,
    "²",
    "٣",
    "１２",
    "\x00",
    "\u202e1000",
]


def _state_at(field: str, role: str, lang: str) -> dict[str, Any]:
    """A conversation whose open question is `field`."""
    state = new_state(lang)
    state.update(role=role, mode="ask", q=field)
    state["answers"]["closing_date"] = "2024-03-15"
    if QUESTIONS[field].when is When.PARTNER:
        state["draft"], state["partners"] = {"held_pct": "30"}, []
    return state


def _offered(state: dict[str, Any]) -> set[str]:
    """The button keys the open question shows (what a client could press now)."""
    turn = Turn(copy.deepcopy(state), NOW)
    turn.prompt()
    return {b.key for reply in turn.replies for b in reply.buttons}


# -- numbers ------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["nl_BE", "fr_BE", "en"])
@pytest.mark.parametrize("kind", list(NumberKind))
@pytest.mark.parametrize(
    "typed", ["1" * 27, "1" * 24 + "k", "1" * 27 + ",55", "9" * 10_000, "€ " + "9" * 40]
)
def test_a_huge_number_is_too_large_not_an_exception(
    locale: str, kind: NumberKind, typed: str
) -> None:
    with pytest.raises(NumberError) as caught:
        parse_number(typed, kind, locale)
    assert caught.value.code == "large"


def test_many_decimals_are_read_exactly_not_rounded() -> None:
    # 29 significant digits: the default 28-digit context would round this to 1
    with pytest.raises(NumberError) as caught:
        parse_number("1," + "0" * 27 + "1", NumberKind.MONEY, "nl_BE")
    assert caught.value.code == "decimals"
    assert parse_number("1," + "0" * 5_000, NumberKind.MONEY, "nl_BE") == 1


def test_a_huge_number_of_years_is_out_of_range_not_an_exception() -> None:
    # int() refuses strings of more than 4300 digits (CPython's conversion limit)
    with pytest.raises(NumberError) as caught:
        parse_whole_years("5" * 5_000)
    assert caught.value.code == "large"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("nl", "Dat bedrag is te groot om te kloppen."),
        ("fr", "Ce montant est trop élevé pour être correct."),
        ("en", "That amount is too large to be right."),
    ],
)
@pytest.mark.parametrize("typed", ["1" * 27, "1" * 24 + "k"])
def test_the_27_digit_amount_gets_a_re_prompt_in_the_users_language(
    lang: str, expected: str, typed: str
) -> None:
    state = _state_at("loan.amount", "lender", lang)
    after, replies = step(state, Event.typed(typed), NOW)
    assert after == state  # nothing answered
    assert replies[0].text.startswith(expected)


@pytest.mark.parametrize("typed", ["1" * 27, "9" * 10_000])
@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("borrower.staff", "Dat getal is te groot om te kloppen."),
        ("loan.rate_pct", "Een percentage ligt tussen 0 en 100."),
        ("loan.years", "Geef een aantal jaren tussen 1 en 30."),
    ],
)
def test_huge_numbers_for_counts_percentages_and_years(
    typed: str, field: str, expected: str
) -> None:
    state = _state_at(field, "lender", "nl")
    after, replies = step(state, Event.typed(typed), NOW)
    assert after == state
    assert replies[0].text.startswith(expected)


@pytest.mark.parametrize("typed", ODD_TEXTS, ids=lambda t: repr(t[:12]) + f"-{len(t)}")
@pytest.mark.parametrize("field", [q.field for q in FLOW])
def test_odd_text_at_every_question_is_re_prompted_or_read(field: str, typed: str) -> None:
    state = _state_at(field, "entrepreneur", "fr")
    after, replies = step(state, Event.typed(typed), NOW)
    assert replies and all(r.text.strip() for r in replies)
    assert json.loads(json.dumps(after)) == after


# -- buttons --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["years.0", "years.51", "years.999999", "years.31", "years.50", "years.7", "years."]
)
@pytest.mark.parametrize("lang", LANGS)
def test_forged_years_buttons_are_refused(key: str, lang: str) -> None:
    state = _state_at("loan.years", "lender", lang)
    assert key not in _offered(state)
    after, replies = step(state, Event.button(key), NOW)
    assert after == state
    assert replies[0].text.startswith(Translator(lang)(EARLIER))


def test_the_offered_years_buttons_still_answer() -> None:
    state = _state_at("loan.years", "lender", "nl")
    assert {"years.5", "years.8", "years.10"} <= _offered(state)
    after, _ = step(state, Event.button("years.8"), NOW)
    assert after["answers"]["loan.years"] == 8


def test_the_grace_years_question_offers_none_and_refuses_year_buttons() -> None:
    state = _state_at("loan.grace_years", "lender", "nl")
    assert "zero" in _offered(state)
    for key in ("years.1", "years.5", "years.9"):
        after, _ = step(state, Event.button(key), NOW)
        assert after == state
    after, _ = step(state, Event.button("zero"), NOW)
    assert after["answers"]["loan.grace_years"] == 0


@pytest.mark.parametrize("field", [q.field for q in FLOW])
def test_every_offered_key_answers_its_question(field: str) -> None:
    state = _state_at(field, "entrepreneur", "nl")
    for key in _offered(state) - {"back"}:
        after, _ = step(state, Event.button(key), NOW)
        assert after != state, key


#: The engine's own key families: valid at any question (commands), or checked by the
#: engine against its own state (summary, result, /forget).
GLOBAL = ("back", "restart", "help", "advisor", "forget", "lang.", "summary", "edit.", "table.")

keys = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=64),
    st.builds(lambda n: f"years.{n}", st.integers(min_value=-5, max_value=10**30)),
    st.builds(
        lambda prefix, rest: prefix + rest,
        st.sampled_from(
            [
                "years.",
                "edit.",
                "table.",
                "lang.",
                "forget.",
                "role.",
                "region.",
                "form.",
                "repay.",
                "freq.",
            ]
        ),
        st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20),
    ),
    st.sampled_from(["zero", "today", "yes", "no", "unknown", "confirm", "forget.maybe"]),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    field=st.sampled_from([q.field for q in FLOW]),
    role=st.sampled_from(["lender", "entrepreneur"]),
    lang=st.sampled_from(LANGS),
    key=keys,
)
def test_a_key_the_question_did_not_offer_is_refused_and_changes_nothing(
    field: str, role: str, lang: str, key: str
) -> None:
    state = _state_at(field, role, lang)
    after, replies = step(state, Event.button(key), NOW)
    assert replies and all(r.text.strip() for r in replies)
    if key in _offered(state) or key.startswith(GLOBAL):
        return
    assert after == state
    assert replies[0].text.startswith(Translator(lang)(EARLIER))


def _forget_state(lang: str) -> dict[str, Any]:
    state, _ = step(_state_at("loan.amount", "lender", lang), Event.command("forget"), NOW)
    assert state["mode"] == "forget"
    return state


@pytest.mark.parametrize("key", ["forget.", "forget.maybe", "forget.yes ", "forget.YES"])
def test_a_forged_forget_key_neither_erases_nor_declines(key: str) -> None:
    state = _forget_state("fr")
    after, replies = step(state, Event.button(key), NOW)
    assert after == state
    assert replies[0].text.startswith(Translator("fr")(EARLIER))


def test_edit_keys_are_those_the_summary_offered() -> None:
    state = _state_at("loan.amount", "lender", "nl")
    # loan.amount is not answered: the summary would offer no "edit.loan.amount"
    for key in ("edit.borrower.turnover", "edit.partner.more", "edit.nonsense", "edit."):
        after, replies = step(state, Event.button(key), NOW)
        assert after == state, key
        assert replies[0].text.startswith(Translator("nl")(EARLIER))
    answered = copy.deepcopy(state)
    answered["answers"]["lender.region"] = "flanders"
    after, _ = step(answered, Event.button("edit.lender.region"), NOW)
    assert after["q"] == "lender.region"


def _summary_state() -> dict[str, Any]:
    """A conversation at its summary (every question answered)."""
    state = _state_at("loan.amount", "lender", "en")
    state["answers"].update({"lender.region": "flanders", "loan.amount": "20000"})
    state.update(mode="summary", q=None)
    return state


def _state_in(mode: str) -> dict[str, Any]:
    state = _summary_state()
    if mode == "result":
        state, _ = step(state, Event.button("confirm"), NOW)
        state.pop("receipt", None)
    elif mode == "forget":
        state, _ = step(state, Event.command("forget"), NOW)
    assert state["mode"] == mode
    return state


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=keys, mode=st.sampled_from(["summary", "result", "forget"]))
def test_any_key_in_the_summary_the_result_or_forget_never_raises(key: str, mode: str) -> None:
    state = _state_in(mode)
    after, replies = step(state, Event.button(key), NOW)
    assert replies and all(r.text.strip() for r in replies)
    if key in _offered(state) or key.startswith(GLOBAL[:6]):
        return
    assert after == state, key


@pytest.mark.parametrize("field", ["lender.shareholding_pct", "loan.amount", "borrower.region"])
def test_a_null_prefill_field_is_not_known_rather_than_an_answer(field: str) -> None:
    """Found by bench/fuzz.py: a prefilled `null` (valid: "not known yet") was stored as
    an answer, and the summary then crashed on it (`Decimal(None)`) at the next edit button."""
    from tests.dialogs.sample_cases import COMPLETE

    prefill = copy.deepcopy(COMPLETE)
    section, name = field.split(".")
    prefill[section][name] = None
    state, _ = step(None, Event.start(lang="en", prefill=prefill), NOW)
    assert field not in state["answers"]
    for key in ("role.lender", "edit.nonsense", "edit." + field):
        state, replies = step(state, Event.button(key), NOW)
        assert replies
