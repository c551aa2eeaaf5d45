"""The friends-and-family loan, written once: a private person lends to an enterprise of
his region and gets tax credits. The regimes of this kind differ only in their region,
their dated parameter values, a few extra conditions and their credit terms, which each
regime's module gives to `FriendsLoan`; every condition here reads the regime's own
parameter file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from rules.case import Case, Region
from rules.conditions import Check, Context, money, passes
from rules.regime import Assessment, Earlier, Regime
from rules.simulation import CreditTerms, LoanTerms, simulate
from rules.sme import check_sme

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
    """The repayment kind and frequency are among those allowed on the closing date, and
    a capital holiday is allowed and fits in the loan.

    A bullet loan has no capital to hold back, so a holiday changes nothing there; a
    holiday as long as the whole term is a bullet loan. Whether a holiday is allowed is
    read only when one is asked for (so its note only shows when it decides).
    """
    loan = ctx.case.loan
    kinds: tuple[str, ...] = ctx.value("allowed_repayments")
    frequencies: tuple[str, ...] = ctx.value("allowed_frequencies")
    source = ctx.source("allowed_repayments")
    grace = loan.grace_years or 0
    detail: dict[str, object] = {
        "allowed_repayments": list(kinds),
        "allowed_frequencies": list(frequencies),
        "grace_years": grace,
    }
    if loan.repayment is not None and loan.repayment not in kinds:
        return ctx.check(
            "loan.repayment", "fail", {**detail, "reason": "kind", "given": loan.repayment}, source
        )
    if loan.frequency is not None and loan.frequency not in frequencies:
        return ctx.check(
            "loan.repayment",
            "fail",
            {**detail, "reason": "frequency", "given": loan.frequency},
            source,
        )
    holiday = grace > 0 and loan.repayment != "bullet"
    if holiday and loan.years is not None and grace > loan.years:
        return ctx.check(
            "loan.repayment",
            "fail",
            {**detail, "reason": "holiday_too_long", "years": loan.years},
            source,
        )
    whole_term = holiday and loan.years is not None and grace == loan.years
    if whole_term and "bullet" not in kinds:
        return ctx.check(
            "loan.repayment", "fail", {**detail, "reason": "kind", "given": "bullet"}, source
        )
    if holiday and not whole_term and loan.repayment is not None:
        allowed: bool = ctx.value("capital_holiday_allowed")
        detail["capital_holiday_allowed"] = allowed
        if not allowed:
            return ctx.check(
                "loan.repayment",
                "fail",
                {**detail, "reason": "capital_holiday"},
                ctx.source("capital_holiday_allowed"),
            )
    needs = tuple(
        f
        for f, v in (("loan.repayment", loan.repayment), ("loan.frequency", loan.frequency))
        if v is None
    )
    if holiday and loan.years is None:
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
    """`regime.in_force` from the regime's own first date (`in_force_from`) and, where the
    regime's continuation after a known end could not be confirmed (`confirmed_until`),
    `unknown` after that date: such a regime is never eligible."""
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
    detail: dict[str, object] = {"in_force_from": start.isoformat()}
    if "confirmed_until" in ctx.params.parameters:
        until: dt.date = ctx.value("confirmed_until")
        detail["last_known_end"] = until.isoformat()
        if ctx.on > until:
            return ctx.check(
                "regime.in_force",
                "unknown",
                {**detail, "reason": "status_unconfirmed", "given": ctx.on.isoformat()},
                ctx.source("confirmed_until"),
            )
    return ctx.check("regime.in_force", "pass", detail, source)


def withholding_rates(ctx: Context) -> Callable[[dt.date], Decimal]:
    """The withholding rate on a payment date; rates only change on 1 January, so each
    year's rate is looked up once."""
    by_year: dict[int, Decimal] = {}

    def rate_on(day: dt.date) -> Decimal:
        if day.year not in by_year:
            by_year[day.year] = ctx.value("withholding_tax_rate", shared=True, on=day)
        return by_year[day.year]

    return rate_on


def loan_terms(ctx: Context) -> LoanTerms | None:
    """The friends loan's terms for the simulation, or None while one is unknown.

    A bullet loan ignores a capital holiday, and a holiday as long as the term is a
    bullet loan (the schedule then repays everything with the last instalment).
    """
    loan = ctx.case.loan
    if (
        loan.amount is None
        or loan.rate_pct is None
        or loan.years is None
        or loan.repayment is None
        or loan.frequency is None
    ):
        return None
    repayment, grace = loan.repayment, loan.grace_years or 0
    if repayment == "bullet" or grace >= loan.years:
        repayment, grace = "bullet", 0
    return LoanTerms(
        principal=loan.amount,
        rate_pct=loan.rate_pct,
        years=loan.years,
        repayment=repayment,
        frequency=loan.frequency,
        closing_date=ctx.on,
        grace_years=grace,
    )


def tiered_credit_terms(ctx: Context, default_rate_pct: Decimal | None = None) -> CreditTerms:
    """The annual credit at `annual_credit_rate_first_years` for the closing year and the
    next `annual_credit_first_years` - 1 income years, then `annual_credit_rate_later_years`,
    on the mean balance capped at `annual_credit_base_cap`; the one-time credit at
    `default_credit_rate` (or the rate given)."""
    first: Decimal = ctx.value("annual_credit_rate_first_years")
    later: Decimal = ctx.value("annual_credit_rate_later_years")
    first_years: int = ctx.value("annual_credit_first_years")
    last_first_year = ctx.on.year + first_years - 1
    return CreditTerms(
        rate_pct_for_year=lambda year: first if year <= last_first_year else later,
        base_cap=ctx.value("annual_credit_base_cap"),
        default_rate_pct=(
            default_rate_pct if default_rate_pct is not None else ctx.value("default_credit_rate")
        ),
    )


