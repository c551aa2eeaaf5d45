"""Winwinlening (Flemish Region): a friends loan with 2.5 % a year of tax credit.

Parameters: `rules/parameters/winwin.yaml`; reference: `shared/domain/winwin.md`.
"""

from __future__ import annotations

from decimal import Decimal

from rules.conditions import Context
from rules.friends_loan import FriendsLoan
from rules.simulation import CreditTerms

SOURCE = (
    "decree of 19 May 2006 as amended (5 Jul 2013, 2 Oct 2020, 27 Nov 2020); vlaio.be; pmv.eu FAQ"
)


def credit_terms(ctx: Context) -> CreditTerms:
    """2.5 % a year on the capped mean balance; 30 % (40 % in the COVID window) if lost."""
    rate: Decimal = ctx.value("annual_credit_rate")
    return CreditTerms(
        rate_pct_for_year=lambda _year: rate,
        base_cap=ctx.value("annual_credit_base_cap"),
        default_rate_pct=ctx.value("default_credit_rate"),
    )


REGIME = FriendsLoan(
    name="winwin",
    title="Winwinlening (Flemish Region)",
    region="flanders",
    source=SOURCE,
    credit_terms=credit_terms,
)
