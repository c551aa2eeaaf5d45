"""The rules core: dated parameters, the conditions of each regime, the SME test and the
loan simulation. Pure Python with Decimal money; it returns codes and numbers, never text
for people (that is the dialogs' job).

Public API: `evaluate`, `parse_case`, `CaseError`, `Case`, `RULES_VERSION`.
"""

from rules.case import Case, CaseError, parse_case
from rules.evaluate import CONTRACT, evaluate, rules_version

RULES_VERSION = rules_version()

__all__ = [
    "CONTRACT",
    "RULES_VERSION",
    "Case",
    "CaseError",
    "evaluate",
    "parse_case",
    "rules_version",
]