def credit_on(lost: str, rate_pct: Decimal) -> str:
    """The one-time credit on a lost principal (a money string), half up to the cent."""
    credit = (Decimal(lost) * rate_pct / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format(credit, "f")


#: An extra condition of one regime (its id, and the check that reports it).
ExtraCheck = Callable[[Context], Check]


@dataclass(frozen=True)
class FriendsLoan(Regime):
    """A friends-and-family regime: the shared conditions, in the order the laws list
    them, with the regime's region, source, extra borrower conditions and credit terms.

    - `yearly_lender_cap`: the regime caps what a lender lends per calendar year
      (`lender.cap_year`, parameter `lender_year_cap`, field `lender.lent_this_year`);
    - `borrower_checks`: (id, check) of the regime's own borrower conditions;
    - `credit_terms`: the tax credits of a loan closed on the date;
    - `adjust_simulation`: the regime's own additions to the simulation (one shows both
      one-time credits while the exemplary status is unknown);
    - `figure_fields`: fields that only change a figure (listed in `missing` once eligible).
    """

    name: str
    title: str
    region: Region
    source: str
    credit_terms: Callable[[Context], CreditTerms]
    yearly_lender_cap: bool = False
    borrower_checks: tuple[tuple[str, ExtraCheck], ...] = ()
    adjust_simulation: Callable[[Context, dict[str, Any]], dict[str, Any]] | None = None
    figure_fields: Callable[[Context], list[str]] | None = None

    @property
    def condition_ids(self) -> tuple[str, ...]:
        return (
            "regime.in_force",
            *LENDER_CONDITIONS,
            "lender.cap",
            *(("lender.cap_year",) if self.yearly_lender_cap else ()),
            "borrower.sme",
            "borrower.region",
            "borrower.economic_activity",
            *(cid for cid, _ in self.borrower_checks),
            "borrower.cap",
            "loan.duration",
            "loan.rate",
            "loan.repayment",
        )

    def checks(self, ctx: Context) -> list[Check]:
        """Every condition after `regime.in_force`, in `condition_ids` order."""
        case = ctx.case
        lender_caps = [
            check_total_cap(
                ctx, "lender.cap", "lender_cap", case.lender.already_lent, "lender.already_lent"
            )
        ]
        if self.yearly_lender_cap:
            lender_caps.append(
                check_total_cap(
                    ctx,
                    "lender.cap_year",
                    "lender_year_cap",
                    case.lender.lent_this_year,
                    "lender.lent_this_year",
                )
            )
        return [
            *common_lender_checks(ctx, self.region, self.source),
            *lender_caps,
            check_sme(case.borrower, ctx),
            check_region(
                ctx,
                "borrower.region",
                case.borrower.region,
                self.region,
                "borrower.region",
                self.source,
            ),
            check_economic_activity(ctx, self.source),
            *(check(ctx) for _, check in self.borrower_checks),
            check_total_cap(
                ctx,
                "borrower.cap",
                "borrower_cap",
                case.borrower.already_borrowed,
                "borrower.already_borrowed",
            ),
            check_duration(ctx, case.loan.years, "loan.years"),
            check_rate(ctx),
            check_repayment(ctx),
        ]

    def limits(self, ctx: Context) -> dict[str, Any]:
        """The smallest room left under the regime's caps, the rate bounds, the durations."""
        case = ctx.case
        rooms = [ctx.value("lender_cap") - (case.lender.already_lent or Decimal(0))]
        if self.yearly_lender_cap:
            rooms.append(ctx.value("lender_year_cap") - (case.lender.lent_this_year or Decimal(0)))
        rooms.append(ctx.value("borrower_cap") - (case.borrower.already_borrowed or Decimal(0)))
        return loan_limits(ctx, rooms)

    def simulate(self, ctx: Context) -> dict[str, Any] | None:
        """The schedule, withholding and the lender's credits of the loan."""
        terms = loan_terms(ctx)
        if terms is None:
            return None
        simulation = simulate(terms, withholding_rates(ctx), self.credit_terms(ctx))
        if self.adjust_simulation is not None:
            simulation = self.adjust_simulation(ctx, simulation)
        return simulation

    def assess(self, ctx: Context, earlier: Earlier) -> Assessment:
        checks = self.checks(ctx)
        limits = self.limits(ctx)
        figures = self.figure_fields(ctx) if self.figure_fields else []
        return Assessment(checks, limits, lambda: self.simulate(ctx), figures)


#: The lender conditions every friends loan shares, in the order the laws list them.
LENDER_CONDITIONS = (
    "lender.natural_person",
    "lender.professional_capacity",
    "lender.region",
    "lender.employee",
    "lender.spouse",
    "lender.mandate",
    "lender.shareholding",
    "lender.other_loan_as_borrower",
)


def common_lender_checks(ctx: Context, lender_region: str, source: str) -> list[Check]:
    """The lender conditions of `LENDER_CONDITIONS`, in that order."""
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


def check_flag_false(ctx: Context, cid: str, field: str, source: str) -> Check:
    """A yes/no condition that holds when the answer is no (an excluded activity...)."""
    return _flag(ctx, cid, getattr_dotted(ctx.case, field), False, field, source)


def getattr_dotted(case: Case, field: str) -> Any:
    """The value of a dotted case field (`borrower.excluded_sector`)."""
    section, name = field.split(".", 1)
    return getattr(getattr(case, section), name)
