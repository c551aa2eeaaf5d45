"""The lender's and borrower's figures of a loan: schedule, tax credits, totals, yield.

Pure: no parameter files are read here. The caller (the rules core) passes the dated
withholding rate and the regime's credit terms as callables and values, so one function
serves the friends loans (with `CreditTerms`) and a public lender's loan (`credit=None`). The result
of `simulate` is exactly the `simulation` object of `shared/contracts/evaluate-json.md`.

Conventions beyond `shared/domain/simulation.md`, chosen here and stated in the output:
- tax credit = rate x (min(balance 1 Jan, cap) + min(balance 31 Dec, cap)) / 2, rounded
  once to the cent (simulation.md); balances at the end of those days. The `base` shown is
  that mean rounded to the cent, so when the mean ends in a half cent, rate x shown base
  can differ from the credit by a cent;
- the lender's yield (`irr_pct`) is an XIRR, actual/365, on −principal at closing, each
  net instalment (capital + net interest) on its date and each year's credit on 30 June
  of the next year, rounded half up to 0.01 % (see `yield_pct`). The lender always gets
  back at least what he lent (interest and credits are never negative), so a root
  exists and is >= 0; should Newton's method nevertheless not settle, `irr_pct` is
  "0.00" rather than an error (the contract wants a string, and a wrong yield is worse
  than a neutral one).

All amounts are whole cents (Python ints), each rounded half up from its exact value,
and become strings only in the result.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from itertools import accumulate
from math import exp, expm1, floor, log1p
from operator import add, mul, sub
from typing import Any

from rules.schedule import (
    LoanTerms,
    Schedule,
    percent_of_cents,
    round_half_up,
    schedule_in_cents,
    to_cent,
)

__all__ = [
    "CONVENTIONS",
    "CreditTerms",
    "CreditYear",
    "LoanTerms",
    "balance_at_end_of",
    "credit_years",
    "lender_cash_flows",
    "simulate",
    "yield_pct",
]

CONVENTIONS = (
    "periodic rate = annual rate / periods per year; amounts rounded to the cent (half up); "
    "tax credit on the mean of the balances on 1 January and 31 December (capped); "
    "yield = internal rate of return (actual/365) with each tax credit received on "
    "30 June of the following year"
)


@dataclass(frozen=True)
class CreditTerms:
    """The regime's tax credit: annual rate per income year, base cap, default credit."""

    rate_pct_for_year: Callable[[int], Decimal]
    base_cap: Decimal
    default_rate_pct: Decimal


