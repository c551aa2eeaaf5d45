"""Commands typed as text ("/back", "/start@bot payload", as Telegram sends them) act
exactly like the command events; the transports need not parse them."""

from __future__ import annotations

from datetime import datetime

import pytest

from dialogs import step
from dialogs.events import Event

NOW = datetime(2026, 11, 21, 12, 0)


def _texts(replies: list) -> list[str]:
    return [r.text for r in replies]


@pytest.mark.parametrize("typed", ["/start", "/start@leenwijzer_bot deep-link", "/START"])
def test_typed_start_opens_a_conversation_without_a_lost_one_notice(typed: str) -> None:
    by_text = step(None, Event.typed(typed, lang="fr"), NOW)
    by_command = step(None, Event.start(lang="fr"), NOW)
    assert _texts(by_text[1]) == _texts(by_command[1])
    assert "retrouvé" not in " ".join(_texts(by_text[1]))


@pytest.mark.parametrize(
    ("typed", "name", "arg"),
    [
        ("/back", "back", None),
        ("/Back@leenwijzer_bot", "back", None),
        ("/language fr", "language", "fr"),
        ("/restart", "restart", None),
        ("/help", "help", None),
        ("/advisor", "advisor", None),
    ],
)
def test_typed_commands_equal_command_events(typed: str, name: str, arg: str | None) -> None:
    state, _ = step(None, Event.start(lang="nl"), NOW)
    state, _ = step(state, Event.button("role.lender"), NOW)
    assert step(state, Event.typed(typed), NOW) == step(state, Event.command(name, arg), NOW)


def test_an_unknown_slash_word_is_an_answer_like_any_other_text() -> None:
    state, _ = step(None, Event.start(lang="en"), NOW)
    after_slash, replies = step(state, Event.typed("/unknown"), NOW)
    after_word, _ = step(state, Event.typed("unknown"), NOW)
    assert after_slash == after_word
    assert "Please choose one of the buttons." in replies[0].text
