"""A three-question stand-in for `dialogs.step`, to test the widget's mechanics alone.

Real conversations are tested against the real dialog; this one keeps the widget tests
(reload, XSS, table, language switch) independent of the questionnaire's wording.
Questions: role (buttons) → amount (typed) → confirm (buttons) → result with a table.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any

from dialogs.events import Button, Event, Reply, Table

WORDS = {
    "en": {"role": "Who are you?", "amount": "How much?", "result": "Result"},
    "fr": {"role": "Qui êtes-vous ?", "amount": "Combien ?", "result": "Résultat"},
    "nl": {"role": "Wie bent u?", "amount": "Hoeveel?", "result": "Resultaat"},
}


def _role_question(lang: str) -> Reply:
    return Reply(
        WORDS[lang]["role"],
        buttons=[Button("role.lender", "Lender"), Button("role.entrepreneur", "Entrepreneur")],
    )


def step(
    state: dict[str, Any] | None, event: Event, now: datetime
) -> tuple[dict[str, Any], list[Reply]]:
    """Walk role → amount → confirm → result; echo typed text verbatim as plain text."""
    new = (
        copy.deepcopy(state) if state else {"lang": event.lang or "en", "at": "role", "done": False}
    )
    lang = str(new["lang"])
    if event.type == "start" or (event.type == "command" and event.name == "restart"):
        new.update(at="role", done=False)
        if event.prefill:
            known = json.dumps(event.prefill, sort_keys=True)
            return new, [Reply(f"Already known: {known}"), _role_question(lang)]
        return new, [_role_question(lang)]
    if event.type == "command" and event.name == "language" and event.arg in WORDS:
        new["lang"] = lang = str(event.arg)
        if new["at"] == "role":
            return new, [Reply(f"[{lang}]"), _role_question(lang)]
        return new, [Reply(f"[{lang}] {WORDS[lang].get(str(new['at']), '')}")]
    if new["at"] == "role" and event.type == "button":
        new["at"] = "amount"
        return new, [Reply(WORDS[lang]["amount"])]
    if new["at"] == "amount" and event.type == "text":
        new.update(at="confirm", amount=event.text)
        return new, [
            Reply(f"Amount: {event.text}\nConfirm?", buttons=[Button("confirm.yes", "Yes")])
        ]
    if new["at"] == "confirm" and event.type == "button":
        new.update(at="done", done=True)
        table = Table(
            columns=["#", "Date", "Capital"],
            rows=[["1", "2025-03-15", "5 000,00"], ["2", "2026-03-15", "5 000,00"]],
        )
        return new, [Reply(WORDS[lang]["result"], table=table)]
    return new, [Reply("?")]
