"""Properties of the simulation that hold for every valid loan (hypothesis).

Valid terms: principal 0.01..10,000,000 in cents, rate 0..20 % (three decimals), 1..30
years, every repayment kind and frequency, a capital holiday shorter than the loan, any
closing date the rules cover, withholding that may change between payment dates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from hypothesis import example, given, settings
from hypothesis import strategies as st

from rules.schedule import PERIODS_PER_YEAR, LoanTerms
from rules.simulation import CreditTerms, simulate

D = Decimal
CENT = D("0.01")
# deadline=None: hypothesis' per-example deadline is a timing assertion, and tests never time.
PROPERTY_SETTINGS = settings(max_examples=150, deadline=None)


@st.composite
def loan_terms(draw: st.DrawFn) -> LoanTerms:
    """Any valid LoanTerms."""
    years = draw(st.integers(1, 30))
    return LoanTerms(
        principal=D(draw(st.integers(1, 1_000_000_000))) / 100,
        rate_pct=D(draw(st.integers(0, 20_000))) / 1000,
        years=years,
        repayment=draw(st.sampled_from(["bullet", "annuity", "linear"])),
        frequency=draw(st.sampled_from(sorted(PERIODS_PER_YEAR))),
        closing_date=draw(st.dates(date(2015, 1, 1), date(2035, 12, 31))),
        grace_years=draw(st.integers(0, years - 1)),
    )


@st.composite
def withholding_rates(draw: st.DrawFn) -> Callable[[date], Decimal]:
    """A withholding rate (%) that steps from one value to another on some date."""
    before, after = (
        draw(st.sampled_from(["0", "25", "27", "30"])),
        draw(st.sampled_from(["25", "27", "30", "33.3"])),
    )
    switch = draw(st.dates(date(2015, 1, 1), date(2070, 1, 1)))
    return lambda day: D(before) if day < switch else D(after)


@st.composite
def credit_terms(draw: st.DrawFn) -> CreditTerms:
    """Credit terms like winwin's or proxi's: a rate per year that may drop, a cap."""
    first, later = draw(st.sampled_from(["2.5", "4"])), draw(st.sampled_from(["2.5", "4"]))
    change_year = draw(st.integers(2015, 2070))
    return CreditTerms(
        rate_pct_for_year=lambda year: D(first) if year < change_year else D(later),
        base_cap=D(draw(st.sampled_from([50_000, 75_000, 200_000]))),
        default_rate_pct=D(draw(st.sampled_from([30, 40, 50]))),
    )


class Instalment(NamedTuple):
    """One row of the simulation's schedule, read back from its JSON."""

    date: date
    interest: Decimal
    capital: Decimal
    balance: Decimal
    withholding: Decimal
    net_interest: Decimal


class Credit(NamedTuple):
    """One income year of the simulation's tax credits, read back from its JSON."""

    year: int
    rate_pct: Decimal
    base: Decimal
    credit: Decimal


def schedule_of(terms: LoanTerms, withholding: Callable[[date], Decimal]) -> list[Instalment]:
    """The schedule as `simulate` shows it, money as Decimal."""
    return [
        Instalment(
            date.fromisoformat(row["date"]),
            D(row["interest"]),
            D(row["capital"]),
            D(row["balance"]),
            D(row["withholding"]),
            D(row["net_interest"]),
        )
        for row in simulate(terms, withholding, None)["instalments"]
    ]


def credits_of(
    terms: LoanTerms, withholding: Callable[[date], Decimal], credit: CreditTerms
) -> list[Credit]:
    """The tax credits as `simulate` shows them, rate and money as Decimal."""
    return [
        Credit(row["year"], D(row["rate_pct"]), D(row["base"]), D(row["credit"]))
        for row in simulate(terms, withholding, credit)["tax_credits"]
    ]


@PROPERTY_SETTINGS
@given(loan_terms(), withholding_rates())
def test_capital_parts_sum_to_the_principal(
    terms: LoanTerms, withholding: Callable[[date], Decimal]
) -> None:
    schedule = schedule_of(terms, withholding)
    assert sum(item.capital for item in schedule) == terms.principal
    assert all(item.capital >= 0 and item.interest >= 0 for item in schedule)


