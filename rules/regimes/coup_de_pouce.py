"""Prêt Coup de Pouce / Coup de Pouce-lening (Walloon Region): a friends loan with no
shareholding allowance, excluded activities, an enterprise-age limit until mid-2018,
4 % then 2.5 % of tax credit, and a status that could not be confirmed after its last
known extension (31 May 2026): `regime.in_force` is then unknown, never eligible.

Parameters: `rules/parameters/coup_de_pouce.yaml`; reference: `shared/domain/coupdepouce.md`.
"""

from __future__ import annotations

from rules.conditions import Check, Context, passes
from rules.friends_loan import FriendsLoan, check_flag_false, tiered_credit_terms
from rules.simulation import CreditTerms

SOURCE = (
    "Walloon decree of 28 Apr 2016 and AGW of 22 Sep 2016; decree of 17 Dec 2020 and AGW of "
    "15 Sep 2021; wallonie.be; pretcoupdepouce.be"
)


def check_excluded_activity(ctx: Context) -> Check:
    return check_flag_false(ctx, "borrower.excluded_activity", "borrower.excluded_activity", SOURCE)


def check_age(ctx: Context) -> Check:
    """Before the limit was lifted, only an enterprise registered in the BCE for fewer
    than `max_years_registered` years could borrow; asked only on such a date."""
    source = ctx.source("enterprise_age_limited")
    if not ctx.value("enterprise_age_limited"):
        return ctx.check("borrower.age", "pass", {"applies": False}, source)
    limit: int = ctx.value("max_years_registered")
    detail: dict[str, object] = {"max_years": limit}
    given = ctx.case.borrower.years_registered
    if given is None:
        return ctx.check("borrower.age", "unknown", detail, source, ("borrower.years_registered",))
    return ctx.check("borrower.age", passes(given < limit), {**detail, "given": given}, source)


def credit_terms(ctx: Context) -> CreditTerms:
    """4 % for the first four income years (the closing year is the first), 2.5 % later,
    on the mean balance capped at the base cap; 30 % of a lost principal."""
    return tiered_credit_terms(ctx)


REGIME = FriendsLoan(
    name="coup_de_pouce",
    title="Prêt Coup de Pouce / Coup de Pouce-lening (Walloon Region)",
    region="wallonia",
    source=SOURCE,
    credit_terms=credit_terms,
    borrower_checks=(
        ("borrower.age", check_age),
        ("borrower.excluded_activity", check_excluded_activity),
    ),
)
