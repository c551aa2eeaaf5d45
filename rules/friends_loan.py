"""Conditions shared by the two friends-and-family regimes (winwinlening and proxi-lening).

They differ only in their region, their parameter values and a few extra conditions,
which the regime modules add; everything here reads the regime's own parameter file.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rules.case import Case
from rules.conditions import Check, Context, money, passes

LEGAL_FORMS_WITH_MANDATES = ("company", "nonprofit")


def _flag(
    ctx: Context, cid: str, given: bool | None, required: bool, field: str, source: str
) -> Check:
    """A yes/no condition: `given` must equal `required`."""
    if given is None:
        return ctx.check(cid, "unknown", {"required": required}, source, (field,))
    status = passes(given == required)
    return ctx.check(cid, status, {"required": required, "given": given}, source)


def _not_applicable(ctx: Context, cid: str, legal_form: str, source: str) -> Check:
    return ctx.check(cid, "pass", {"applies": False, "legal_form": legal_form}, source)


def check_natural_person(ctx: Context, source: str) -> Check:
    lender = ctx.case.lender
    return _flag(
        ctx, "lender.natural_person", lender.natural_person, True, "lender.natural_person", source
    )


def check_professional_capacity(ctx: Context, source: str) -> Check:
    given = ctx.case.lender.professional_capacity
    return _flag(
        ctx, "lender.professional_capacity", given, False, "lender.professional_capacity", source
    )


def check_region(
    ctx: Context, cid: str, given: str | None, required: str, field: str, source: str
) -> Check:
    if given is None:
        return ctx.check(cid, "unknown", {"required": required}, source, (field,))
    status = passes(given == required)
    return ctx.check(cid, status, {"required": required, "given": given}, source)


def check_employee(ctx: Context, source: str) -> Check:
    given = ctx.case.lender.employee_of_borrower
    return _flag(ctx, "lender.employee", given, False, "lender.employee_of_borrower", source)


def check_spouse(ctx: Context, source: str) -> Check:
    form = ctx.case.borrower.legal_form
    given = ctx.case.lender.spouse_of_borrower
    if form is None and given is not False:  # "not the spouse" passes whatever the form
        return ctx.check("lender.spouse", "unknown", {}, source, ("borrower.legal_form",))
    if form is not None and form != "self_employed":
        return _not_applicable(ctx, "lender.spouse", form, source)
    return _flag(ctx, "lender.spouse", given, False, "lender.spouse_of_borrower", source)


def check_mandate(ctx: Context, source: str) -> Check:
    form = ctx.case.borrower.legal_form
    given = ctx.case.lender.director_of_borrower
    if form is None and given is not False:  # "no mandate" passes whatever the form
        return ctx.check("lender.mandate", "unknown", {}, source, ("borrower.legal_form",))
    if form is not None and form not in LEGAL_FORMS_WITH_MANDATES:
        return _not_applicable(ctx, "lender.mandate", form, source)
    return _flag(ctx, "lender.mandate", given, False, "lender.director_of_borrower", source)


def check_shareholding(ctx: Context) -> Check:
    form = ctx.case.borrower.legal_form
    source = ctx.source("max_shareholding_pct")
    limit: Decimal = ctx.value("max_shareholding_pct")
    held = ctx.case.lender.shareholding_pct
    within = held is not None and held <= limit  # passes whatever the legal form
    if form is None and not within:
        return ctx.check(
            "lender.shareholding",
            "unknown",
            {"max_pct": money(limit)},
            source,
            ("borrower.legal_form",),
        )
    if form is not None and form not in LEGAL_FORMS_WITH_MANDATES:
        return _not_applicable(ctx, "lender.shareholding", form, source)
    if held is None:
        return ctx.check(
            "lender.shareholding",
            "unknown",
            {"max_pct": money(limit)},
            source,
            ("lender.shareholding_pct",),
        )
    status = passes(held <= limit)
    return ctx.check(
        "lender.shareholding", status, {"max_pct": money(limit), "given_pct": money(held)}, source
    )


def check_other_loan(ctx: Context, source: str) -> Check:
    given = ctx.case.lender.borrower_in_other_loan
    return _flag(
        ctx, "lender.other_loan_as_borrower", given, False, "lender.borrower_in_other_loan", source
    )


def check_total_cap(
    ctx: Context, cid: str, cap_param: str, already: Decimal | None, already_field: str
) -> Check:
    """`already + loan.amount <= cap`; the amount alone over the cap already fails."""
    cap: Decimal = ctx.value(cap_param)
    source = ctx.source(cap_param)
    amount = ctx.case.loan.amount
    detail: dict[str, object] = {"cap": money(cap)}
    if amount is not None:
        detail["amount"] = money(amount)
    if already is not None:
        detail["already"] = money(already)
    known_total = (amount or Decimal(0)) + (already or Decimal(0))
    if known_total > cap:
        return ctx.check(cid, "fail", {**detail, "total": money(known_total)}, source)
    needs = tuple(f for f, v in (("loan.amount", amount), (already_field, already)) if v is None)
    if needs:
        return ctx.check(cid, "unknown", detail, source, needs)
    return ctx.check(cid, "pass", {**detail, "total": money(known_total)}, source)


def check_economic_activity(ctx: Context, source: str) -> Check:
    borrower = ctx.case.borrower
    given = borrower.economic_activity
    if given is not None:
        return ctx.check(
            "borrower.economic_activity",
            passes(given),
            {"required": True, "given": given},
            source,
        )
    if borrower.legal_form is None:
        return ctx.check(
            "borrower.economic_activity", "unknown", {}, source, ("borrower.legal_form",)
        )
    if borrower.legal_form == "nonprofit":
        return ctx.check(
            "borrower.economic_activity",
            "unknown",
            {"legal_form": "nonprofit"},
            source,
            ("borrower.economic_activity",),
        )
    return ctx.check(
        "borrower.economic_activity",
        "pass",
        {"legal_form": borrower.legal_form, "implied": True},
        source,
    )


def check_duration(ctx: Context, years: int | None, field: str) -> Check:
    allowed: tuple[int, ...] = ctx.value("allowed_years")
    source = ctx.source("allowed_years")
    detail: dict[str, object] = {"allowed_years": list(allowed)}
    if years is None:
        return ctx.check("loan.duration", "unknown", detail, source, (field,))
    status = passes(years in allowed)
    return ctx.check("loan.duration", status, {**detail, "given": years}, source)


def rate_bounds(ctx: Context) -> tuple[Decimal, Decimal]:
    """Half the legal interest rate and the legal rate, for the year of closing."""
    legal: Decimal = ctx.value("legal_interest_rate", shared=True)
    return legal / 2, legal


def check_rate(ctx: Context) -> Check:
    low, high = rate_bounds(ctx)
    source = ctx.source("legal_interest_rate", shared=True)
    source = f"law of 5 May 1865, art. 2 §1; legal interest rate {ctx.on.year}: {source}"
    detail: dict[str, object] = {"min_pct": money(low), "max_pct": money(high), "year": ctx.on.year}
    given = ctx.case.loan.rate_pct
    if given is None:
        return ctx.check("loan.rate", "unknown", detail, source, ("loan.rate_pct",))
    status = passes(low <= given <= high)
    return ctx.check("loan.rate", status, {**detail, "given_pct": money(given)}, source)


def check_repayment(ctx: Context) -> Check:
    loan = ctx.case.loan
    holiday_ok: bool = ctx.value("capital_holiday_allowed")
    source = ctx.source("capital_holiday_allowed")
    grace = loan.grace_years or 0
    detail: dict[str, object] = {"capital_holiday_allowed": holiday_ok, "grace_years": grace}
    if grace > 0 and not holiday_ok:
        return ctx.check("loan.repayment", "fail", {**detail, "reason": "capital_holiday"}, source)
    if grace > 0 and loan.years is not None and grace >= loan.years:
        return ctx.check(
            "loan.repayment",
            "fail",
            {**detail, "reason": "holiday_too_long", "years": loan.years},
            source,
        )
    needs = tuple(
        f
        for f, v in (("loan.repayment", loan.repayment), ("loan.frequency", loan.frequency))
        if v is None
    )
    if grace > 0 and loan.years is None:
        needs += ("loan.years",)
    if needs:
        return ctx.check("loan.repayment", "unknown", detail, source, needs)
    return ctx.check(
        "loan.repayment",
        "pass",
        {**detail, "repayment": loan.repayment, "frequency": loan.frequency},
        source,
    )


def in_force(ctx: Context) -> Check:
    """`regime.in_force` from the regime's own first date (`in_force_from`)."""
    start = ctx.value("in_force_from")
    source = ctx.source("in_force_from")
    if ctx.on < start:
        return ctx.check(
            "regime.in_force",
            "fail",
            {
                "reason": "not_in_force",
                "in_force_from": start.isoformat(),
                "given": ctx.on.isoformat(),
            },
            source,
        )
    return ctx.check("regime.in_force", "pass", {"in_force_from": start.isoformat()}, source)


def common_lender_checks(ctx: Context, lender_region: str, source: str) -> list[Check]:
    """The lender conditions both regimes share, in the order the law lists them."""
    case: Case = ctx.case
    return [
        check_natural_person(ctx, source),
        check_professional_capacity(ctx, source),
        check_region(
            ctx, "lender.region", case.lender.region, lender_region, "lender.region", source
        ),
        check_employee(ctx, source),
        check_spouse(ctx, source),
        check_mandate(ctx, source),
        check_shareholding(ctx),
        check_other_loan(ctx, source),
    ]


def loan_limits(ctx: Context, rooms: list[Decimal]) -> dict[str, Any]:
    """What a friends-and-family loan closed on this date may be for this case: the
    smallest room left under the regime's caps, the rate bounds and the durations."""
    low, high = rate_bounds(ctx)
    years: tuple[int, ...] = ctx.value("allowed_years")
    return {
        "max_amount": money(max(Decimal(0), min(rooms))),
        "rate_min_pct": money(low),
        "rate_max_pct": money(high),
        "years": [years[0], years[-1]],
        "allowed_years": list(years),
    }