@PROPERTY_SETTINGS
@given(loan_terms(), withholding_rates())
def test_balances_never_increase_and_end_at_zero(
    terms: LoanTerms, withholding: Callable[[date], Decimal]
) -> None:
    schedule = schedule_of(terms, withholding)
    balances = [terms.principal] + [item.balance for item in schedule]
    assert all(later <= earlier for earlier, later in zip(balances, balances[1:], strict=False))
    assert schedule[-1].balance == 0
    assert len(schedule) == terms.years * PERIODS_PER_YEAR[terms.frequency]
    holiday = terms.grace_years * PERIODS_PER_YEAR[terms.frequency]
    assert all(item.capital == 0 for item in schedule[:holiday])
    dates = [item.date for item in schedule]
    assert terms.closing_date < dates[0] and dates == sorted(set(dates))


@PROPERTY_SETTINGS
@given(loan_terms(), withholding_rates())
def test_withholding_plus_net_is_gross(
    terms: LoanTerms, withholding: Callable[[date], Decimal]
) -> None:
    for item in schedule_of(terms, withholding):
        assert item.withholding + item.net_interest == item.interest
        expected = (item.interest * withholding(item.date) / 100).quantize(CENT, ROUND_HALF_UP)
        assert item.withholding == expected


@PROPERTY_SETTINGS
@given(loan_terms(), withholding_rates())
@example(  # 900.00 x 12.1 % / 12 = 9.075 exactly: 9.08
    LoanTerms(D("900.00"), D("12.1"), 1, "bullet", "monthly", date(2024, 1, 1)), lambda _: D(30)
)
def test_interest_is_the_exact_balance_times_rate_rounded_half_up(
    terms: LoanTerms, withholding: Callable[[date], Decimal]
) -> None:
    # simulation.md: interest = balance x r rounded to the cent (half up), r = annual /
    # 100 / periods; checked in exact fractions, halves (x.xx5 exactly) rounding up.
    rate = Fraction(terms.rate_pct) / 100 / PERIODS_PER_YEAR[terms.frequency]
    balance = terms.principal
    for item in schedule_of(terms, withholding):
        exact_cents = Fraction(balance) * rate * 100
        assert item.interest * 100 == int(exact_cents + Fraction(1, 2))  # int(): floor, >= 0
        balance = item.balance


@PROPERTY_SETTINGS
@given(loan_terms(), withholding_rates(), credit_terms())
def test_each_year_credit_is_at_most_rate_times_cap(
    terms: LoanTerms, withholding: Callable[[date], Decimal], credit: CreditTerms
) -> None:
    schedule = schedule_of(terms, withholding)
    rows = credits_of(terms, withholding, credit)
    assert [row.year for row in rows] == list(
        range(terms.closing_date.year, schedule[-1].date.year + 1)
    )
    for row in rows:
        ceiling = (credit.base_cap * row.rate_pct / 100).quantize(CENT, ROUND_HALF_UP)
        assert 0 <= row.credit <= ceiling
        assert row.base <= credit.base_cap


@PROPERTY_SETTINGS
@given(loan_terms(), withholding_rates(), st.one_of(st.none(), credit_terms()))
def test_simulate_never_raises_and_adds_up(
    terms: LoanTerms,
    withholding: Callable[[date], Decimal],
    credit: CreditTerms | None,
) -> None:
    result: dict[str, Any] = simulate(terms, withholding, credit)
    rows = result["instalments"]
    assert D(result["total_interest"]) == sum(D(row["interest"]) for row in rows)
    assert D(result["total_net_interest"]) == sum(D(row["net_interest"]) for row in rows)
    total_credits = sum((D(row["credit"]) for row in result["tax_credits"]), D(0))
    assert D(result["total_tax_credits"]) == total_credits
    assert D(result["net_return"]) == D(result["total_net_interest"]) + total_credits
    # the lender never gets back less than he lent, so his yield is never negative
    assert D(result["irr_pct"]) >= 0 and not result["irr_pct"].startswith("-")
    assert D(result["default_credit"]["on_lost_principal"]) == D(rows[0]["balance"])
