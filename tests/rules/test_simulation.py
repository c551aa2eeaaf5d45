"""The loan simulation against the worked examples of simulation.md and the conventions.

The worked examples are data: every figure listed in `shared/domain/simulation.md` is
written down once below and checked to the cent.
"""

from __future__ import annotations

import math
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rules.schedule import (
    LoanTerms,
    add_months,
    level_payment_cents,
    round_half_up,
    schedule_in_cents,
)
from rules.simulation import (
    CONVENTIONS,
    CreditTerms,
    balance_at_end_of,
    credit_years,
    lender_cash_flows,
    simulate,
    yield_pct,
)

D = Decimal


def flat(pct: str) -> Any:
    """A withholding or credit rate that never changes."""
    return lambda _: D(pct)


def column(result: dict[str, Any], key: str) -> list[str]:
    """One column of the simulation's instalments (money as the contract's strings)."""
    return [row[key] for row in result["instalments"]]


WINWIN_2024 = CreditTerms(rate_pct_for_year=flat("2.5"), base_cap=D(75000), default_rate_pct=D(30))

# --- Example 1: winwinlening 20,000, closed 2024-03-15, 8 years, 4.5 %, monthly annuity.
EXAMPLE_1 = LoanTerms(D("20000"), D("4.5"), 8, "annuity", "monthly", date(2024, 3, 15))
EXAMPLE_1_FIGURES = {
    "total_interest": "3852.68",
    "total_withholding": "1155.86",
    "total_net_interest": "2696.82",
    "total_tax_credits": "1994.81",
}
EXAMPLE_1_LEVEL = "248.46"
EXAMPLE_1_LAST = {"date": "2032-03-15", "interest": "0.93", "capital": "248.05", "balance": "0.00"}
EXAMPLE_1_CREDITS = {
    2024: "230.19",
    2025: "432.91",
    2026: "376.70",
    2027: "317.91",
    2028: "256.42",
    2029: "192.11",
    2030: "124.84",
    2031: "54.48",
    2032: "9.25",
}

# --- Example 2: 30,000, closed 2025-01-01, 6 years, 2.25 %, quarterly linear, 1 year holiday.
EXAMPLE_2 = LoanTerms(D("30000"), D("2.25"), 6, "linear", "quarterly", date(2025, 1, 1), 1)
EXAMPLE_2_HOLIDAY = [  # (n, date) of the interest-only instalments
    (1, "2025-04-01"),
    (2, "2025-07-01"),
    (3, "2025-10-01"),
    (4, "2026-01-01"),
]
EXAMPLE_2_ROWS = [  # (n, date, interest, capital, balance)
    (5, "2026-04-01", "168.75", "1500.00", "28500.00"),
    (24, "2031-01-01", "8.44", "1500.00", "0.00"),
]
EXAMPLE_2_CREDITS = {
    2025: "750.00",
    2026: "693.75",
    2027: "543.75",
    2028: "393.75",
    2029: "243.75",
    2030: "93.75",
    2031: "0.00",
}
EXAMPLE_2_FIGURES = {"total_interest": "2446.90", "total_tax_credits": "2718.75"}


@pytest.fixture(scope="module")
def example_1() -> dict[str, Any]:
    return simulate(EXAMPLE_1, flat("30"), WINWIN_2024)


@pytest.fixture(scope="module")
def example_2() -> dict[str, Any]:
    return simulate(EXAMPLE_2, flat("30"), WINWIN_2024)


@pytest.mark.parametrize(("figure", "value"), EXAMPLE_1_FIGURES.items())
def test_example_1_totals(example_1: dict[str, Any], figure: str, value: str) -> None:
    assert example_1[figure] == value


def test_example_1_constant_instalment(example_1: dict[str, Any]) -> None:
    rows = example_1["instalments"]
    assert len(rows) == 96
    for row in rows[:-1]:
        assert D(row["interest"]) + D(row["capital"]) == D(EXAMPLE_1_LEVEL), row


def test_example_1_last_instalment(example_1: dict[str, Any]) -> None:
    last = example_1["instalments"][-1]
    assert {key: last[key] for key in EXAMPLE_1_LAST} == EXAMPLE_1_LAST
    assert D(last["interest"]) + D(last["capital"]) == D("248.98")


def test_example_1_tax_credits(example_1: dict[str, Any]) -> None:
    credits = {row["year"]: row["credit"] for row in example_1["tax_credits"]}
    assert credits == EXAMPLE_1_CREDITS
    assert {row["rate_pct"] for row in example_1["tax_credits"]} == {"2.5"}


