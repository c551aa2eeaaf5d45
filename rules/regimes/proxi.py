"""Proxi-lening / prêt Proxi (Brussels-Capital Region): conditions, limits, tax credits.

Parameters: `rules/parameters/proxi.yaml`; reference: `shared/domain/proxi.md`.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from rules import friends_loan as fl
from rules.conditions import Check, Context, passes
from rules.params import load_all
from rules.simulation import CreditTerms
from rules.sme import check_sme

NAME = "proxi"
REGION = "brussels"
SOURCE = (
    "special-powers order 2020/045 of 19 Jun 2020; ordinance of 17 Mar 2023; "
    "finance.brussels; FPS Finance proxi-lening page"
)


def check_excluded_sector(ctx: Context) -> Check:
    given = ctx.case.borrower.excluded_sector
    if given is None:
        return ctx.check(
            "borrower.excluded_sector", "unknown", {}, SOURCE, ("borrower.excluded_sector",)
        )
    status = passes(not given)
    return ctx.check(
        "borrower.excluded_sector", status, {"required": False, "given": given}, SOURCE
    )


def checks(ctx: Context) -> list[Check]:
    """Every proxi-lening condition for the case."""
    case = ctx.case
    return [
        *fl.common_lender_checks(ctx, REGION, SOURCE),
        fl.check_total_cap(
            ctx, "lender.cap", "lender_cap", case.lender.already_lent, "lender.already_lent"
        ),
        fl.check_total_cap(
            ctx,
            "lender.cap_year",
            "lender_year_cap",
            case.lender.lent_this_year,
            "lender.lent_this_year",
        ),
        check_sme(case.borrower, ctx),
        fl.check_region(
            ctx, "borrower.region", case.borrower.region, REGION, "borrower.region", SOURCE
        ),
        fl.check_economic_activity(ctx, SOURCE),
        check_excluded_sector(ctx),
        fl.check_total_cap(
            ctx,
            "borrower.cap",
            "borrower_cap",
            case.borrower.already_borrowed,
            "borrower.already_borrowed",
        ),
        fl.check_duration(ctx, case.loan.years, "loan.years"),
        fl.check_rate(ctx),
        fl.check_repayment(ctx),
    ]


def limits(ctx: Context) -> dict[str, Any]:
    """What a proxi-lening closed on this date may be for this case."""
    case = ctx.case
    return fl.loan_limits(
        ctx,
        [
            ctx.value("lender_cap") - (case.lender.already_lent or Decimal(0)),
            ctx.value("lender_year_cap") - (case.lender.lent_this_year or Decimal(0)),
            ctx.value("borrower_cap") - (case.borrower.already_borrowed or Decimal(0)),
        ],
    )


def credit_terms(ctx: Context) -> CreditTerms:
    """4 % for the closing year and the next two income years, 2.5 % later; 30 % or 50 %
    (exemplary borrower, from 2023-06-01) if the principal is lost."""
    first: Decimal = ctx.value("annual_credit_rate_first_years")
    later: Decimal = ctx.value("annual_credit_rate_later_years")
    first_years: int = ctx.value("annual_credit_first_years")
    last_first_year = ctx.on.year + first_years - 1
    default_param = (
        "default_credit_rate_exemplary" if ctx.case.borrower.exemplary else "default_credit_rate"
    )
    return CreditTerms(
        rate_pct_for_year=lambda year: first if year <= last_first_year else later,
        base_cap=ctx.value("annual_credit_base_cap"),
        default_rate_pct=ctx.value(default_param),
    )


def exemplary_matters(on: date) -> bool:
    """Whether the borrower's exemplary status changes the one-time credit on this
    closing date (50 % instead of 30 % from 2023-06-01): only then is it worth asking."""
    proxi = load_all()["proxi"]
    return bool(
        proxi["default_credit_rate_exemplary"].at(on) != proxi["default_credit_rate"].at(on)
    )
