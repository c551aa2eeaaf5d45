"""The rules core: dated parameters, the conditions of each regime, the SME test and the
loan simulation. Pure Python with Decimal money; it returns codes and numbers, never text
for people (that is the dialogs' job).

Public API (the only names the dialogs and the edges import): `evaluate`, `parse_case`,
`CaseError`, `Case`, `RULES_VERSION`, `REGIMES` (the registry), `CONDITIONS` (every
condition id), `inputs_hash` (the receipt digest), `partner_thresholds`,
`partner_figures_count`, `region_of_postal_code`, `MAX_AMOUNT`.
"""

from rules.case import MAX_AMOUNT, Case, CaseError, parse_case
from rules.conditions import CONDITIONS
from rules.digest import inputs_hash
from rules.evaluate import CONTRACT, evaluate, rules_version
from rules.regime import Regime
from rules.regimes import REGIMES
from rules.regions import region_of_postal_code
from rules.sme import partner_figures_count, partner_thresholds

RULES_VERSION = rules_version()

__all__ = [
    "CONDITIONS",
    "CONTRACT",
    "MAX_AMOUNT",
    "REGIMES",
    "RULES_VERSION",
    "Case",
    "CaseError",
    "Regime",
    "evaluate",
    "inputs_hash",
    "parse_case",
    "partner_figures_count",
    "partner_thresholds",
    "region_of_postal_code",
    "rules_version",
]
