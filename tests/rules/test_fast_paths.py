"""The simulation's fast paths give exactly what their plain forms give.

`simulate` formats money by table, builds dates without month-end clamping when none is
needed, takes each withholding rate's ratio once per run and finds the yield with
floats that must prove their rounding; each is checked here against the plain
computation it replaces (Decimal text, `add_months`, `percent_of_cents`, the Decimal
yield).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rules.params import Parameter, _convert, load_all
from rules.schedule import _withheld, add_months, instalment_dates, percent_of_cents
from rules.simulation import (
    _yield_pct_by_decimals,
    _yield_pct_by_floats,
    cents_text,
    cents_texts,
    iso_texts,
    yield_pct,
)

CENT = Decimal("0.01")
EDGES = [0, 1, 99, 100, 9_999, 10_000, 10_001, 99_999_999, 100_000_000, 10**20 + 7]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.integers(-(10**12), 10**12) | st.sampled_from(EDGES + [-e for e in EDGES])))
def test_money_texts_are_the_decimal_texts(column: list[int]) -> None:
    expected = [str(CENT * cents) for cents in column]
    assert cents_texts(column) == expected
    assert [cents_text(cents) for cents in column] == expected


@given(st.lists(st.dates(), max_size=5).map(sorted))
@example([date(1, 1, 1), date(999, 12, 31), date(2024, 2, 29)])
def test_iso_texts_are_isoformat(days: list[date]) -> None:
    assert iso_texts(days) == [day.isoformat() for day in days]


@given(
    st.dates(date(1900, 1, 1), date(2100, 12, 31)),
    st.integers(1, 360),
    st.sampled_from([1, 3, 6, 12]),
)
def test_instalment_dates_are_add_months(closing: date, periods: int, months: int) -> None:
    expected = [add_months(closing, k * months) for k in range(1, periods + 1)]
    assert instalment_dates(closing, periods, months) == expected


@given(
    st.lists(st.integers(0, 10**9), min_size=1, max_size=40),
    st.lists(st.sampled_from(["0", "25", "30", "30.0", "33.3", "150", "-7.5"]), min_size=1),
)
def test_withholding_by_runs_is_percent_of_cents(interests: list[int], rates: list[str]) -> None:
    rates_pct = [Decimal(rates[i % len(rates)]) for i in range(len(interests))]
    expected = list(map(percent_of_cents, interests, rates_pct))
    assert _withheld(interests, rates_pct) == expected
    same = [rates_pct[0]] * len(interests)  # one rate throughout: the other branch
    assert _withheld(interests, same) == list(map(percent_of_cents, interests, same))


@st.composite
def lender_flows(draw: st.DrawFn) -> list[tuple[int, int]]:
    """A principal lent on day 0 and inflows after it, some near a rounding boundary."""
    principal = draw(st.integers(1, 10**10))
    inflows = draw(
        st.lists(st.tuples(st.integers(1, 12_000), st.integers(0, 10**10)), min_size=1, max_size=40)
    )
    if sum(cents for _, cents in inflows) == 0:
        inflows.append((365, 1))
    return [(0, -principal), *inflows]


@settings(max_examples=400, deadline=None)
@given(lender_flows())
@example([(0, -100_000), (365, 105_005)])  # a tie: floats cannot prove it, decimals decide
@example([(0, -100_000), (365, 105_004), (366, 1)])  # 1.3e-7 % under a boundary
@example([(0, -100_000), (364, 1), (365, 105_004)])  # 1.3e-7 % over it
@example([(0, -100_000), (1, 100_001)])  # one day: 0.37 %
def test_float_yield_is_the_decimal_yield_or_abstains(flows: list[tuple[int, int]]) -> None:
    days, cents = (list(column) for column in zip(*sorted(flows), strict=True))
    fast = _yield_pct_by_floats(days, cents)
    exact = _yield_pct_by_decimals(days, cents)
    assert fast is None or fast == exact
    assert yield_pct(flows) == exact


@pytest.mark.parametrize(
    ("flows", "expected"),
    [
        ([(0, -100_000), (365, 105_005)], None),  # exactly 5.005 %: no float proves a tie
        ([(0, -100_000), (365, 105_000)], Decimal("5.00")),
        ([(0, -100_000), (365, 95_000)], Decimal("-5.00")),
        ([(0, -100_000), (365, 100_000)], Decimal("0.00")),
    ],
)
def test_float_yield_proves_clear_cases_and_abstains_on_a_tie(
    flows: list[tuple[int, int]], expected: Decimal | None
) -> None:
    days, cents = (list(column) for column in zip(*flows, strict=True))
    assert _yield_pct_by_floats(days, cents) == expected
    if expected is not None:
        assert str(expected) == str(_yield_pct_by_decimals(days, cents) + 0)


def test_float_yield_abstains_beyond_its_range() -> None:
    far = (60 * 365 + 1, 200_000)  # later than floats are allowed to discount
    assert _yield_pct_by_floats([0, far[0]], [-100_000, far[1]]) is None
    assert _yield_pct_by_floats([0, 365], [-(2**53), 2**53 + 2]) is None
    assert yield_pct([(0, -100_000), far]) is not None  # the Decimal method still answers


def _plain_entry(parameter: Parameter, on: date) -> date:
    """The start date in force on `on` by a plain scan (the earliest before any)."""
    dates = sorted(parameter.values)
    return max((day for day in dates if day <= on), default=dates[0])


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2000, 1, 1), date(2040, 12, 31)))
def test_parameter_lookups_by_bisection_are_the_plain_scan(on: date) -> None:
    for parameters in load_all().values():
        for parameter in parameters.parameters.values():
            start = _plain_entry(parameter, on)
            assert parameter.entry(on) == (start, parameter.values[start])
            assert parameter.at(on) == _convert(parameter.unit, parameter.values[start].value)
            for day in parameter.values:  # on each start date itself, and the day before
                assert parameter.entry(day)[0] == day
                assert parameter.entry(day - timedelta(days=1))[0] == _plain_entry(
                    parameter, day - timedelta(days=1)
                )
