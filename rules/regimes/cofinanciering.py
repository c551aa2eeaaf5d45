"""PMV Cofinanciering (Flemish Region): the project conditions and the maximum amount.

Parameters: `rules/parameters/cofinanciering.yaml`; reference: `shared/domain/cofinanciering.md`.
Not a friends-and-family loan: there are no lender conditions. A winwinlening that is
eligible for the same case counts as own contribution.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rules import friends_loan as fl
from rules.conditions import Check, Context, money, passes
from rules.sme import check_sme

NAME = "cofinanciering"
REGION = "flanders"
SOURCE = "PMV product page; vlaio.be kmo-cofinanciering (18 Dec 2024)"
CENT = Decimal("0.01")


def effective_own_contribution(ctx: Context, winwin_eligible: bool) -> Decimal | None:
    """Own contribution plus the winwinlening when that one is eligible (it counts as own funds)."""
    own = ctx.case.project.own_contribution
    if own is None:
        return None
    bonus = (
        ctx.case.loan.amount if winwin_eligible and ctx.case.loan.amount is not None else Decimal(0)
    )
    return own + bonus


def max_amount(ctx: Context, own: Decimal | None) -> Decimal | None:
    """min(350,000, 4 x own contribution, 50 % of the need), or None while unknown."""
    need = ctx.case.project.investment_need
    if need is None or own is None:
        return None
    multiple = Decimal(ctx.value("max_own_contribution_multiple"))
    share: Decimal = ctx.value("max_need_share_pct")
    ceiling: Decimal = ctx.value("max_amount")
    return min(ceiling, multiple * own, (need * share / 100).quantize(CENT))


def _detail_own(ctx: Context, own: Decimal) -> dict[str, str]:
    given = ctx.case.project.own_contribution or Decimal(0)
    detail = {"own_contribution": money(own)}
    if own != given:  # `given` (the counted total) is added by the share check
        detail.update(own_given=money(given), winwin_amount=money(own - given))
    return detail


def check_amount(ctx: Context, own: Decimal | None) -> Check:
    project = ctx.case.project
    source = ctx.source("max_amount")
    ceiling = max_amount(ctx, own)
    if ceiling is None:
        needs = tuple(
            f
            for f, v in (
                ("project.investment_need", project.investment_need),
                ("project.own_contribution", project.own_contribution),
            )
            if v is None
        )
        return ctx.check(
            "project.amount", "unknown", {"cap": money(ctx.value("max_amount"))}, source, needs
        )
    detail: dict[str, object] = {
        "max_amount": money(ceiling),
        "cap": money(ctx.value("max_amount")),
    }
    if project.pmv_amount is None:
        status = passes(ceiling > 0)
        return ctx.check("project.amount", status, detail, source)
    status = passes(0 < project.pmv_amount <= ceiling)
    return ctx.check(
        "project.amount", status, {**detail, "given": money(project.pmv_amount)}, source
    )


def _share_check(
    ctx: Context,
    cid: str,
    part: Decimal | None,
    part_field: str,
    min_param: str,
    extra: dict[str, str],
) -> Check:
    need = ctx.case.project.investment_need
    minimum: Decimal = ctx.value(min_param)
    source = ctx.source(min_param)
    detail: dict[str, object] = {"min_pct": money(minimum), **extra}
    needs = tuple(
        f for f, v in (("project.investment_need", need), (part_field, part)) if v is None
    )
    if needs or need is None or part is None:
        return ctx.check(cid, "unknown", detail, source, needs)
    required = (need * minimum / 100).quantize(CENT)
    detail.update(required=money(required), given=money(part), need=money(need))
    return ctx.check(cid, passes(part >= required), detail, source)


def check_partner_duration(ctx: Context) -> Check:
    project = ctx.case.project
    shorter: int = ctx.value("partner_max_shorter_years")
    source = ctx.source("partner_max_shorter_years")
    detail: dict[str, object] = {"max_shorter_years": shorter}
    needs = tuple(
        f
        for f, v in (
            ("project.pmv_years", project.pmv_years),
            ("project.partner_years", project.partner_years),
        )
        if v is None
    )
    if needs or project.pmv_years is None or project.partner_years is None:
        return ctx.check("project.partner_duration", "unknown", detail, source, needs)
    detail.update(
        pmv_years=project.pmv_years,
        partner_years=project.partner_years,
        min_partner_years=project.pmv_years - shorter,
    )
    status = passes(project.partner_years >= project.pmv_years - shorter)
    return ctx.check("project.partner_duration", status, detail, source)


def checks(ctx: Context, winwin_eligible: bool) -> list[Check]:
    """Every cofinanciering condition for the case."""
    case = ctx.case
    own = effective_own_contribution(ctx, winwin_eligible)
    own_extra = _detail_own(ctx, own) if own is not None else {}
    return [
        check_sme(case.borrower, ctx),
        fl.check_region(
            ctx, "borrower.region", case.borrower.region, REGION, "borrower.region", SOURCE
        ),
        fl.check_economic_activity(ctx, SOURCE),
        fl.check_duration(ctx, case.project.pmv_years, "project.pmv_years"),
        check_amount(ctx, own),
        _share_check(
            ctx,
            "project.own_contribution",
            own,
            "project.own_contribution",
            "min_own_contribution_pct",
            own_extra,
        ),
        _share_check(
            ctx,
            "project.partner_share",
            case.project.partner_financing,
            "project.partner_financing",
            "min_partner_share_pct",
            {},
        ),
        check_partner_duration(ctx),
    ]


def limits(ctx: Context, winwin_eligible: bool) -> dict[str, Any]:
    """The computed maximum amount (when the project is known), durations and PMV's price."""
    years: tuple[int, ...] = ctx.value("allowed_years")
    out: dict[str, Any] = {
        "years": [years[0], years[-1]],
        "allowed_years": list(years),
        "rate_pct": money(ctx.value("price_pct")),
    }
    ceiling = max_amount(ctx, effective_own_contribution(ctx, winwin_eligible))
    out["max_amount"] = money(ceiling if ceiling is not None else ctx.value("max_amount"))
    return out