def test_example_1_net_return_and_default(example_1: dict[str, Any]) -> None:
    assert example_1["net_return"] == "4691.63"  # 2,696.82 net interest + 1,994.81 credits
    first_balance = example_1["instalments"][0]["balance"]
    assert example_1["default_credit"] == {
        "rate_pct": "30",
        "on_lost_principal": first_balance,
        "credit": "5947.96",  # 30 % of 19,826.54
    }


@pytest.mark.parametrize(("n", "day"), EXAMPLE_2_HOLIDAY)
def test_example_2_holiday(example_2: dict[str, Any], n: int, day: str) -> None:
    row = example_2["instalments"][n - 1]
    assert (row["date"], row["interest"], row["capital"], row["balance"]) == (
        day,
        "168.75",
        "0.00",
        "30000.00",
    )


@pytest.mark.parametrize(("n", "day", "interest", "capital", "balance"), EXAMPLE_2_ROWS)
def test_example_2_instalments(
    example_2: dict[str, Any], n: int, day: str, interest: str, capital: str, balance: str
) -> None:
    row = example_2["instalments"][n - 1]
    assert (row["n"], row["date"], row["interest"], row["capital"], row["balance"]) == (
        n,
        day,
        interest,
        capital,
        balance,
    )


def test_example_2_capital_parts(example_2: dict[str, Any]) -> None:
    rows = example_2["instalments"]
    assert len(rows) == 24
    assert [row["capital"] for row in rows[4:]] == ["1500.00"] * 20


@pytest.mark.parametrize(("figure", "value"), EXAMPLE_2_FIGURES.items())
def test_example_2_totals(example_2: dict[str, Any], figure: str, value: str) -> None:
    assert example_2[figure] == value


def test_example_2_tax_credits(example_2: dict[str, Any]) -> None:
    assert {row["year"]: row["credit"] for row in example_2["tax_credits"]} == EXAMPLE_2_CREDITS


# --- The shape of the contract's `simulation` object.

SIMULATION_KEYS = {
    "conventions",
    "instalments",
    "total_interest",
    "total_withholding",
    "total_net_interest",
    "tax_credits",
    "total_tax_credits",
    "default_credit",
    "net_return",
    "irr_pct",
}
MONEY = re.compile(r"^-?\d+\.\d{2}$")


def test_simulation_has_exactly_the_contract_fields(example_1: dict[str, Any]) -> None:
    assert set(example_1) == SIMULATION_KEYS
    assert set(example_1["instalments"][0]) == {
        "n",
        "date",
        "interest",
        "capital",
        "balance",
        "withholding",
        "net_interest",
    }
    assert set(example_1["tax_credits"][0]) == {"year", "rate_pct", "base", "credit"}
    assert set(example_1["default_credit"]) == {"rate_pct", "on_lost_principal", "credit"}


def test_money_is_a_string_with_two_decimals() -> None:
    terms = LoanTerms(D("5000"), D("3"), 5, "bullet", "annual", date(2021, 5, 31))
    result = simulate(terms, flat("30"), WINWIN_2024)
    money = [
        result[key]
        for key in SIMULATION_KEYS - {"conventions", "instalments"}
        if isinstance(result[key], str)
    ]
    for row in result["instalments"]:
        money += [row[key] for key in ("interest", "capital", "balance", "withholding")]
        money.append(row["net_interest"])
    for row in result["tax_credits"]:
        money += [row["base"], row["credit"]]
    money += [result["default_credit"]["on_lost_principal"], result["default_credit"]["credit"]]
    assert all(MONEY.match(value) for value in money), money


def test_conventions_line_names_the_rounding_and_credit_date(example_1: dict[str, Any]) -> None:
    line = example_1["conventions"]
    assert "\n" not in line
    assert "rounded to the cent" in line
    assert "30 June" in line


# --- Schedule conventions.


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year: clamped to 29 Feb
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2025, 1, 31), 2, date(2025, 3, 31)),  # counted from the closing, not the last
        (date(2024, 8, 31), 1, date(2024, 9, 30)),
        (date(2024, 11, 15), 3, date(2025, 2, 15)),  # across the year end
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_dates_stay_on_the_closing_day_after_a_short_month() -> None:
    terms = LoanTerms(D("1200"), D("2"), 1, "linear", "monthly", date(2025, 1, 31))
    dates = schedule_in_cents(terms, flat("30")).dates
    assert dates[:3] == [date(2025, 2, 28), date(2025, 3, 31), date(2025, 4, 30)]
    assert column(simulate(terms, flat("30"), None), "date")[:3] == [
        "2025-02-28",
        "2025-03-31",
        "2025-04-30",
    ]


