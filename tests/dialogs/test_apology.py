"""`dialogs.apology`: what a person reads when a turn failed unexpectedly (issue 8).

The storage layer calls it with the unchanged state when `step` raised; it must never
raise itself, whatever the state.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs import apology, step
from dialogs.engine import SORRY, SORRY_RESTART, new_state
from dialogs.events import Event
from dialogs.flow import FLOW
from dialogs.i18n import Translator

NOW = datetime(2024, 3, 15, 10)


def test_the_apology_is_translated() -> None:
    for lang, word in (("nl", "Sorry, er ging iets mis"), ("fr", "Désolé")):
        assert Translator(lang)(SORRY).startswith(word)
        assert Translator(lang)(SORRY_RESTART) != SORRY_RESTART


def test_without_a_conversation_it_apologises_in_the_hinted_language() -> None:
    assert [r.text for r in apology(None, Event.typed("x", lang="fr-BE"), NOW)] == [
        Translator("fr")(SORRY)
    ]
    assert [r.text for r in apology("garbage", Event.typed("x"), NOW)] == [SORRY]  # type: ignore[arg-type]


def test_it_asks_the_current_question_again_with_its_buttons() -> None:
    state, asked = step(None, Event.start(lang="nl"), NOW)
    state, asked = step(state, Event.button("role.lender"), NOW)
    kept = copy.deepcopy(state)
    (reply,) = apology(state, Event.typed("x"), NOW)
    assert reply.text == Translator("nl")(SORRY) + "\n\n" + asked[-1].text
    assert reply.buttons == asked[-1].buttons
    assert state == kept  # the caller's state is not touched


def test_a_state_that_cannot_be_prompted_suggests_restart() -> None:
    state = new_state("fr")
    state["q"] = "no.such.question"
    (reply,) = apology(state, Event.typed("x"), NOW)
    assert reply.text == Translator("fr")(SORRY_RESTART)
    # and /restart does work from there
    state, replies = step(state, Event.command("restart"), NOW)
    assert state["q"] == "role" and replies


junk = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    field=st.sampled_from([q.field for q in FLOW]),
    mode=st.sampled_from(["ask", "summary", "result", "forget"]),
    key=st.sampled_from(["q", "answers", "unknown", "draft", "partners", "role", "history"]),
    value=junk,
)
def test_it_never_raises_whatever_the_state(field: str, mode: str, key: str, value: Any) -> None:
    state: dict[str, Any] = new_state("nl")
    state.update(role="lender", mode=mode, q=field)
    state[key] = value
    replies = apology(state, Event.typed("x"), NOW)
    assert replies and all(r.text.startswith("Sorry") for r in replies[:1])
