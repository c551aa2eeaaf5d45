"""PMV Cofinanciering (Flemish Region): the project conditions and the maximum amount.

Parameters: `rules/parameters/cofinanciering.yaml`; reference: `shared/domain/cofinanciering.md`.
Not a friends-and-family loan: PMV lends, so there are no lender conditions, no
withholding and no tax credits. A friends loan that is eligible for the same case counts
as own contribution: which regime that is, the registry says (`own_funds_from`).

Limits are compared exactly, never after rounding (100,000.01 of need requires a partner
share of 20,000.002, so 20,000.00 fails); the maximum amount is rounded down to the cent,
a required minimum shown up to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from rules import friends_loan as fl
from rules.conditions import Check, Context, money, passes
from rules.regime import Assessment, Earlier, Regime
from rules.simulation import LoanTerms, simulate
from rules.sme import check_sme

REGION = "flanders"
SOURCE = "PMV product page; vlaio.be kmo-cofinanciering (18 Dec 2024)"
CENT = Decimal("0.01")


def effective_own_contribution(ctx: Context, friends_loan_counts: bool) -> Decimal | None:
    """Own contribution plus the friends loan when that one is eligible (it counts as own funds)."""
    own = ctx.case.project.own_contribution
    if own is None:
        return None
    amount = ctx.case.loan.amount
    return own + (amount if friends_loan_counts and amount is not None else Decimal(0))


def max_amount(ctx: Context, own: Decimal | None) -> Decimal | None:
    """min(ceiling, multiple x own contribution, share of the need), exactly; None while
    unknown. The caller rounds it down to the cent where it is shown."""
    need = ctx.case.project.investment_need
    if need is None or own is None:
        return None
    multiple = Decimal(ctx.value("max_own_contribution_multiple"))
    share: Decimal = ctx.value("max_need_share_pct")
    ceiling: Decimal = ctx.value("max_amount")
    return min(ceiling, multiple * own, need * share / 100)


def cents_down(amount: Decimal) -> Decimal:
    """Rounded down to the cent: the most that may be asked."""
    return amount.quantize(CENT, rounding=ROUND_FLOOR)


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
        "max_amount": money(cents_down(ceiling)),
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
    required = need * minimum / 100  # exact: compared before any rounding
    shown = required.quantize(CENT, rounding=ROUND_CEILING)  # the least that suffices
    detail.update(required=money(shown), given=money(part), need=money(need))
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


def check_capital_holiday(ctx: Context) -> Check:
    """The PMV loan's own capital holiday (none when not asked) is within its limit; the
    limit (disputed) is read only when a holiday is asked for."""
    source = ctx.source("max_capital_holiday_years")
    given = ctx.case.project.pmv_grace_years or 0
    if given == 0:
        return ctx.check("project.capital_holiday", "pass", {"given": 0}, source)
    limit: int = ctx.value("max_capital_holiday_years")
    detail: dict[str, object] = {"max_years": limit, "given": given}
    years = ctx.case.project.pmv_years
    if given > limit or (years is not None and given >= years):
        return ctx.check("project.capital_holiday", "fail", detail, source)
    return ctx.check("project.capital_holiday", "pass", detail, source)


def checks(ctx: Context, friends_loan_counts: bool) -> list[Check]:
    """Every cofinanciering condition after `regime.in_force`."""
    case = ctx.case
    own = effective_own_contribution(ctx, friends_loan_counts)
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
        check_capital_holiday(ctx),
    ]


def limits(ctx: Context, friends_loan_counts: bool) -> dict[str, Any]:
    """The computed maximum amount (when the project is known), durations and PMV's price."""
    years: tuple[int, ...] = ctx.value("allowed_years")
    out: dict[str, Any] = {
        "years": [years[0], years[-1]],
        "allowed_years": list(years),
        "rate_pct": money(ctx.value("price_pct")),
    }
    ceiling = max_amount(ctx, effective_own_contribution(ctx, friends_loan_counts))
    out["max_amount"] = money(
        cents_down(ceiling) if ceiling is not None else ctx.value("max_amount")
    )
    return out


def simulation(ctx: Context, principal: Decimal) -> dict[str, Any] | None:
    """PMV's loan to the borrower on its own terms: a monthly annuity after its own
    capital holiday, at PMV's price; no withholding, no tax credits (PMV is not a private
    lender). Never the friends loan's repayment kind or frequency."""
    project = ctx.case.project
    if project.pmv_years is None:
        return None
    terms = LoanTerms(
        principal=principal,
        rate_pct=ctx.value("price_pct"),
        years=project.pmv_years,
        repayment=ctx.value("pmv_repayment")[0],
        frequency=ctx.value("pmv_frequency")[0],
        closing_date=ctx.on,
        grace_years=project.pmv_grace_years or 0,
    )
    return simulate(terms, lambda _day: Decimal(0), None)


@dataclass(frozen=True)
class Cofinanciering(Regime):
    """PMV co-financing; the friends loan of `own_funds_from` counts as own contribution
    once it is eligible.

    While that regime is still undecided, the project conditions are judged both with and
    without it: where the two disagree, the condition is unknown and needs what that
    regime still needs.
    """

    name: str
    title: str
    own_funds_from: str
    private_lender: bool = False

    @property
    def reads(self) -> tuple[str, ...]:  # type: ignore[override]
        return (self.own_funds_from,)

    @property
    def condition_ids(self) -> tuple[str, ...]:
        return (
            "regime.in_force",
            "borrower.sme",
            "borrower.region",
            "borrower.economic_activity",
            "loan.duration",
            "project.amount",
            "project.own_contribution",
            "project.partner_share",
            "project.partner_duration",
            "project.capital_holiday",
        )

    def assess(self, ctx: Context, earlier: Earlier) -> Assessment:
        friends = earlier[self.own_funds_from]
        counts = friends["verdict"] == "eligible"
        found = checks(ctx, counts)
        if friends["verdict"] == "needs_info" and ctx.case.loan.amount is not None:
            with_loan = checks(ctx, True)
            found = [
                alone
                if alone.status == counted.status
                else Check(
                    alone.id, "unknown", alone.detail, alone.source, tuple(friends["missing"])
                )
                for alone, counted in zip(found, with_loan, strict=True)
            ]
        shown = limits(ctx, counts)

        def run() -> dict[str, Any] | None:
            principal = ctx.case.project.pmv_amount or Decimal(shown["max_amount"])
            return simulation(ctx, principal)

        return Assessment(found, shown, run)