def test_bullet_pays_interest_only_then_the_principal() -> None:
    terms = LoanTerms(D("10000"), D("3"), 5, "bullet", "annual", date(2024, 6, 1))
    result = simulate(terms, flat("30"), None)
    assert column(result, "interest") == ["300.00"] * 5
    assert column(result, "capital") == ["0.00"] * 4 + ["10000.00"]
    assert column(result, "withholding") == ["90.00"] * 5


def test_annuity_at_rate_zero_is_principal_over_periods() -> None:
    assert level_payment_cents(100_000, Fraction(0), 3) == 33_333
    terms = LoanTerms(D("1000"), D("0"), 1, "annuity", "quarterly", date(2024, 1, 1))
    result = simulate(terms, flat("30"), None)
    assert column(result, "capital") == ["250.00"] * 4
    assert column(result, "interest") == ["0.00"] * 4


def test_annuity_with_a_holiday_spreads_over_the_periods_left() -> None:
    terms = LoanTerms(D("12000"), D("6"), 3, "annuity", "annual", date(2024, 1, 10), 1)
    rows = simulate(terms, flat("30"), None)["instalments"]
    level = level_payment_cents(1_200_000, Fraction(6, 100), 2)
    assert level == 654_524
    assert rows[0]["capital"] == "0.00" and rows[0]["interest"] == "720.00"
    assert D(rows[1]["interest"]) + D(rows[1]["capital"]) == D("6545.24")
    assert rows[-1]["balance"] == "0.00"


def test_linear_last_instalment_absorbs_the_rounding() -> None:
    odd = LoanTerms(D("100"), D("1"), 1, "linear", "monthly", date(2024, 1, 1))
    capitals = column(simulate(odd, flat("30"), None), "capital")
    assert capitals[:-1] == ["8.33"] * 11
    assert capitals[-1] == "8.37"


def test_withholding_follows_the_rate_on_each_payment_date() -> None:
    def withholding(day: date) -> Decimal:
        return D(30) if day >= date(2017, 1, 1) else D(27)

    terms = LoanTerms(D("10000"), D("2"), 2, "bullet", "half_yearly", date(2015, 7, 1))
    result = simulate(terms, withholding, None)
    assert column(result, "withholding") == ["27.00"] * 2 + ["30.00"] * 2
    assert column(result, "net_interest") == ["73.00"] * 2 + ["70.00"] * 2


def test_withholding_is_rounded_half_up_per_instalment() -> None:
    terms = LoanTerms(D("10"), D("12"), 1, "bullet", "monthly", date(2024, 1, 1))
    first = simulate(terms, flat("30"), None)["instalments"][0]
    assert first["interest"] == "0.10"
    assert first["withholding"] == "0.03"  # 0.030 exactly
    odd = LoanTerms(D("15"), D("12"), 1, "bullet", "monthly", date(2024, 1, 1))
    first = simulate(odd, flat("30"), None)["instalments"][0]
    assert first["interest"] == "0.15"
    assert first["withholding"] == "0.05"  # 0.045 rounds half up


# --- Balance on a day.


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 12, 31), 0),  # before the closing
        (date(2026, 1, 1), 120_000),  # the closing day itself
        (date(2026, 1, 31), 120_000),  # the day before the first instalment
        (date(2026, 2, 1), 110_000),  # end of the instalment day: paid
        (date(2026, 12, 31), 10_000),
        (date(2027, 1, 1), 0),
        (date(2030, 1, 1), 0),
    ],
)
def test_balance_on_a_day(day: date, expected: int) -> None:
    terms = LoanTerms(D("1200"), D("0"), 1, "linear", "monthly", date(2026, 1, 1))
    schedule = schedule_in_cents(terms, flat("30"))
    assert balance_at_end_of(terms, schedule, day) == expected


# --- Tax credits.


