"""Property tests: any input at any point yields replies and a JSON-safe state."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs import step
from dialogs.engine import new_state
from dialogs.events import COMMANDS, Event
from dialogs.flow import FLOW, When

NOW = datetime(2024, 3, 15, 10)
FIELDS = [q.field for q in FLOW]
BUTTON_KEYS = [
    "yes",
    "no",
    "unknown",
    "back",
    "restart",
    "confirm",
    "summary",
    "zero",
    "today",
    "role.lender",
    "role.entrepreneur",
    "region.brussels",
    "form.company",
    "repay.bullet",
    "freq.monthly",
    "years.5",
    "lang.fr",
    "lang.xx",
    "edit.loan.amount",
    "edit.nonsense",
    "table.winwin",
    "forget.yes",
    "forget.no",
    "",
    "x" * 80,
]


def _state_at(field: str, role: str, lang: str) -> dict[str, Any]:
    """A conversation whose open question is `field`."""
    state = new_state(lang)
    state.update(role=role, mode="ask", q=field)
    state["answers"]["closing_date"] = "2024-03-15"
    if next(q for q in FLOW if q.field == field).when is When.PARTNER:
        state["draft"], state["partners"] = {"held_pct": "30"}, []
    return state


def _assert_turn(state: dict[str, Any], replies: list[Any]) -> None:
    assert replies and all(r.text.strip() for r in replies)
    assert json.loads(json.dumps(state)) == state
    for reply in replies:
        for button in reply.buttons:
            assert button.key.isascii() and len(button.key.encode()) <= 64


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    field=st.sampled_from(FIELDS),
    role=st.sampled_from(["lender", "entrepreneur"]),
    lang=st.sampled_from(["nl", "fr", "en"]),
    text=st.text(max_size=60),
)
def test_any_text_at_any_question_gets_a_reply(field: str, role: str, lang: str, text: str) -> None:
    state, replies = step(_state_at(field, role, lang), Event.typed(text), NOW)
    _assert_turn(state, replies)


events = st.one_of(
    st.builds(Event.typed, st.text(max_size=30)),
    st.builds(
        Event.typed,
        st.sampled_from(
            [
                "ja",
                "nee",
                "oui",
                "2000",
                "1000",
                "50k",
                "5",
                "4,5",
                "0",
                "?",
                "/back",
                "/language fr",
            ]
        ),
    ),
    st.builds(Event.button, st.sampled_from(BUTTON_KEYS)),
    st.builds(
        Event.command,
        st.sampled_from([*COMMANDS, "start", "bogus"]),
        st.none() | st.sampled_from(["nl", "fr", "en", "de"]),
    ),
    st.just(Event.start(lang="nl")),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(events, min_size=1, max_size=25), st.sampled_from(["nl", "fr", "en", None]))
def test_any_sequence_of_events_never_raises(sequence: list[Event], lang: str | None) -> None:
    state: dict[str, Any] | None = None
    for event in sequence:
        state, replies = step(state, event, NOW)
        _assert_turn(state, replies)
        state = json.loads(json.dumps(state))
        if state.pop("erase", None):
            state = None
        if state is not None:
            state.pop("receipt", None)


@pytest.mark.parametrize("garbage", [{}, {"v": 99}, {"v": 1, "lang": "de"}, "not a dict"])
def test_an_unreadable_state_starts_again(garbage: Any) -> None:
    state, replies = step(garbage, Event.typed("ja", lang="fr"), NOW)
    assert state["lang"] == "fr" and state["q"] == "role"
    assert "conversation précédente" in replies[0].text
