"""Proxi-lening / prêt Proxi (Brussels-Capital Region): a friends loan with a yearly cap
per lender, excluded sectors, 4 % then 2.5 % of tax credit and, from 2023-06-01, a 50 %
one-time credit for a socially or environmentally exemplary borrower.

Parameters: `rules/parameters/proxi.yaml`; reference: `shared/domain/proxi.md`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rules.conditions import Check, Context
from rules.friends_loan import FriendsLoan, check_flag_false, credit_on, tiered_credit_terms
from rules.simulation import CreditTerms, pct_text

SOURCE = (
    "special-powers order 2020/045 of 19 Jun 2020; ordinance of 17 Mar 2023; "
    "finance.brussels; FPS Finance proxi-lening page"
)


def check_excluded_sector(ctx: Context) -> Check:
    return check_flag_false(ctx, "borrower.excluded_sector", "borrower.excluded_sector", SOURCE)


def _exemplary_rates(ctx: Context) -> tuple[Decimal, Decimal]:
    """(the one-time credit rate, and the rate for an exemplary borrower) on the date."""
    return ctx.value("default_credit_rate"), ctx.value("default_credit_rate_exemplary")


def _exemplary_decides(ctx: Context) -> bool:
    """Whether the exemplary status changes the one-time credit on this closing date."""
    ordinary, exemplary = _exemplary_rates(ctx)
    return bool(ordinary != exemplary)


def credit_terms(ctx: Context) -> CreditTerms:
    """4 % for the closing year and the next two income years, 2.5 % later; 30 % or, for
    an exemplary borrower (from 2023-06-01), 50 % if the principal is lost."""
    exemplary = ctx.case.borrower.exemplary and _exemplary_decides(ctx)
    rate = ctx.value("default_credit_rate_exemplary") if exemplary else None
    return tiered_credit_terms(ctx, rate)


def with_exemplary_options(ctx: Context, simulation: dict[str, Any]) -> dict[str, Any]:
    """While the exemplary status is unknown and decides the one-time credit, show it both
    ways: the ordinary rate as the figure, and `options` per answer of the status."""
    if ctx.case.borrower.exemplary is not None or not _exemplary_decides(ctx):
        return simulation
    default = simulation["default_credit"]
    lost = default["on_lost_principal"]
    options = [
        {"given": given, "rate_pct": pct_text(rate), "credit": credit_on(lost, rate)}
        for given, rate in zip((False, True), _exemplary_rates(ctx), strict=True)
    ]
    return {
        **simulation,
        "default_credit": {**default, "decided_by": "borrower.exemplary", "options": options},
    }


def figure_fields(ctx: Context) -> list[str]:
    """The exemplary status, while unknown on a date where it changes the one-time credit."""
    if ctx.case.borrower.exemplary is None and _exemplary_decides(ctx):
        return ["borrower.exemplary"]
    return []


REGIME = FriendsLoan(
    name="proxi",
    title="Proxi-lening / prêt Proxi (Brussels-Capital Region)",
    region="brussels",
    source=SOURCE,
    credit_terms=credit_terms,
    yearly_lender_cap=True,
    borrower_checks=(("borrower.excluded_sector", check_excluded_sector),),
    adjust_simulation=with_exemplary_options,
    figure_fields=figure_fields,
)