def test_credit_base_is_capped_on_both_balances() -> None:
    # linear 120,000 over 4 years, closed 1 July: 120k, 90k, 60k, 30k, 0 on each 1 July
    terms = LoanTerms(D("120000"), D("1"), 4, "linear", "annual", date(2024, 7, 1))
    rows = simulate(terms, flat("30"), WINWIN_2024)["tax_credits"]
    assert [(row["year"], row["base"]) for row in rows] == [
        (2024, "37500.00"),  # (0 + min(120k, 75k)) / 2
        (2025, "75000.00"),  # both capped
        (2026, "67500.00"),  # (min(90k, 75k) + 60k) / 2
        (2027, "45000.00"),
        (2028, "15000.00"),
    ]
    assert [row["credit"] for row in rows] == ["937.50", "1875.00", "1687.50", "1125.00", "375.00"]


def test_credit_is_rounded_once_from_the_unrounded_mean() -> None:
    # mean (0 + 20,000.39) / 2 = 10,000.195; 2.5 % of it = 250.004875 -> 250.00
    # (rounding the base first, to 10,000.20, would give 250.01)
    terms = LoanTerms(D("20000.39"), D("4.5"), 8, "bullet", "annual", date(2024, 9, 16))
    first = simulate(terms, flat("30"), WINWIN_2024)["tax_credits"][0]
    assert first == {"year": 2024, "rate_pct": "2.5", "base": "10000.20", "credit": "250.00"}


def test_credit_rate_is_asked_per_income_year() -> None:
    proxi = CreditTerms(
        rate_pct_for_year=lambda year: D(4) if year <= 2026 else D("2.5"),
        base_cap=D(200000),
        default_rate_pct=D(30),
    )
    terms = LoanTerms(D("10000"), D("2"), 5, "bullet", "annual", date(2024, 7, 1))
    rows = simulate(terms, flat("30"), proxi)["tax_credits"]
    assert [row["year"] for row in rows] == list(range(2024, 2030))
    assert [row["rate_pct"] for row in rows] == ["4", "4", "4", "2.5", "2.5", "2.5"]
    assert rows[0]["base"] == "5000.00"  # 0 on 1 Jan 2024, 10,000 on 31 Dec
    assert rows[0]["credit"] == "200.00"
    assert rows[-1] == {"year": 2029, "rate_pct": "2.5", "base": "5000.00", "credit": "125.00"}


def test_cofinanciering_has_no_credits() -> None:
    terms = LoanTerms(D("150000"), D("3.5"), 5, "linear", "quarterly", date(2025, 3, 1))
    result = simulate(terms, flat("0"), None)
    assert result["tax_credits"] == []
    assert result["total_tax_credits"] == "0.00"
    assert result["total_withholding"] == "0.00"
    assert result["default_credit"]["rate_pct"] == "0"
    assert result["default_credit"]["credit"] == "0.00"
    assert result["net_return"] == result["total_interest"]


# --- The lender's yield.


def test_irr_of_a_one_year_bullet_is_its_rate() -> None:
    terms = LoanTerms(D("1000"), D("5"), 1, "bullet", "annual", date(2025, 1, 1))
    result = simulate(terms, flat("0"), None)  # 365 days, 1,050 back: exactly 5 %
    assert result["irr_pct"] == "5.00"


def test_irr_of_an_interest_free_loan_without_credits_is_zero() -> None:
    terms = LoanTerms(D("1000"), D("0"), 3, "annuity", "monthly", date(2025, 1, 1))
    assert simulate(terms, flat("30"), None)["irr_pct"] == "0.00"


def test_yield_is_the_rounded_root_of_the_present_value_actual_365() -> None:
    # 1,000 lent on 2024-01-01, 1,000 back on 2025-01-01 (366 days), 25 on 2025-06-30
    flows = [(0, -100_000), (366, 100_000), (546, 2_500)]
    rate = yield_pct(flows)
    assert rate is not None and rate == rate.quantize(D("0.01"))

    def npv(pct: Decimal) -> Decimal:
        return sum((D(cents) / (1 + pct / 100) ** (D(day) / 365) for day, cents in flows), D(0))

    # rounded half up: the root lies in [rate - 0.005, rate + 0.005)
    assert npv(rate - D("0.005")) >= 0 > npv(rate + D("0.005"))


def reference_irr_pct(flows: list[tuple[date, Decimal]]) -> Decimal:
    """The yield by plain bisection on (1+x)^(d/365), independent of yield_pct's method."""
    start = flows[0][0]

    def npv(rate: Decimal) -> Decimal:
        return sum(
            (amount / (1 + rate) ** (D((day - start).days) / 365) for day, amount in flows),
            D(0),
        )

    low, high = D("-0.5"), D("1")
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if npv(middle) > 0 else (low, middle)
    return (low + high) / 2 * 100