def pct_text(value: Decimal) -> str:
    """A percentage without trailing zeros or exponent: 2.50 -> "2.5", 30 -> "30"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# The money strings "0.00" .. "9.99", and "00.00" .. "99.99": the last four digits of
# any larger amount (and, from 10.00, an amount under 100 itself). Built once (about
# 0.6 MiB): formatting a schedule's 600 amounts by lookup is three times faster than by
# Decimal.
_SMALL_TEXTS = [f"{cents // 100}.{cents % 100:02d}" for cents in range(1_000)]
_LAST_DIGITS = [f"{cents // 100:02d}.{cents % 100:02d}" for cents in range(10_000)]


# "-MM-DD" of every month and day, for the instalment dates' ISO texts
_MONTH_DAY_TEXTS = [[f"-{month:02d}-{day:02d}" for day in range(32)] for month in range(13)]


def iso_texts(days: list[date]) -> list[str]:
    """date.isoformat of ascending dates, by table for years 1000 and later (the common
    case: a third faster than isoformat's C formatting)."""
    if not days or days[0].year < 1000:
        return list(map(date.isoformat, days))
    month_day = _MONTH_DAY_TEXTS
    return [str(day.year) + month_day[day.month][day.day] for day in days]


def cents_text(cents: int) -> str:
    """Whole cents as the contract's money string: 1234 -> "12.34", -5 -> "-0.05"
    (the same text as str(Decimal("0.01") * cents), without Decimal)."""
    if 0 <= cents < 1_000:
        return _SMALL_TEXTS[cents]
    if 0 < cents < 10_000:
        return _LAST_DIGITS[cents]
    if cents < 0:
        return "-" + cents_text(-cents)
    return str(cents // 10_000) + _LAST_DIGITS[cents % 10_000]


def cents_texts(column: list[int]) -> list[str]:
    """`cents_text` of a whole column (a schedule has hundreds: the common cases inline)."""
    small, last_digits = _SMALL_TEXTS, _LAST_DIGITS
    return [
        last_digits[cents]
        if 1_000 <= cents < 10_000
        else small[cents]
        if 0 <= cents < 1_000
        else str(cents // 10_000) + last_digits[cents % 10_000]
        if cents > 0
        else cents_text(cents)
        for cents in column
    ]


# --- Tax credits.


def balance_at_end_of(terms: LoanTerms, schedule: Schedule, day: date) -> int:
    """The balance in cents at the end of `day`: the principal minus the capital parts paid
    on or before it; 0 before the closing date."""
    if day < terms.closing_date:
        return 0
    paid = bisect_right(schedule.dates, day)
    return schedule.balance[paid - 1] if paid else terms.principal_cents


@dataclass(frozen=True)
class CreditYear:
    """One income year's tax credit: rate in %, the capped mean balance shown as its base
    and the credit, both in cents."""

    year: int
    rate_pct: Decimal
    base: int
    credit: int


def credit_years(terms: LoanTerms, schedule: Schedule, credit: CreditTerms) -> list[CreditYear]:
    """The credit of each income year, closing year to the year of the last instalment.

    The credit is rounded once, exactly, from the unrounded capped mean of the balances at
    the end of 1 January and 31 December; the base shown is that mean rounded.
    """
    # the cap in cents is cap / cap_scale; balances are multiplied by cap_scale to match
    cap, cap_scale = (credit.base_cap * 100).as_integer_ratio()
    years: list[CreditYear] = []
    for year in range(terms.closing_date.year, schedule.dates[-1].year + 1):
        start = balance_at_end_of(terms, schedule, date(year, 1, 1))
        end = balance_at_end_of(terms, schedule, date(year, 12, 31))
        twice_mean = min(start * cap_scale, cap) + min(end * cap_scale, cap)  # exact
        rate_pct = credit.rate_pct_for_year(year)
        rate, rate_scale = rate_pct.as_integer_ratio()
        base = round_half_up(twice_mean, 2 * cap_scale)
        amount = round_half_up(twice_mean * rate, 200 * cap_scale * rate_scale)
        years.append(CreditYear(year, rate_pct, base, amount))
    return years


def lender_cash_flows(
    terms: LoanTerms, schedule: Schedule, credits: list[CreditYear]
) -> list[tuple[int, int]]:
    """The lender's cash flows as (days after the closing, cents), in date order: the
    principal lent, each net instalment (capital + net interest) and each year's credit
    on 30 June of the next year."""
    origin = terms.closing_date.toordinal()
    days = [ordinal - origin for ordinal in map(date.toordinal, schedule.dates)]
    returned = map(add, schedule.capital, schedule.net_interest)
    flows = [(0, -terms.principal_cents), *zip(days, returned, strict=True)]
    flows += [(date(row.year + 1, 6, 30).toordinal() - origin, row.credit) for row in credits]
    return sorted(flows)


# --- The lender's yield.

_DAYS_PER_YEAR = Decimal(365)
_NEWTON_PRECISION = 19  # digits: one machine word of Decimal's C library, the fastest
_NEWTON_STEPS = 50
_LOG_RATE_LIMIT = Decimal(10)  # |ln(1 + yield)| beyond this: no loan (and Decimal overflows)
# After a Newton step s the root is within about (T/2)·s² (T: the last flow, in years,
# <= 32), so a step under 1e-6 leaves an error under 2e-11 in ln(1 + yield).
_NEWTON_TOLERANCE = Decimal("1e-6")
# A yield (in %) at least this far from a rounding boundary (x.xx5) rounds the right way
# beyond doubt (its error is under 1e-8 %); a closer one is checked at _CHECK_PRECISION.
_CHECK_MARGIN = Decimal("1e-6")
_CHECK_PRECISION = 50
# |present value| at a boundary under this share of the largest flow: the root is on it
# (a true tie, e.g. 5.005 % exactly); the 50-digit arithmetic errs by ~1e-47.
_TIE = Decimal("1e-40")
_HALF_CENT = Decimal("0.005")


def _present_value(
    log_rate: Decimal,
    gaps: list[int],
    distinct_gaps: set[int],
    amounts: list[Decimal],
    weighted: list[Decimal],
) -> tuple[Decimal, Decimal]:
    """(present value, its slope) of the flows at L = ln(1 + yield), in the context's
    precision: sum(c·v) and sum(c·d·v), v = (1 + yield)^(−d/365) = e^(−L·d/365) for a
    flow of c cents on day d (the slope is −365 x the derivative in L).

    The discount factors are running products over the day gaps between the flows, each
    distinct gap's factor computed once: a monthly loan has only a handful.
    """
    daily = (-log_rate / _DAYS_PER_YEAR).exp()
    factor = {gap: daily**gap for gap in distinct_gaps}
    discounts = list(accumulate(map(factor.__getitem__, gaps), mul))
    zero = Decimal(0)
    return sum(map(mul, amounts, discounts), zero), sum(map(mul, weighted, discounts), zero)


def yield_pct(flows: list[tuple[int, int]]) -> Decimal | None:
    """The annual yield (%), actual/365, of cash flows (days after the closing, cents)
    rounded half up to 0.01, or None when Newton's method does not settle.

    The yield is a rate, not money: it is found with floats (`_yield_pct_by_floats`),
    whose answer is published only when the signs of the present value at the two
    rounding boundaries around it, with a proven error bound, prove it is the exact
    root's rounding. Otherwise (a root within a hair of a boundary, a true tie, flows no
    float can hold) the Decimal method decides (`_yield_pct_by_decimals`), as before.
    """
    days, cents = map(list, zip(*sorted(flows), strict=True))
    found = _yield_pct_by_floats(days, cents)
    return found if found is not None else _yield_pct_by_decimals(days, cents)


# Floats hold every cent amount under 2**53 exactly; the discount factors must neither
# overflow nor underflow: |L| < 10 and at most 60 years keep e^(|L|·t) under e^600.
_FLOAT_EXACT_CENTS = 2**53
_FLOAT_MAX_DAYS = 60 * 365
_FLOAT_STEPS = 20
# Once a Newton step in L is under this, the root is within ~(T/2)·step² ≈ 1e-5 of L: the
# rounding it gives is worth checking (a check that fails only means one more step).
_FLOAT_TRY = 1e-3
# A step under this and the rounding still not proven: the root is too close to a
# rounding boundary (or on it) for floats to tell; the Decimal method decides.
_FLOAT_SETTLED = 1e-10
# Four times the unit round-off 2**-53 of each float operation, for the error bound.
_FLOAT_ERROR = 2.0**-50


def _float_discounts(log_rate: float, gaps: list[int], distinct_gaps: set[int]) -> list[float]:
    """e^(−L·d/365) of each flow's day d, as running products of each distinct gap's
    factor (a monthly loan has only a handful of distinct gaps)."""
    daily = exp(-log_rate / 365)
    factor = {gap: daily**gap for gap in distinct_gaps}
    return list(accumulate(map(factor.__getitem__, gaps), mul))


def _yield_pct_by_floats(days: list[int], cents: list[int]) -> Decimal | None:
    """The yield (%) rounded half up to 0.01 when floats prove it, else None.

    Newton's method on the present value in L = ln(1 + yield), from the same Halley step
    at L = 0 as `_yield_pct_by_decimals`, gives k = the yield in 0.01 % rounded. It is
    published only if the present value, in floats, is beyond doubt positive at
    (k − ½)·0.01 % and negative at (k + ½)·0.01 %: then the root lies strictly between,
    and k is its half-up rounding (`_proven_rounding`). Until that is proven, Newton goes
    on; once it has settled without a proof, None.
    """
    last_day = days[-1]
    sizes = list(map(abs, cents))
    if max(sizes) >= _FLOAT_EXACT_CENTS or not 0 <= days[0] <= last_day <= _FLOAT_MAX_DAYS:
        return None
    total = float(sum(sizes))
    amounts = list(map(float, cents))  # exact; the moments below only steer Newton
    moments = list(map(mul, amounts, days))
    net, moment1 = sum(amounts), sum(moments)
    if not moment1 > 0:
        return None
    halley = 2 * moment1 * moment1 - net * sum(map(mul, moments, days))
    log_rate = 730 * net * moment1 / halley if halley > 0 else 365 * net / moment1
    gaps = list(map(sub, days, [0, *days[:-1]]))
    distinct_gaps = set(gaps)
    tried = None
    for _ in range(_FLOAT_STEPS):
        if not -10.0 < log_rate < 10.0:
            return None
        discounts = _float_discounts(log_rate, gaps, distinct_gaps)
        slope = sum(map(mul, moments, discounts))
        if not slope > 0:
            return None
        step = 365 * sum(map(mul, amounts, discounts)) / slope
        log_rate += step
        if abs(step) < _FLOAT_TRY:
            hundredths = floor(expm1(log_rate) * 10_000 + 0.5)  # the yield in 0.01 %, half up
            if hundredths != tried:
                tried = hundredths
                if _proven_rounding(hundredths, amounts, total, gaps, distinct_gaps, last_day):
                    return Decimal(hundredths).scaleb(-2)
            if abs(step) < _FLOAT_SETTLED:
                return None
    return None


def _proven_rounding(
    hundredths: int,
    amounts: list[float],
    total: float,
    gaps: list[int],
    distinct_gaps: set[int],
    last_day: int,
) -> bool:
    """True if the root of the present value lies strictly between the yields
    (hundredths ∓ ½)·0.01 %, beyond doubt: the present value (decreasing in the yield for
    a lender) is positive at the lower and negative at the upper boundary by more than a
    bound on its float error, 4·2⁻⁵³·Σ|c|·max(v)·(2n + 8 + D + 4T·(1 + |L| + |y|/(1+y)))
    for n flows, the last on day D (T = D/365 years), y the boundary and L = ln(1 + y).
    That is eight times the first-order error of the running products (D/2 + 2n units
    of round-off), the boundary's and the exponent's roundings and the sum (n/2).
    """
    for boundary, sign in ((hundredths - 0.5, 1.0), (hundredths + 0.5, -1.0)):
        rate = boundary / 10_000  # (1 + rate) = e^L at the boundary
        if not rate > -1.0:
            return False
        log_rate = log1p(rate)
        if not -10.0 < log_rate < 10.0:
            return False
        discounts = _float_discounts(log_rate, gaps, distinct_gaps)
        value = sum(map(mul, amounts, discounts))
        # the factors shrink (L >= 0) or grow (L < 0) with the day: the largest is the
        # first (at most 1) or the last
        magnitude = total * max(1.0, discounts[-1])
        years = last_day / 365
        spread = (
            2 * len(amounts)
            + 8
            + last_day
            + 4 * years * (1 + abs(log_rate) + abs(rate) / (1 + rate))
        )
        if not sign * value > _FLOAT_ERROR * spread * magnitude:
            return False
    return True


def _yield_pct_by_decimals(days: list[int], cents: list[int]) -> Decimal | None:
    """The yield (%) of flows sorted by day, rounded half up to 0.01, or None when
    Newton's method does not settle.

    The root of the present value in L = ln(1 + yield) is found by Newton's method at 19
    digits, from a Halley step at L = 0 (where every discount factor is 1, so it costs
    only integer sums). For a lender (−principal first, inflows after) the present value
    is decreasing and convex in L, so the root is unique and Newton converges. Rounding
    to two decimals can only go wrong for a yield within a hair of a boundary x.xx5;
    there the sign of the present value at the boundary, at 50 digits, says on which side
    the root lies (a tie rounds half up).
    """
    gaps = list(map(sub, days, [0, *days[:-1]]))
    distinct_gaps = set(gaps)
    weighted = list(map(mul, cents, days))
    net, moment1, moment2 = sum(cents), sum(weighted), sum(map(mul, weighted, days))
    if moment1 == 0:
        return None
    with localcontext() as ctx:
        ctx.prec = _NEWTON_PRECISION
        amounts = list(map(Decimal, cents))
        weighted_amounts = list(map(Decimal, weighted))
        halley = 2 * moment1 * moment1 - net * moment2
        if halley > 0:
            log_rate = Decimal(2 * net * moment1) * _DAYS_PER_YEAR / halley
        else:  # Newton's step
            log_rate = Decimal(net) * _DAYS_PER_YEAR / moment1
        for _ in range(_NEWTON_STEPS):
            if not -_LOG_RATE_LIMIT < log_rate < _LOG_RATE_LIMIT:
                return None  # no loan's yield: flows that are not a lender's
            value, slope = _present_value(log_rate, gaps, distinct_gaps, amounts, weighted_amounts)
            if slope == 0:
                return None
            step = value * _DAYS_PER_YEAR / slope
            log_rate += step
            if abs(step) < _NEWTON_TOLERANCE:
                break
        else:
            return None
        found = (log_rate.exp() - 1) * 100
        rounded = to_cent(found)
        boundary = rounded + _HALF_CENT if found >= rounded else rounded - _HALF_CENT
        if abs(found - boundary) >= _CHECK_MARGIN:
            return rounded
        ctx.prec = _CHECK_PRECISION
        value, _ = _present_value(
            (1 + boundary / 100).ln(), gaps, distinct_gaps, amounts, weighted_amounts
        )
        if abs(value) <= _TIE * max(map(abs, amounts)):
            return to_cent(boundary)  # the root is the boundary itself
        # the present value decreases in L: positive at the boundary, the root is above it
        return to_cent(boundary + _HALF_CENT if value > 0 else boundary - _HALF_CENT)


def simulate(
    terms: LoanTerms,
    withholding_pct_on: Callable[[date], Decimal],
    credit: CreditTerms | None,
) -> dict[str, Any]:
    """The contract's `simulation` object for these terms (credit=None: no tax credits)."""
    schedule = schedule_in_cents(terms, withholding_pct_on)
    credits = credit_years(terms, schedule, credit) if credit else []
    total_interest, total_withholding = sum(schedule.interest), sum(schedule.withholding)
    total_net = total_interest - total_withholding
    total_credits = sum(row.credit for row in credits)
    lost = schedule.balance[0]  # a failure just after the first instalment
    default_rate = credit.default_rate_pct if credit else Decimal(0)
    irr = yield_pct(lender_cash_flows(terms, schedule, credits))
    columns = zip(
        iso_texts(schedule.dates),
        cents_texts(schedule.interest),
        cents_texts(schedule.capital),
        cents_texts(schedule.balance),
        cents_texts(schedule.withholding),
        cents_texts(schedule.net_interest),
        strict=True,
    )
    return {
        "conventions": CONVENTIONS,
        "instalments": [
            {
                "n": n,
                "date": day,
                "interest": gross,
                "capital": repaid,
                "balance": balance,
                "withholding": withheld,
                "net_interest": received,
            }
            for n, (day, gross, repaid, balance, withheld, received) in enumerate(columns, 1)
        ],
        "total_interest": cents_text(total_interest),
        "total_withholding": cents_text(total_withholding),
        "total_net_interest": cents_text(total_net),
        "tax_credits": [
            {
                "year": row.year,
                "rate_pct": pct_text(row.rate_pct),
                "base": cents_text(row.base),
                "credit": cents_text(row.credit),
            }
            for row in credits
        ],
        "total_tax_credits": cents_text(total_credits),
        "default_credit": {
            "rate_pct": pct_text(default_rate),
            "on_lost_principal": cents_text(lost),
            "credit": cents_text(percent_of_cents(lost, default_rate)),
        },
        "net_return": cents_text(total_net + total_credits),
        # + 0 turns a rounded "-0.00" (a root a hair below 0) into "0.00"
        "irr_pct": str(irr + 0 if irr is not None else Decimal("0.00")),
    }
