"""The registry: every regime leenwijzer knows, listed once, in the contract's order.

`rules.evaluate`, the answer's JSON Schema, the reference page, the dialogs and the web
API all iterate over `REGIMES`; to add a regime, add its parameter file and its module
and list it here (see the README, "Adding a regime").
"""

from __future__ import annotations

from rules.regime import Regime
from rules.regimes import coup_de_pouce, proxi, winwin
from rules.regimes.cofinanciering import Cofinanciering

#: Contract order: a regime added later is appended.
REGIMES: tuple[Regime, ...] = (
    winwin.REGIME,
    proxi.REGIME,
    Cofinanciering(
        name="cofinanciering", title="PMV Cofinanciering (Flemish Region)", own_funds_from="winwin"
    ),
    coup_de_pouce.REGIME,
)
#: The regimes by contract key.
BY_NAME: dict[str, Regime] = {regime.name: regime for regime in REGIMES}