@pytest.mark.parametrize(
    ("terms", "credit"),
    [
        (EXAMPLE_1, WINWIN_2024),
        (EXAMPLE_2, WINWIN_2024),
        (LoanTerms(D("75000"), D("20"), 30, "bullet", "annual", date(2016, 2, 29)), None),
        (LoanTerms(D("0.01"), D("7"), 3, "annuity", "monthly", date(2024, 1, 31)), None),
        (
            LoanTerms(D("200000"), D("1.5"), 8, "annuity", "half_yearly", date(2022, 3, 1), 7),
            CreditTerms(lambda year: D(4) if year < 2025 else D("2.5"), D(200000), D(30)),
        ),
    ],
)
def test_irr_matches_a_bisection_reference(terms: LoanTerms, credit: CreditTerms | None) -> None:
    result = simulate(terms, flat("30"), credit)
    flows = [(terms.closing_date, -terms.principal)]
    flows += [
        (date.fromisoformat(row["date"]), D(row["capital"]) + D(row["net_interest"]))
        for row in result["instalments"]
    ]
    flows += [(date(row["year"] + 1, 6, 30), D(row["credit"])) for row in result["tax_credits"]]
    expected = reference_irr_pct(flows)
    assert D(result["irr_pct"]) == expected.quantize(D("0.01"), ROUND_HALF_UP)


def test_lender_flows_put_each_credit_on_30_june_of_the_next_year() -> None:
    schedule = schedule_in_cents(EXAMPLE_1, flat("30"))
    flows = lender_cash_flows(EXAMPLE_1, schedule, credit_years(EXAMPLE_1, schedule, WINWIN_2024))

    def day(when: date) -> int:
        return (when - EXAMPLE_1.closing_date).days

    assert flows[0] == (0, -2_000_000)
    # the first instalment: capital 248.46 - 75.00 plus net interest 75.00 - 22.50
    assert flows[1] == (day(date(2024, 4, 15)), 17_346 + 5_250)
    assert (day(date(2025, 6, 30)), 23_019) in flows
    assert (day(date(2033, 6, 30)), 925) in flows
    assert len(flows) == 1 + 96 + 9
    assert flows == sorted(flows)


def test_example_irr_is_between_net_rate_and_net_rate_plus_credit(
    example_1: dict[str, Any],
) -> None:
    # net interest 4.5 % x 0.7 = 3.15 %, plus a 2.5 % credit on (at most) the balance
    assert D("3.15") < D(example_1["irr_pct"]) < D("5.65")


# --- Validation of the terms.


@pytest.mark.parametrize(
    "changes",
    [
        {"principal": D("0")},
        {"principal": D("0.004")},
        {"principal": D("-5")},
        {"rate_pct": D("-1")},
        {"years": 0},
        {"grace_years": 5},
        {"grace_years": -1},
        {"repayment": "balloon"},
        {"frequency": "weekly"},
    ],
)
def test_invalid_terms_are_refused(changes: dict[str, Any]) -> None:
    base: dict[str, Any] = {
        "principal": D("1000"),
        "rate_pct": D("2"),
        "years": 5,
        "repayment": "annuity",
        "frequency": "monthly",
        "closing_date": date(2024, 1, 1),
    }
    with pytest.raises(ValueError):
        LoanTerms(**(base | changes))


def test_principal_is_kept_in_cents() -> None:
    terms = LoanTerms(D("1000.005"), D("2"), 1, "bullet", "annual", date(2024, 1, 1))
    assert str(terms.principal) == "1000.01"
    assert simulate(terms, flat("30"), None)["instalments"][-1]["capital"] == "1000.01"


# --- The fast path against a straightforward reference, on many loans (hypothesis).
#
# `simulate` works in integer cents and finds the yield by Newton's method at 19 digits,
# checking the side of a rounding boundary it lands close to; the reference below is
# simulation.md written out plainly in exact fractions (every amount rounded to the cent
# half up from its exact value) with the yield by Newton's method at 40 digits. Both must
# agree to the cent on every figure, the yield's two decimals included.


def exact_cent(amount: Fraction) -> Fraction:
    """An exact amount rounded to the cent, halves away from zero (ROUND_HALF_UP)."""
    whole = math.floor(abs(amount) * 100 + Fraction(1, 2))
    return Fraction(whole if amount >= 0 else -whole, 100)


