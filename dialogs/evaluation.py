"""The bridge to the rules core: answers -> evaluate case, and which fields are still needed.

Answers are kept flat in the state (`{"lender.region": "flanders", ...}`); the rules core
takes the nested case of the evaluate contract. The regimes "in play" are those the person
can use: a would-be lender is offered only the regimes a private person lends under (not a
public lender's own loan to the entrepreneur).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rules import REGIMES as REGISTRY
from rules import evaluate

#: Every regime's contract key, in the registry's order.
REGIMES: tuple[str, ...] = tuple(regime.name for regime in REGISTRY)
#: The regimes a private person lends under (a would-be lender can use only these).
PRIVATE_LENDER_REGIMES: tuple[str, ...] = tuple(r.name for r in REGISTRY if r.private_lender)


def regimes_in_play(role: str | None) -> tuple[str, ...]:
    """Regimes that matter to this person."""
    return PRIVATE_LENDER_REGIMES if role == "lender" else REGIMES


def build_case(answers: dict[str, Any]) -> dict[str, Any]:
    """The nested evaluate case of flat `section.field` answers."""
    case: dict[str, Any] = {}
    for path, value in answers.items():
        if "." not in path:
            case[path] = value
            continue
        section, name = path.split(".", 1)
        case.setdefault(section, {})[name] = value
    return case


def flatten_case(case: dict[str, Any]) -> dict[str, Any]:
    """Flat `section.field` answers of a nested evaluate case (the inverse of build_case)."""
    flat: dict[str, Any] = {}
    for key, value in case.items():
        if isinstance(value, dict):
            for name, inner in value.items():
                flat[f"{key}.{name}"] = inner
        else:
            flat[key] = value
    return flat


def run_rules(answers: dict[str, Any], today: date) -> dict[str, Any]:
    """Evaluate the answers as of `today` (used when the closing date is not known)."""
    return evaluate(build_case(answers), today=today)


def regime(answer: dict[str, Any], name: str) -> dict[str, Any]:
    """One regime's part of an evaluate answer."""
    for item in answer["regimes"]:
        if item["regime"] == name:
            return dict(item)
    raise KeyError(name)


def still_needed(answer: dict[str, Any], role: str | None) -> list[str]:
    """The union of `missing` of the regimes in play that have not failed, in rules order.

    Each regime lists its fields most decisive first, from one shared order, so a stable
    merge keeps that order: the first regime's fields lead, the others' slot in after.
    """
    merged: list[str] = []
    for name in regimes_in_play(role):
        part = regime(answer, name)
        if part["verdict"] == "not_eligible":
            continue
        for field in part.get("missing", []):
            if field not in merged:
                merged.append(field)
    return merged
