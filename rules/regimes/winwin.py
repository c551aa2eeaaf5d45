"""Winwinlening (Flemish Region): conditions, limits and the lender's tax credits.

Parameters: `rules/parameters/winwin.yaml`; reference: `shared/domain/winwin.md`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rules import friends_loan as fl
from rules.conditions import Check, Context
from rules.simulation import CreditTerms
from rules.sme import check_sme

NAME = "winwin"
REGION = "flanders"
SOURCE = (
    "decree of 19 May 2006 as amended (5 Jul 2013, 2 Oct 2020, 27 Nov 2020); vlaio.be; pmv.eu FAQ"
)


def checks(ctx: Context) -> list[Check]:
    """Every winwinlening condition for the case, in the order of the decree."""
    case = ctx.case
    return [
        *fl.common_lender_checks(ctx, REGION, SOURCE),
        fl.check_total_cap(
            ctx, "lender.cap", "lender_cap", case.lender.already_lent, "lender.already_lent"
        ),
        check_sme(case.borrower, ctx),
        fl.check_region(
            ctx, "borrower.region", case.borrower.region, REGION, "borrower.region", SOURCE
        ),
        fl.check_economic_activity(ctx, SOURCE),
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
    """What a winwinlening closed on this date may be for this case."""
    case = ctx.case
    return fl.loan_limits(
        ctx,
        [
            ctx.value("lender_cap") - (case.lender.already_lent or Decimal(0)),
            ctx.value("borrower_cap") - (case.borrower.already_borrowed or Decimal(0)),
        ],
    )


def credit_terms(ctx: Context) -> CreditTerms:
    """2.5 % a year on the capped mean balance; 30 % (40 % in the COVID window) if lost."""
    rate: Decimal = ctx.value("annual_credit_rate")
    return CreditTerms(
        rate_pct_for_year=lambda _year: rate,
        base_cap=ctx.value("annual_credit_base_cap"),
        default_rate_pct=ctx.value("default_credit_rate"),
    )
