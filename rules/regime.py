"""What a regime is to the rules core: a name, its conditions and how it is assessed.

A regime is one unit: its dated parameter file (`rules/parameters/<name>.yaml`), one
module under `rules/regimes/` that builds its `Regime`, and the registry
(`rules.regimes.REGIMES`) that lists it once. `rules.evaluate` only iterates over the
registry; nothing else names a regime.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rules.conditions import Check, Context

#: The answers of the regimes assessed before this one (registry order), by name.
Earlier = Mapping[str, dict[str, Any]]


@dataclass
class Assessment:
    """A regime's conditions for a case, what it allows, and how to simulate it.

    `simulate` is called only when every condition passes and the loan is complete; it
    returns the contract's `simulation` object. `figure_fields` are fields that change a
    figure of the simulation but never the verdict (listed in `missing` of an eligible
    answer, e.g. an exemplary status that decides a one-time credit).
    """

    checks: list[Check]
    limits: dict[str, Any]
    simulate: Callable[[], dict[str, Any] | None] | None = None
    figure_fields: list[str] = field(default_factory=list)


class Regime(ABC):
    """One regime: its contract key, the ids of its conditions and its assessment."""

    #: The contract key, also the stem of its parameter file.
    name: str
    #: Its name and region in English, for the reference page (`docs/parameters.md`).
    title: str
    #: True when a private person lends (lender conditions, withholding, tax credits);
    #: False for a public lender's own loan to the entrepreneur.
    private_lender: bool = True
    #: Regimes whose answer this one reads (they come earlier in the registry).
    reads: tuple[str, ...] = ()

    @property
    @abstractmethod
    def condition_ids(self) -> tuple[str, ...]:
        """Every condition id the regime can report, in the order it reports them."""

    @abstractmethod
    def assess(self, ctx: Context, earlier: Earlier) -> Assessment:
        """The regime's conditions (after `regime.in_force`) for `ctx.case`."""