def reference_simulation(
    terms: LoanTerms, withholding_pct_on: Any, credit: CreditTerms | None
) -> dict[str, Any]:
    """The simulation object, computed the plain way (one exact expression per rule)."""
    F = Fraction
    periods_per_year = {"monthly": 12, "quarterly": 4, "half_yearly": 2, "annual": 1}[
        terms.frequency
    ]
    count = terms.years * periods_per_year
    rate = F(terms.rate_pct) / 100 / periods_per_year
    holiday = terms.grace_years * periods_per_year
    left = count - holiday
    principal = F(terms.principal)
    if terms.repayment == "annuity":
        level = exact_cent(
            principal / left if rate == 0 else principal * rate / (1 - (1 + rate) ** -left)
        )
    elif terms.repayment == "linear":
        level = exact_cent(principal / left)
    else:
        holiday, level = count - 1, F(0)
    rows: list[dict[str, Any]] = []
    paid: list[tuple[date, Fraction]] = []  # (date, balance after)
    balance = principal
    for n in range(1, count + 1):
        day = add_months(terms.closing_date, n * 12 // periods_per_year)
        interest = exact_cent(balance * rate)
        if n == count:
            capital = balance
        elif n <= holiday:
            capital = F(0)
        else:
            capital = level - interest if terms.repayment == "annuity" else level
            capital = min(max(capital, F(0)), balance)
        balance -= capital
        withholding = exact_cent(interest * F(withholding_pct_on(day)) / 100)
        paid.append((day, balance))
        rows.append(
            {
                "n": n,
                "date": day.isoformat(),
                "interest": interest,
                "capital": capital,
                "balance": balance,
                "withholding": withholding,
                "net_interest": interest - withholding,
            }
        )

    def balance_at_end_of(day: date) -> Fraction:
        if day < terms.closing_date:
            return F(0)
        done = [after for when, after in paid if when <= day]
        return done[-1] if done else principal

    credits: list[dict[str, Any]] = []
    for year in range(terms.closing_date.year, paid[-1][0].year + 1) if credit else ():
        assert credit is not None
        start = min(balance_at_end_of(date(year, 1, 1)), F(credit.base_cap))
        end = min(balance_at_end_of(date(year, 12, 31)), F(credit.base_cap))
        mean = (start + end) / 2
        rate_pct = credit.rate_pct_for_year(year)
        credits.append(
            {
                "year": year,
                "rate_pct": rate_pct,
                "base": exact_cent(mean),
                "credit": exact_cent(mean * F(rate_pct) / 100),
            }
        )

    def money(amount: Fraction) -> str:
        return str(D(int(exact_cent(amount) * 100)).scaleb(-2))  # 12 -> "0.12", 0 -> "0.00"

    flows = [(terms.closing_date, -terms.principal)]
    flows += [
        (date.fromisoformat(row["date"]), D(money(row["capital"] + row["net_interest"])))
        for row in rows
    ]
    flows += [(date(row["year"] + 1, 6, 30), D(money(row["credit"]))) for row in credits]
    total_interest = sum(row["interest"] for row in rows)
    total_withholding = sum(row["withholding"] for row in rows)
    total_credits = sum(row["credit"] for row in credits)
    default_rate = credit.default_rate_pct if credit else D(0)
    lost = rows[0]["balance"]

    def pct(value: Decimal) -> str:
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text

    return {
        "conventions": CONVENTIONS,
        "instalments": [
            {
                key: money(value) if isinstance(value, Fraction) else value
                for key, value in row.items()
            }
            for row in rows
        ],
        "total_interest": money(total_interest),
        "total_withholding": money(total_withholding),
        "total_net_interest": money(total_interest - total_withholding),
        "tax_credits": [
            {
                "year": row["year"],
                "rate_pct": pct(row["rate_pct"]),
                "base": money(row["base"]),
                "credit": money(row["credit"]),
            }
            for row in credits
        ],
        "total_tax_credits": money(total_credits),
        "default_credit": {
            "rate_pct": pct(default_rate),
            "on_lost_principal": money(lost),
            "credit": money(lost * F(default_rate) / 100),
        },
        "net_return": money(total_interest - total_withholding + total_credits),
        "irr_pct": money(F(reference_yield_pct(flows))),
    }


def reference_yield_pct(flows: list[tuple[date, Decimal]]) -> Decimal:
    """The yield (%) by Newton's method on L = ln(1 + yield) at 40 digits, from L = 0,
    rounded to 20 decimals.

    For a lender's flows (one outflow first) the present value is decreasing and convex
    in L, so Newton converges monotonically, from below, to ~1e-36. Rounding to 20
    decimals makes an exact tie (5.005 %, reached as 5.00499...9) the tie it is, which
    rounds half up; only a root within ~1e-20 of a rounding boundary that is not on it
    would be misjudged.
    """
    start = flows[0][0]
    with localcontext() as ctx:
        ctx.prec = 40
        times = [D((day - start).days) / 365 for day, _ in flows]
        log_rate = D(0)
        for _ in range(200):
            discounted = [
                amount * (-log_rate * t).exp() for (_, amount), t in zip(flows, times, strict=True)
            ]
            value = sum(discounted, D(0))
            slope = sum((d * t for d, t in zip(discounted, times, strict=True)), D(0))
            step = value / slope
            log_rate += step
            if abs(step) < D("1e-32"):
                break
        return ((log_rate.exp() - 1) * 100).quantize(D("1e-20"))


@st.composite
def any_loan(draw: st.DrawFn) -> LoanTerms:
    """Valid terms, with some rates whose periodic rate does not terminate (x / 12)."""
    years = draw(st.integers(1, 30))
    rate = draw(
        st.one_of(
            st.integers(0, 20_000).map(lambda thousandths: D(thousandths) / 1000),
            st.sampled_from([D("12.1"), D("4"), D("7.123456789"), D("0.001")]),
        )
    )
    return LoanTerms(
        principal=D(draw(st.integers(1, 1_000_000_000))) / 100,
        rate_pct=rate,
        years=years,
        repayment=draw(st.sampled_from(["bullet", "annuity", "linear"])),
        frequency=draw(st.sampled_from(["monthly", "quarterly", "half_yearly", "annual"])),
        closing_date=draw(st.dates(date(2015, 1, 1), date(2035, 12, 31))),
        grace_years=draw(st.integers(0, years - 1)),
    )


@st.composite
def withholding_and_credit(draw: st.DrawFn) -> tuple[Any, CreditTerms | None]:
    """A withholding rate that may change on some day, and winwin/proxi-like credits."""
    before, after = (
        draw(st.sampled_from(["0", "25", "27", "30", "33.3"])),
        draw(st.sampled_from(["25", "27", "30", "30.0", "33.3"])),
    )
    switch = draw(st.dates(date(2015, 1, 1), date(2070, 1, 1)))

    def withholding(day: date) -> Decimal:
        return D(before) if day < switch else D(after)

    if draw(st.booleans()):
        return withholding, None
    first, later = draw(st.sampled_from(["2.5", "4"])), draw(st.sampled_from(["2.5", "4"]))
    change = draw(st.integers(2015, 2070))
    credit = CreditTerms(
        rate_pct_for_year=lambda year: D(first) if year < change else D(later),
        base_cap=D(draw(st.sampled_from(["50000", "75000", "200000", "75000.005"]))),
        default_rate_pct=D(draw(st.sampled_from(["30", "40", "50"]))),
    )
    return withholding, credit


# 1,000 at 5.005 %, no withholding, annual over years of 365 days: the yield is 5.005 %
# exactly, a tie, which rounds half up (Newton only approaches it, from below).
EXACT_TIES = [
    LoanTerms(D("1000"), D("5.005"), 1, "bullet", "annual", date(2025, 1, 1)),
    LoanTerms(D("1000"), D("5.005"), 2, "bullet", "annual", date(2021, 3, 1)),
    LoanTerms(D("2000"), D("5.005"), 2, "linear", "annual", date(2021, 3, 1)),
]


# 900.00 at 12.1 % monthly: interest 9.075 exactly, where rounding r first gave 9.07
HALF_CENT_LOAN = LoanTerms(D("900.00"), D("12.1"), 1, "bullet", "monthly", date(2024, 1, 1))


@settings(max_examples=300, deadline=None)  # deadline=None: tests never time
@given(any_loan(), withholding_and_credit())
@example(HALF_CENT_LOAN, (flat("30"), None))
@example(EXACT_TIES[1], (flat("0"), None))  # a yield of exactly 5.005 %: 5.01
def test_simulate_matches_the_plain_reference_to_the_cent(
    terms: LoanTerms, rates: tuple[Any, CreditTerms | None]
) -> None:
    withholding, credit = rates
    assert simulate(terms, withholding, credit) == reference_simulation(terms, withholding, credit)


def test_interest_is_the_exact_product_rounded_half_up() -> None:
    # simulation.md: "Interest of a period = balance × r, rounded to the cent (half up)",
    # r = annual / 100 / periods. 900.00 x 0.121 / 12 = 9.075 exactly, so 9.08, although
    # r does not terminate (Decimal at 28 digits makes the product 9.07499...97: 9.07).
    terms = LoanTerms(D("900.00"), D("12.1"), 1, "bullet", "monthly", date(2024, 1, 1))
    assert schedule_in_cents(terms, flat("30")).interest[0] == 908
    assert simulate(terms, flat("30"), None)["instalments"][0]["interest"] == "9.08"


@pytest.mark.parametrize(
    ("principal", "rate_pct", "expected"),
    [
        ("9606.00", "1", "8.01"),  # 9606 x 0.01 / 12 = 8.005 exactly: half up
        ("600.00", "1", "0.50"),  # 600 x 0.01 / 12 = 0.5 exactly
    ],
)
def test_interest_rounds_half_up_from_the_exact_product(
    principal: str, rate_pct: str, expected: str
) -> None:
    terms = LoanTerms(D(principal), D(rate_pct), 1, "bullet", "monthly", date(2024, 1, 1))
    assert schedule_in_cents(terms, flat("30")).interest[0] == int(D(expected) * 100)
    assert simulate(terms, flat("30"), None)["instalments"][0]["interest"] == expected


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(5, 2, 3), (-5, 2, -3), (7, 3, 2), (-7, 3, -2), (8, 3, 3), (0, 7, 0), (-1, 3, 0)],
)
def test_round_half_up_takes_halves_away_from_zero(
    numerator: int, denominator: int, expected: int
) -> None:
    assert round_half_up(numerator, denominator) == expected
    exact = (D(numerator) / D(denominator)).quantize(D(1), ROUND_HALF_UP)
    assert expected == exact  # the same as Decimal's ROUND_HALF_UP


