"""`evaluate(case)`: the answer of the evaluate contract for one case.

Per regime (always winwin, proxi, cofinanciering, in that order): the verdict, every
condition with its status and source, what is still missing (most decisive first),
the limits for this case on the closing date, and the simulation once eligible.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from rules.case import Case, parse_case
from rules.conditions import Check, Context, ordered_missing, verdict
from rules.friends_loan import in_force
from rules.params import ParameterSet, load_all, load_meta
from rules.regimes import cofinanciering, proxi, winwin
from rules.simulation import CreditTerms, LoanTerms, simulate

CONTRACT = "leenwijzer.evaluate/1"
#: Closing dates are Belgian dates: "today" is today in Brussels.
BELGIAN_TIME = ZoneInfo("Europe/Brussels")
REGIME_ORDER = ("winwin", "proxi", "cofinanciering")
_MODULES = {"winwin": winwin, "proxi": proxi}


def rules_version() -> str:
    """The version of the rules (parameters and conditions) every answer carries."""
    return load_meta().rules_version


def _regime_answer(name: str, checks: list[Check], limits: dict[str, Any]) -> dict[str, Any]:
    outcome = verdict(checks)
    return {
        "regime": name,
        "verdict": outcome,
        "conditions": [c.to_json() for c in checks],
        "missing": ordered_missing(checks) if outcome == "needs_info" else [],
        "limits": limits,
    }


def _not_covered(name: str, on: dt.date, covered_from: dt.date) -> dict[str, Any]:
    check = Check(
        "regime.in_force",
        "fail",
        {
            "reason": "not_covered",
            "covered_from": covered_from.isoformat(),
            "given": on.isoformat(),
        },
        "leenwijzer covers loans closed from 2015-01-01 (shared/domain/README.md, Scope)",
    )
    return _regime_answer(name, [check], {})


def _withholding(ctx: Context) -> Callable[[dt.date], Decimal]:
    """The withholding rate on a payment date; rates only change on 1 January, so each
    year's rate is looked up once."""
    by_year: dict[int, Decimal] = {}

    def rate_on(day: dt.date) -> Decimal:
        if day.year not in by_year:
            by_year[day.year] = ctx.value("withholding_tax_rate", shared=True, on=day)
        return by_year[day.year]

    return rate_on


def _friends_loan_simulation(ctx: Context, credit: CreditTerms) -> dict[str, Any]:
    loan = ctx.case.loan
    assert loan.amount is not None and loan.rate_pct is not None and loan.years is not None
    assert loan.repayment is not None and loan.frequency is not None
    terms = LoanTerms(
        principal=loan.amount,
        rate_pct=loan.rate_pct,
        years=loan.years,
        repayment=loan.repayment,
        frequency=loan.frequency,
        closing_date=ctx.on,
        grace_years=loan.grace_years or 0,
    )
    return simulate(terms, _withholding(ctx), credit)


def _cofinanciering_simulation(ctx: Context, principal: Decimal) -> dict[str, Any]:
    """PMV's loan to the borrower: no withholding, no tax credits (PMV is not a private
    lender); the friends loan's repayment kind and frequency, else a monthly annuity."""
    project, loan = ctx.case.project, ctx.case.loan
    assert project.pmv_years is not None
    terms = LoanTerms(
        principal=principal,
        rate_pct=ctx.value("price_pct"),
        years=project.pmv_years,
        repayment=loan.repayment or "annuity",
        frequency=loan.frequency or "monthly",
        closing_date=ctx.on,
    )
    return simulate(terms, lambda _day: Decimal(0), None)


