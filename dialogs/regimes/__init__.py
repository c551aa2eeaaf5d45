"""What the conversation says about each regime: one text module per regime of the rules'
registry (`dialogs/regimes/<name>.py`, found by the regime's contract key), so adding a
regime adds its module and touches no code that names another.

A module defines `TEXTS`, a `RegimeTexts`: the product name as the agency writes it in
each language, the agency that registers the loan and how, the explanation of each of the
regime's own condition ids (the shared friends-loan ones are in `dialogs.explain`), and
words for its disputed parameters.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from dialogs.i18n import Translator
from rules import REGIMES

#: An explanation: the translator, the condition's `detail` and the regime's texts ->
#: one sentence with the figures that decided it (thresholds from `detail`, never
#: written here).
Explain = Callable[[Translator, dict[str, Any], "RegimeTexts"], str]


@dataclass(frozen=True)
class RegimeTexts:
    """A regime's words (msgids, translated when shown).

    - `name`: the product name ("Winwinlening", "Proxi loan");
    - `agency`: who registers the loan (or lends) and where to read more;
    - `registration`: what to do after signing (deadline, documents), or None;
    - `deed`: the same, as printed under the repayment table (or what the table is);
    - `explanations`: condition id -> `Explain`, for the regime's own conditions;
    - `uncertain`: parameter name (in the regime's file) -> what it is, in words;
    - `not_for_lender`: why the regime is not one a private lender can use, if so.
    """

    name: str
    agency: str
    registration: str | None = None
    deed: str | None = None
    explanations: dict[str, Explain] = field(default_factory=dict)
    uncertain: dict[str, str] = field(default_factory=dict)
    not_for_lender: str | None = None


@cache
def regime_texts(name: str) -> RegimeTexts:
    """The text module of the regime `name` (its contract key); KeyError for a name that is
    not in the rules' registry (never an import of arbitrary text)."""
    if name not in {regime.name for regime in REGIMES}:
        raise KeyError(name)
    module = importlib.import_module(f"dialogs.regimes.{name}")
    texts: RegimeTexts = module.TEXTS
    return texts
