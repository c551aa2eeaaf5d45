"""Bad case input is refused with a message naming the field, before anything is evaluated."""

from __future__ import annotations

from typing import Any

import pytest

from rules import CaseError, parse_case


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
