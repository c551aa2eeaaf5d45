"""Bad case input is refused with a message naming the field, before anything is evaluated."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from rules import CaseError, evaluate, parse_case
from rules.case import EARLIEST_CLOSING_DATE, LATEST_CLOSING_DATE
from rules.schedule import LoanTerms, schedule_in_cents
from tests.dialogs.sample_cases import COMPLETE


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ({"closing_date": "15/03/2024"}, "closing_date"),
        ({"closing_date": "2024-02-30"}, "closing_date"),
        ({"closing_date": 20240315}, "closing_date"),
        ({"lender": {"region": "mars"}}, "lender.region"),
        ({"borrower": {"legal_form": "bv"}}, "borrower.legal_form"),
        ({"loan": {"amount": "-1"}}, "loan.amount"),
        ({"loan": {"amount": "abc"}}, "loan.amount"),
        ({"loan": {"amount": 1.5}}, "loan.amount"),
        ({"loan": {"amount": "1e5"}}, "loan.amount"),
        ({"loan": {"amount": "10.505"}}, "loan.amount"),
        ({"loan": {"rate_pct": "1.23456"}}, "loan.rate_pct"),
        ({"borrower": {"staff": "12.125"}}, "borrower.staff"),
        ({"loan": {"years": "5"}}, "loan.years"),
        ({"loan": {"years": 5.0}}, "loan.years"),
        ({"loan": {"years": 0}}, "loan.years"),
        ({"loan": {"repayment": "balloon"}}, "loan.repayment"),
        ({"lender": {"shareholding_pct": "120"}}, "lender.shareholding_pct"),
        ({"lender": {"natural_person": "yes"}}, "lender.natural_person"),
        ({"borrower": {"partners": [{"staff": "3"}]}}, "borrower.partners.0.held_pct"),
        ({"lender": {"regio": "flanders"}}, "lender.regio"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_bad_field_is_named(case: dict[str, Any], field: str) -> None:
    with pytest.raises(CaseError) as caught:
        parse_case(case)
    assert caught.value.field == field
    assert str(caught.value).startswith(field)


def test_not_an_object() -> None:
    with pytest.raises(CaseError):
        parse_case(["closing_date"])


def test_round_trip_keeps_strings_for_money() -> None:
    data = {"closing_date": "2024-03-15", "loan": {"amount": "10000.50", "years": 5}}
    assert parse_case(data).to_json()["loan"] == {"amount": "10000.50", "years": 5}


@pytest.mark.parametrize("day", ["9999-12-31", "2101-01-01", "1899-12-31", "0001-01-01"])
def test_closing_date_far_outside_any_loan_is_refused(day: str) -> None:
    """Far past or future closing dates are refused by field (a loan of 50 years closed
    near 9999 would overflow the calendar in the schedule)."""
    with pytest.raises(CaseError) as caught:
        parse_case({"closing_date": day})
    assert caught.value.field == "closing_date"
    assert "1900-01-01" in caught.value.message and "2100-12-31" in caught.value.message


@pytest.mark.parametrize("day", ["1900-01-01", "2014-12-31", "2100-12-31"])
def test_closing_dates_within_the_bounds_are_kept(day: str) -> None:
    assert parse_case({"closing_date": day}).to_json()["closing_date"] == day


@pytest.mark.parametrize("bound", [EARLIEST_CLOSING_DATE, LATEST_CLOSING_DATE])
def test_the_bounds_leave_room_for_the_longest_loan(bound: dt.date) -> None:
    """The longest loan the case accepts (50 years, a 49-year holiday, every frequency)
    can be scheduled from either bound, from the 31st (the day clamping path) too."""
    for frequency in ("monthly", "quarterly", "half_yearly", "annual"):
        for repayment in ("bullet", "annuity", "linear"):
            terms = LoanTerms(
                principal=Decimal("20000"),
                rate_pct=Decimal("4.5"),
                years=50,
                repayment=repayment,
                frequency=frequency,
                closing_date=bound.replace(day=31),
                grace_years=49,
            )
            schedule = schedule_in_cents(terms, lambda _day: Decimal("30"))
            assert schedule.dates[-1].year == bound.year + 50


@pytest.mark.parametrize("day", ["1900-01-01", "2100-12-31"])
def test_a_complete_case_on_a_bound_is_evaluated(day: str) -> None:
    """Both bounds evaluate without error: the scope rule says 'not covered' for 1900,
    and 2100 gets the last known parameters (with their simulation)."""
    answer = evaluate(parse_case({**COMPLETE, "closing_date": day}))
    assert [r["regime"] for r in answer["regimes"]][:3] == ["winwin", "proxi", "cofinanciering"]
    winwin = answer["regimes"][0]
    if day == "1900-01-01":
        assert winwin["verdict"] == "not_eligible"
    else:
        assert winwin["simulation"]["instalments"][-1]["date"].startswith("2108-")


@pytest.mark.parametrize("amount", ["0", "0.00", "000", 0])
def test_a_loan_of_nothing_is_refused_by_field(amount: Any) -> None:
    """Found by bench/fuzz.py: a loan amount of 0 passed the validation, and the eligible
    case then crashed the simulation (`principal must be positive`), a 500 on the API."""
    case = {**COMPLETE, "loan": {**COMPLETE["loan"], "amount": amount}}
    with pytest.raises(CaseError) as refused:
        parse_case(case)
    assert refused.value.field == "loan.amount"


@pytest.mark.parametrize("amount", ["0.01", "0.5", "00.05", "1", 1])
def test_the_smallest_loans_are_kept(amount: Any) -> None:
    case = {**COMPLETE, "loan": {**COMPLETE["loan"], "amount": amount}}
    assert parse_case(case).loan.amount == Decimal(str(amount))