class _Evaluation:
    """One evaluation: the contexts per regime and the warnings they raise."""

    def __init__(self, case: Case, on: dt.date, params: dict[str, ParameterSet]):
        self.case, self.on, self.params = case, on, params
        self.uncertain: list[tuple[str, str]] = []
        self.legal_rate_used = False

    def context(self, name: str) -> Context:
        return Context(self.case, self.on, self.params[name], self.params["common"])

    def note_doubts(self, doubts: list[tuple[str, str]]) -> None:
        for parameter, note in doubts:
            if all(note != seen for _, seen in self.uncertain):
                self.uncertain.append((parameter, note))

    def note_deciding_doubts(self, checks: list[Check], outcome: str) -> None:
        """Disputed values matter where they decide: the failing conditions of a regime
        that does not apply, every known condition of one that does (or may)."""
        deciding = "fail" if outcome == "not_eligible" else None
        for check in checks:
            if check.status != "unknown" and (deciding is None or check.status == deciding):
                self.note_doubts(check.doubts)

    def friends_loan(self, name: str) -> dict[str, Any]:
        module = _MODULES[name]
        ctx = self.context(name)
        start = in_force(ctx)
        if start.status == "fail":
            return _regime_answer(name, [start], {})
        checks = [start, *module.checks(ctx)]
        limits = module.limits(ctx)
        self.legal_rate_used = True
        ctx.doubts = []
        answer = _regime_answer(name, checks, limits)
        self.note_deciding_doubts(checks, answer["verdict"])
        if answer["verdict"] == "eligible":
            answer["simulation"] = _friends_loan_simulation(ctx, module.credit_terms(ctx))
            self.note_doubts(ctx.doubts)
        return answer

    def cofinanciering(self, winwin: dict[str, Any]) -> dict[str, Any]:
        """Cofinanciering; a winwinlening counts as own contribution once it is eligible.

        While winwin is still undecided, the project conditions are judged both with and
        without the winwinlening: where the two disagree, the condition is unknown and
        needs what winwin still needs.
        """
        ctx = self.context("cofinanciering")
        start = in_force(ctx)
        if start.status == "fail":
            return _regime_answer("cofinanciering", [start], {})
        winwin_eligible = winwin["verdict"] == "eligible"
        checks = [start, *cofinanciering.checks(ctx, winwin_eligible)]
        if winwin["verdict"] == "needs_info" and self.case.loan.amount is not None:
            with_winwin = cofinanciering.checks(self.context("cofinanciering"), True)
            checks = [start] + [
                alone
                if alone.status == counted.status
                else Check(
                    alone.id, "unknown", alone.detail, alone.source, tuple(winwin["missing"])
                )
                for alone, counted in zip(checks[1:], with_winwin, strict=True)
            ]
        limits = cofinanciering.limits(ctx, winwin_eligible)
        ctx.doubts = []
        answer = _regime_answer("cofinanciering", checks, limits)
        self.note_deciding_doubts(checks, answer["verdict"])
        if answer["verdict"] == "eligible":
            principal = self.case.project.pmv_amount or Decimal(limits["max_amount"])
            answer["simulation"] = _cofinanciering_simulation(ctx, principal)
            self.note_doubts(ctx.doubts)
        return answer


def evaluate(case: Case | dict[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """Evaluate a case (a `Case` or contract JSON) on its closing date.

    Without a closing date the case is evaluated as of `today` (default: the system date)
    and says so in a `closing_date_assumed` warning. Raises `CaseError` on invalid input.
    """
    parsed = parse_case(case)
    meta = load_meta()
    warnings: list[dict[str, Any]] = []
    on = parsed.closing_date
    if on is None:
        on = today or dt.datetime.now(BELGIAN_TIME).date()
        warnings.append({"code": "closing_date_assumed", "detail": {"date": on.isoformat()}})

    if on < meta.covered_from:
        warnings.append(
            {"code": "date_not_covered", "detail": {"covered_from": meta.covered_from.isoformat()}}
        )
        regimes = [_not_covered(name, on, meta.covered_from) for name in REGIME_ORDER]
    else:
        run = _Evaluation(parsed, on, load_all())
        winwin_answer = run.friends_loan("winwin")
        proxi_answer = run.friends_loan("proxi")
        cofi_answer = run.cofinanciering(winwin_answer)
        regimes = [winwin_answer, proxi_answer, cofi_answer]
        legal_rate = run.params["common"]["legal_interest_rate"]
        if run.legal_rate_used and legal_rate.is_provisional(on):
            warnings.append({"code": "legal_rate_provisional", "detail": {"year": on.year}})
        warnings.extend(
            {"code": "parameter_uncertain", "detail": {"parameter": parameter, "note": note}}
            for parameter, note in run.uncertain
        )

    return {
        "contract": CONTRACT,
        "rules_version": meta.rules_version,
        "closing_date": on.isoformat(),
        "warnings": warnings,
        "regimes": regimes,
    }
