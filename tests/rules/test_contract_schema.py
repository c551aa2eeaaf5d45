"""Every answer validates against the JSON Schema the project ships, for any valid case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from rules import evaluate, parse_case
from rules.schemas import answer_schema, case_schema

VALIDATOR = Draft202012Validator(answer_schema())


def test_schema_is_valid() -> None:
    Draft202012Validator.check_schema(answer_schema())
    assert "properties" in case_schema()


def _optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


money = st.decimals(min_value=0, max_value=10_000_000, places=2).map(lambda d: format(d, "f"))
#: A loan lends something: 0 is refused by field (`loan.amount`).
loan_amount = st.decimals(min_value="0.01", max_value=10_000_000, places=2).map(
    lambda d: format(d, "f")
)
pct = st.decimals(min_value=0, max_value=100, places=3).map(lambda d: format(d, "f"))
boolean = st.booleans()
region = st.sampled_from(["flanders", "brussels", "wallonia", "abroad"])

partner = st.fixed_dictionaries(
    {"held_pct": pct},
    optional={"linked": boolean, "staff": money, "turnover": money, "balance_sheet": money},
)
lender = st.fixed_dictionaries(
    {},
    optional={
        "region": region,
        "natural_person": boolean,
        "professional_capacity": boolean,
        "employee_of_borrower": boolean,
        "spouse_of_borrower": boolean,
        "director_of_borrower": boolean,
        "shareholding_pct": pct,
        "borrower_in_other_loan": boolean,
        "already_lent": money,
        "lent_this_year": money,
    },
)
borrower = st.fixed_dictionaries(
    {},
    optional={
        "legal_form": st.sampled_from(["self_employed", "company", "nonprofit"]),
        "region": region,
        "economic_activity": boolean,
        "staff": money,
        "turnover": money,
        "balance_sheet": money,
        "partners": st.lists(partner, max_size=3),
        "public_control_pct": pct,
        "excluded_sector": boolean,
        "exemplary": boolean,
        "already_borrowed": money,
    },
)
loan = st.fixed_dictionaries(
    {},
    optional={
        "amount": loan_amount,
        "rate_pct": st.decimals(0, 20, places=3).map(lambda d: format(d, "f")),
        "years": st.integers(1, 15),
        "repayment": st.sampled_from(["bullet", "annuity", "linear"]),
        "frequency": st.sampled_from(["monthly", "quarterly", "half_yearly", "annual"]),
        "grace_years": st.integers(0, 3),
    },
)
project = st.fixed_dictionaries(
    {},
    optional={
        "investment_need": money,
        "own_contribution": money,
        "partner_financing": money,
        "partner_years": st.integers(1, 15),
        "pmv_years": st.integers(1, 15),
        "pmv_amount": money,
    },
)
case = st.fixed_dictionaries(
    {},
    optional={
        "closing_date": st.dates(dt.date(2013, 1, 1), dt.date(2029, 12, 31)).map(dt.date.isoformat),
        "lender": lender,
        "borrower": borrower,
        "loan": loan,
        "project": project,
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case)
def test_any_valid_case_evaluates_to_a_schema_valid_answer(data: dict[str, Any]) -> None:
    parse_case(data)
    answer = evaluate(data, today=dt.date(2026, 11, 21))
    errors = sorted(VALIDATOR.iter_errors(answer), key=str)
    assert not errors, errors[0]
    for regime in answer["regimes"]:
        statuses = {c["status"] for c in regime["conditions"]}
        if regime["verdict"] == "eligible":
            assert statuses == {"pass"}
        elif regime["verdict"] == "not_eligible":
            assert "fail" in statuses and regime["missing"] == []
        else:
            assert "fail" not in statuses and regime["missing"], regime
