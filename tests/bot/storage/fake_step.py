"""A tiny stand-in for `dialogs.step`: it records every answer, so a lost one shows.

Text "result" produces a receipt and ends the conversation; "/forget" then "yes" erases.
Importable by module path so worker processes (spawn) can use it too.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any, cast

from dialogs.events import ERASE_KEY, RECEIPT_KEY, Event, Reply

RECEIPT = {
    "rules_version": "2026-10-01",
    "closing_date": "2026-11-01",
    "case": {"lender": {"region": "flanders"}, "loan": {"amount": "50000"}},
    "verdicts": {"winwin": "eligible", "proxi": "not_eligible", "cofinanciering": "not_eligible"},
}


def step(
    state: dict[str, Any] | None, event: Event, now: datetime
) -> tuple[dict[str, Any], list[Reply]]:
    """Append what the user did to `answers` and echo the count."""
    new = (
        copy.deepcopy(state)
        if state
        else {"lang": event.lang or "en", "answers": [], "done": False}
    )
    said = event.text if event.type == "text" else event.key or event.name or event.type
    if event.type == "command" and event.name == "forget":
        new["confirm_forget"] = True
        return new, [Reply(text="sure?")]
    if new.pop("confirm_forget", False) and said == "yes":
        new[ERASE_KEY] = True
        return new, [Reply(text="forgotten")]
    answers = cast(list[str | None], new["answers"])
    answers.append(said)
    if said == "result":
        new[RECEIPT_KEY] = copy.deepcopy(RECEIPT)
        new["done"] = True
    return new, [Reply(text=f"{new['lang']}:{len(answers)}:{said}")]
