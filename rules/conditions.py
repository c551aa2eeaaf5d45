"""Conditions: the named checks a regime is made of, and what each one reports.

Every condition has a stable dotted id (the table below is the one place they are
documented); the dialogs render their explanations from these ids and the `detail`
values, so an id never changes meaning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from rules.case import Case
from rules.params import Parameter, ParameterSet

Status = Literal["pass", "fail", "unknown"]

#: Every condition id and what it tests: the one place they are documented. Which regime
#: uses which is each regime's own `condition_ids` (see `rules.regimes`).
CONDITIONS: dict[str, str] = {
    "regime.in_force": "the regime exists on the closing date, the date is in leenwijzer's scope and the regime's continuation is confirmed",
    "lender.natural_person": "the lender is a natural person",
    "lender.professional_capacity": "the lender lends outside his business or professional activity",
    "lender.region": "the lender lives (fiscal domicile) in the regime's region",
    "lender.employee": "the lender is not an employee of the borrower",
    "lender.spouse": "for a self-employed borrower, the lender is not his spouse or legal cohabitant",
    "lender.mandate": "for a legal person, neither the lender nor his spouse/partner holds a mandate there",
    "lender.shareholding": "the lender's shareholding (with spouse/partner) is within the limit",
    "lender.other_loan_as_borrower": "the lender is not himself a borrower under another loan of the regime",
    "lender.cap": "the lender's outstanding total, this loan included, is within the lender cap",
    "lender.cap_year": "what the lender lends in the closing year, this loan included, is within the yearly cap",
    "borrower.sme": "the borrower is an SME (EU definition, partner and linked enterprises included), by its figures or as declared",
    "borrower.region": "the borrower's operating seat / establishment unit is in the regime's region",
    "borrower.economic_activity": "the borrower has an economic activity (a non-profit must say so)",
    "borrower.cap": "the borrower's total under the regime, this loan included, is within the borrower cap",
    "borrower.excluded_sector": "the borrower is not mainly active in an excluded sector",
    "borrower.excluded_activity": "the borrower is not an investment, financing, cash-management, private real-estate or management company, nor listed",
    "borrower.age": "the enterprise is registered for fewer years than the limit (where a limit applies on the closing date)",
    "loan.duration": "the duration is one of the allowed whole numbers of years",
    "loan.rate": "the rate lies between half the legal interest rate and the legal interest rate",
    "loan.repayment": "the repayment kind, frequency and capital holiday are allowed",
    "project.amount": "the PMV amount is within the ceiling, a multiple of the own contribution and a share of the need",
    "project.own_contribution": "the own contribution (an eligible friends loan included) is at least a share of the need",
    "project.partner_share": "the partner's co-financing is at least a share of the need",
    "project.partner_duration": "the partner's loan runs at most a number of years shorter than the PMV loan",
    "project.capital_holiday": "the PMV loan's capital holiday is within its limit",
}

#: Case fields, most decisive first: the order in which `missing` lists them.
FIELD_ORDER: tuple[str, ...] = (
    "closing_date",
    "lender.region",
    "borrower.region",
    "lender.natural_person",
    "lender.professional_capacity",
    "borrower.legal_form",
    "lender.employee_of_borrower",
    "lender.spouse_of_borrower",
    "lender.director_of_borrower",
    "lender.shareholding_pct",
    "lender.borrower_in_other_loan",
    "borrower.economic_activity",
    "borrower.excluded_sector",
    "borrower.excluded_activity",
    "borrower.years_registered",
    "borrower.sme_declared",
    "borrower.staff",
    "borrower.turnover",
    "borrower.balance_sheet",
    "borrower.partners",
    "borrower.public_control_pct",
    "loan.amount",
    "lender.already_lent",
    "lender.lent_this_year",
    "borrower.already_borrowed",
    "loan.years",
    "loan.rate_pct",
    "loan.repayment",
    "loan.frequency",
    "loan.grace_years",
    "borrower.exemplary",
    "project.investment_need",
    "project.own_contribution",
    "project.partner_financing",
    "project.pmv_years",
    "project.partner_years",
    "project.pmv_grace_years",
)
_FIELD_RANK = {name: rank for rank, name in enumerate(FIELD_ORDER)}


def money(value: Decimal) -> str:
    """A Decimal as a plain decimal string for `detail` (no exponent)."""
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


@dataclass
class Check:
    """The outcome of one condition."""

    id: str
    status: Status
    detail: dict[str, Any]
    source: str
    needs: tuple[str, ...] = ()
    doubts: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "status": self.status, "detail": self.detail, "source": self.source}


@dataclass
class Context:
    """What a regime's conditions read: the case, the closing date and the parameters.

    Parameter reads go through `value()`, which records every parameter read (`read`) and,
    for a value whose date or source the sources dispute (an uncertainty window), the
    doubt with the condition it decided. `overrides` replaces a parameter's value (by its
    `file.name` key): the evaluation re-runs a regime with a disputed parameter's other
    value to see whether that parameter decides anything.
    """

    case: Case
    on: dt.date
    params: ParameterSet
    common: ParameterSet
    overrides: dict[str, Any] = field(default_factory=dict)
    doubts: list[tuple[str, str]] = field(default_factory=list)
    read: set[str] = field(default_factory=set)

    def _param(self, name: str, shared: bool) -> tuple[str, Parameter]:
        source = self.common if shared else self.params
        return f"{source.name}.{name}", source[name]

    def value(self, name: str, *, shared: bool = False, on: dt.date | None = None) -> Any:
        """The parameter's value on the closing date (or `on`), noting any dispute."""
        key, parameter = self._param(name, shared)
        self.read.add(key)
        if on is None and key in self.overrides:
            return self.overrides[key]
        day = on or self.on
        note = parameter.doubt(day)
        if note and (key, note) not in self.doubts:
            self.doubts.append((key, note))
        return parameter.at(day)

    def source(self, name: str, *, shared: bool = False) -> str:
        """The source text of the parameter's value in force on the closing date."""
        return self._param(name, shared)[1].entry(self.on)[1].source

    def check(
        self,
        cid: str,
        status: Status,
        detail: dict[str, Any],
        source: str,
        needs: tuple[str, ...] = (),
    ) -> Check:
        """Build a Check and hand it the doubts collected since the previous one."""
        made = Check(cid, status, detail, source, needs if status == "unknown" else (), self.doubts)
        self.doubts = []
        return made


def passes(ok: bool) -> Status:
    """ "pass" when the condition holds, else "fail"."""
    return "pass" if ok else "fail"


def ordered_missing(checks: list[Check]) -> list[str]:
    """The fields the unknown checks need, deduplicated, most decisive first."""
    wanted = {name for c in checks if c.status == "unknown" for name in c.needs}
    return sorted(wanted, key=lambda name: (_FIELD_RANK.get(name, len(_FIELD_RANK)), name))


def verdict(checks: list[Check]) -> str:
    """eligible / not_eligible / needs_info, as the contract defines them."""
    if any(c.status == "fail" for c in checks):
        return "not_eligible"
    if all(c.status == "pass" for c in checks):
        return "eligible"
    return "needs_info"