def test_withholding_is_asked_once_per_instalment_in_date_order() -> None:
    asked: list[date] = []

    def withholding(day: date) -> Decimal:
        asked.append(day)
        return D(30)

    simulate(EXAMPLE_1, withholding, WINWIN_2024)
    assert asked == [
        date.fromisoformat(row["date"])
        for row in simulate(EXAMPLE_1, flat("30"), None)["instalments"]
    ]


@pytest.mark.parametrize("terms", EXACT_TIES)
def test_a_yield_exactly_on_a_rounding_boundary_rounds_half_up(terms: LoanTerms) -> None:
    assert simulate(terms, flat("0"), None)["irr_pct"] == "5.01"


def test_yield_pct_rounds_an_exact_tie_half_up() -> None:
    assert yield_pct([(0, -100_000), (365, 105_005)]) == D("5.01")  # 1,050.05 a year later
    assert yield_pct([(0, -100_000), (365, 5_005), (730, 105_005)]) == D("5.01")


def test_money_columns_may_be_negative() -> None:
    # a withholding rate over 100 % (not a real one) makes the net interest negative
    terms = LoanTerms(D("1000"), D("12"), 1, "bullet", "monthly", date(2024, 1, 1))
    row = simulate(terms, flat("150"), None)["instalments"][0]
    assert (row["interest"], row["withholding"], row["net_interest"]) == ("10.00", "15.00", "-5.00")


@pytest.mark.parametrize(
    "flows",
    [
        [(365, 105_004), (366, 1)],  # a cent paid a day late: 5.00499987 % -> 5.00
        [(364, 1), (365, 105_004)],  # a cent paid a day early: 5.00500013 % -> 5.01
    ],
)
def test_yield_is_right_a_hair_from_a_rounding_boundary(
    flows: list[tuple[int, int]],
) -> None:
    start = date(2025, 1, 1)
    as_dates = [(start, D("-1000.00"))]
    as_dates += [
        (date.fromordinal(start.toordinal() + day), D(cents) / 100) for day, cents in flows
    ]
    exact = reference_yield_pct(as_dates)
    assert abs(exact - D("5.005")) < D("2e-7")  # a hard case: 1.3e-7 % from the boundary
    assert yield_pct([(0, -100_000), *flows]) == exact.quantize(D("0.01"), ROUND_HALF_UP)
