"""The lender's and borrower's figures of a loan: schedule, tax credits, totals, yield.

Pure: no parameter files are read here. The caller (the rules core) passes the dated
withholding rate and the regime's credit terms as callables and values, so one function
serves winwin, proxi (with `CreditTerms`) and cofinanciering (`credit=None`). The result
of `simulate` is exactly the `simulation` object of `shared/contracts/evaluate-json.md`.

Conventions beyond `shared/domain/simulation.md`, chosen here and stated in the output:
- tax credit = rate x (min(balance 1 Jan, cap) + min(balance 31 Dec, cap)) / 2, rounded
  once to the cent (simulation.md); balances at the end of those days. The `base` shown is
  that mean rounded to the cent, so when the mean ends in a half cent, rate x shown base
  can differ from the credit by a cent;
- the lender's yield (`irr_pct`) is an XIRR, actual/365, on −principal at closing, each
  net instalment (capital + net interest) on its date and each year's credit on 30 June
  of the next year, rounded half up to 0.01 %. `simulate` brackets the root with proven
  error bounds and shows the two decimals both ends of the bracket round to (usually
  after one pass, `_certified_irr_pct`); when no bracket settles that (a yield exactly on
  a rounding boundary), `xirr_pct` decides: Newton's method in Decimal with at most
  `IRR_MAX_ITERATIONS` steps. The lender always gets back at least what he lent
  (interest and credits are never negative), so a root exists and is >= 0; should the
  iteration nevertheless not settle, `irr_pct` is "0.00" rather than an error
  (documented choice: the contract wants a string, and a wrong yield is worse than a
  neutral one).

Speed: `simulate` runs in whole cents (Python ints) and builds strings only at the end.
Every rounding to the cent is exact: the exact rational value, rounded half up (tests
compare with a plain Fraction reference).
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from itertools import accumulate, count
from operator import add, mul, sub
from typing import Any, NamedTuple

from rules.schedule import (
    HUNDRED,
    ZERO,
    CentSchedule,
    Instalment,
    LoanTerms,
    build_schedule,
    cents_to_decimal,
    decimal_to_cents,
    percent_of_cents,
    round_half_up,
    schedule_in_cents,
    to_cent,
)

__all__ = [
    "CONVENTIONS",
    "CreditTerms",
    "Instalment",
    "LoanTerms",
    "TaxCredit",
    "annual_tax_credits",
    "build_schedule",
    "lender_cash_flows",
    "simulate",
    "tax_credit_years",
    "xirr_pct",
]

CONVENTIONS = (
    "periodic rate = annual rate / periods per year; amounts rounded to the cent (half up); "
    "tax credit on the mean of the balances on 1 January and 31 December (capped); "
    "yield = internal rate of return (actual/365) with each tax credit received on "
    "30 June of the following year"
)
IRR_MAX_ITERATIONS = 60
_IRR_PRECISION = 16
# Newton converges quadratically: after a step s the error left in L is about K·s², K
# below the loan's mean duration in years (<= 30). A step under 1e-5 leaves < 3e-9, far
# below what rounding the yield to 0.01 % can see; stopping there saves a whole pass.
_IRR_TOLERANCE = Decimal("1e-5")
_DAYS_PER_YEAR = Decimal(365)


@dataclass(frozen=True)
class CreditTerms:
    """The regime's tax credit: annual rate per income year, base cap, default credit."""

    rate_pct_for_year: Callable[[int], Decimal]
    base_cap: Decimal
    default_rate_pct: Decimal


def money_text(value: Decimal) -> str:
    """Money as the contract wants it: a string with exactly two decimals."""
    return str(to_cent(value))


def pct_text(value: Decimal) -> str:
    """A percentage without trailing zeros or exponent: 2.50 -> "2.5", 30 -> "30"."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class TaxCredit:
    """The annual tax credit of one income year (rate in %, base and credit in euro).

    `base` is the capped mean balance rounded for display; `credit` is computed from the
    unrounded mean (one rounding, as simulation.md writes the formula).
    """

    year: int
    rate_pct: Decimal
    base: Decimal
    credit: Decimal

    def to_json(self) -> dict[str, Any]:
        """The contract's `tax_credits` entry: year as int, the rest as strings."""
        return {
            "year": self.year,
            "rate_pct": pct_text(self.rate_pct),
            "base": money_text(self.base),
            "credit": money_text(self.credit),
        }


def tax_credit_years(
    terms: LoanTerms, schedule: list[Instalment], credit: CreditTerms
) -> list[TaxCredit]:
    """The credit of each income year, closing year to the year of the last instalment."""
    ordinals = [item.date.toordinal() for item in schedule]
    balances = [decimal_to_cents(item.balance) for item in schedule]
    rows = _credit_rows(terms, ordinals, balances, decimal_to_cents(terms.principal), credit)
    return [
        TaxCredit(row.year, row.rate_pct, cents_to_decimal(row.base), cents_to_decimal(row.credit))
        for row in rows
    ]


def annual_tax_credits(
    terms: LoanTerms, schedule: list[Instalment], credit: CreditTerms
) -> list[dict[str, Any]]:
    """The contract's `tax_credits` list: one JSON-ready entry per income year."""
    return [row.to_json() for row in tax_credit_years(terms, schedule, credit)]


def lender_cash_flows(
    terms: LoanTerms, schedule: list[Instalment], credits: list[TaxCredit]
) -> list[tuple[date, Decimal]]:
    """The lender's cash flows: −principal, net instalments, credits on 30 June y+1."""
    flows = [(terms.closing_date, -terms.principal)]
    flows += [(item.date, item.capital + item.net_interest) for item in schedule]
    flows += [(date(row.year + 1, 6, 30), row.credit) for row in credits]
    return sorted(flows)


def _first_guess(
    amounts: list[Decimal], weighted: list[Decimal], days: list[int]
) -> Decimal | None:
    """A Halley step from L = 0, where every discount factor is 1 and so costs no powers.

    With f = sum(c), s1 = sum(c·d), s2 = sum(c·d²) (d in days), Halley's third-order step
    is L = 2·f·s1·365 / (2·s1² − f·s2); Newton's f·365 / s1 when that denominator is not
    positive. It lands about ten times closer than Newton's, saving a pass (~60 µs).
    """
    total = sum(amounts, Decimal(0))
    first = sum(weighted, Decimal(0))
    if first == 0:
        return None
    second = sum(map(mul, weighted, days), Decimal(0))
    denominator = 2 * first * first - total * second
    if denominator > 0:
        return 2 * total * first * _DAYS_PER_YEAR / denominator
    return total * _DAYS_PER_YEAR / first


def xirr_pct(flows: list[tuple[date, Decimal]]) -> Decimal | None:
    """Annual internal rate of return (%) of dated cash flows, actual/365; None if none.

    Solves sum(c_i · q^d_i) = 0 for the daily discount factor q = (1+x)^(−1/365) by
    Newton's method on L = ln(1+x) from a Halley step at L = 0, at most
    IRR_MAX_ITERATIONS steps. For a lender (one outflow first, inflows after, inflows >=
    outflow) the net present value is decreasing and convex in L: the root is unique and
    >= 0, and Newton's steps, once left of it, rise monotonically to it.
    Discount factors are cumulative products over the day gaps between flows, each
    distinct gap powered once per step; the sums run in C (map/accumulate) because this
    is the hot loop of `simulate`.
    """
    start = flows[0][0]
    days = [(day - start).days for day, _ in flows]
    amounts = [amount for _, amount in flows]
    gaps = [days[0]] + [later - earlier for earlier, later in zip(days, days[1:], strict=False)]
    distinct = sorted(set(gaps))
    weighted = list(map(mul, amounts, days))
    with localcontext() as ctx:
        ctx.prec = _IRR_PRECISION
        log_rate = _first_guess(amounts, weighted, days)
        if log_rate is None:
            return None
        for _ in range(IRR_MAX_ITERATIONS):
            daily = (-log_rate / _DAYS_PER_YEAR).exp()
            powers = {gap: daily**gap for gap in distinct}
            discounts = list(accumulate(map(powers.__getitem__, gaps), mul))
            npv = sum(map(mul, amounts, discounts), Decimal(0))
            slope = sum(map(mul, weighted, discounts), Decimal(0))
            if slope == 0:
                return None
            step = npv * _DAYS_PER_YEAR / slope  # d npv / dL = −slope / 365
            log_rate += step
            if abs(step) < _IRR_TOLERANCE:
                return (log_rate.exp() - 1) * HUNDRED
    return None


# --- The fast path of `simulate`: whole cents (Python ints) until the strings.


class _CreditRow(NamedTuple):
    """One income year's credit in whole cents (what `TaxCredit` holds as Decimals)."""

    year: int
    rate_pct: Decimal
    rate_text: str  # pct_text(rate_pct), made once per distinct rate
    base: int
    credit: int


def _credit_rows(
    terms: LoanTerms,
    ordinals: list[int],
    balances: list[int],
    principal: int,
    credit: CreditTerms,
) -> list[_CreditRow]:
    """Each income year's credit, from the balances (in cents) after each instalment
    (`ordinals`: the instalment dates as `date.toordinal()`).

    Balance on a day = after the instalments dated on or before it (end of that day), the
    principal before the first, 0 before the closing date. The credit is rounded once,
    exactly, from the unrounded capped mean; the base shown is that mean rounded.
    """
    closing = terms.closing_date.toordinal()
    # the cap in cents is cap_numerator / cap_scale; balances are scaled to match
    cap_numerator, cap_scale = credit.base_cap.as_integer_ratio()
    cap_numerator *= 100

    def balance_on(day: int) -> int:
        if day < closing:
            return 0
        paid = bisect_right(ordinals, day)
        return balances[paid - 1] if paid else principal

    rows: list[_CreditRow] = []
    rates: dict[Decimal, tuple[str, int, int]] = {}  # rate -> (text, numerator, scale)
    first_year = terms.closing_date.year
    new_year = date(first_year, 1, 1).toordinal()
    for year in range(first_year, date.fromordinal(ordinals[-1]).year + 1):
        next_year = new_year + 365 + calendar.isleap(year)
        start, end = balance_on(new_year), balance_on(next_year - 1)
        new_year = next_year
        rate_pct = credit.rate_pct_for_year(year)
        if rate_pct not in rates:
            rates[rate_pct] = (pct_text(rate_pct), *rate_pct.as_integer_ratio())
        rate_text, rate_numerator, rate_scale = rates[rate_pct]
        # twice the capped mean in cents, times cap_scale: an exact integer
        twice_mean = min(start * cap_scale, cap_numerator) + min(end * cap_scale, cap_numerator)
        base = round_half_up(twice_mean, 2 * cap_scale)
        amount = round_half_up(twice_mean * rate_numerator, 200 * cap_scale * rate_scale)
        rows.append(_CreditRow(year, rate_pct, rate_text, base, amount))
    return rows


# Fixed-point bits of the discount factors in each pass: 30 first (one machine digit of
# a Python int, about twice as fast; its bound is still ~1e-7 wide), then 62.
_PASS_BITS = (30, 62, 62, 62, 62, 62, 62, 62)
_IRR_WORKING_PRECISION = 24
_LOG_RATE_LIMIT = Decimal(10)  # |ln(1 + yield)| beyond this: leave it to xirr_pct
_LN_2_BELOW = Decimal("0.69")
_HALF = Decimal("0.5")
_IRR_TINY = Decimal("1e-20")  # in %: the Decimal rounding of exp() and the products
_IRR_L_SLACK = Decimal("1e-18")  # in L: exp() rounding between L and the daily factor
_IRR_RELATIVE = Decimal("1e-21")  # relative rounding of the Decimal arithmetic
_DAYS_PER_YEAR_SQUARED = _DAYS_PER_YEAR * _DAYS_PER_YEAR


def _gaps(days: list[int]) -> list[int]:
    """Day gaps of an ascending run of days, the first one counted from day 0."""
    return list(map(sub, days, [0, *days[:-1]]))


def _discount_factors(
    gaps: list[int], anchors: list[tuple[int, int]], daily: Decimal, bits: int
) -> list[int]:
    """daily^day at each flow in fixed point (x 2^bits): the main run by cumulative
    products over its gaps, then each anchored flow (index of the main-run flow it
    follows, -1 for day 0; days after it) from that flow's factor. Each distinct gap is
    powered once: a monthly loan has five or six of them, its credits one or two more.

    The k-th main result (from 1) is below the exact value by less than k (2 + G) G
    units, G = max(1, largest result / 2^bits): each step loses under one unit to the
    floor and its factor's floor (and Decimal rounding of the powers, ~1e-23 relative)
    under one unit per unit of the value it multiplies; an
    anchored result, one step further, by less than (k + 1) (2 + G) G.
    """
    scale = Decimal(1 << bits)
    factor: dict[int, int] = {}
    power, previous = Decimal(1), 0
    for gap in sorted({*gaps, *(gap for _, gap in anchors)}):
        # gaps are mostly consecutive (28 to 31): one product each instead of a power
        power *= daily if gap - previous == 1 else daily ** (gap - previous)
        factor[gap], previous = int(power * scale), gap
    value = one = 1 << bits
    factors: list[int] = []
    for gap in gaps:
        value = value * factor[gap] >> bits
        factors.append(value)
    anchored = [(factors[k] if k >= 0 else one) * factor[gap] >> bits for k, gap in anchors]
    return factors + anchored


def _certified_irr_pct(
    principal: int, days: list[int], amounts: list[int], later: list[tuple[int, int]]
) -> Decimal | None:
    """The lender's yield (%) rounded to 0.01 as `to_cent` rounds the exact root, or None
    when this method cannot vouch for that rounding (the caller then uses `xirr_pct`).

    The flows, in cents: -principal on day 0, `amounts` >= 0 on ascending `days` > 0 (the
    instalments) and `later` (day, amount >= 0) flows among or after them (the credits). With L = ln(1 + yield), t = day / 365 and T the last t, the net present value
    f(L) = -P + sum(c e^(-L t)) is decreasing and convex, and its derivatives obey
    |f3| <= T f2 and f2 <= T |f1|. The start is Halley's step from L = 0 (integer moments,
    no powers). Each pass computes f, f1, f2 at L in fixed point and takes a Halley
    step h; the quadratic Taylor model p misses f(L + h) by at most
    T f2 |h|^3 (1 + 2|h|T) / 6, so |f(L + h)| <= |p(h)| + that =: E, and the root lies
    within 2E / |f1| of L + h while |f1| stays above half its value ((|h| + 2E/|f1|) T
    <= ln 2). Fixed-point and Decimal rounding errors are added to E. When both ends of
    that interval round to the same 0.01 %, that is the answer: usually after one pass.
    """
    if not days or days[0] <= 0:
        return None
    anchors = [(bisect_right(days, day) - 1, day) for day, _ in later]
    anchors = [(k, day - days[k] if k >= 0 else day) for k, day in anchors]
    days = days + [day for day, _ in later]
    amounts = amounts + [amount for _, amount in later]
    if min(amounts) < 0 or min(days) <= 0:
        return None
    first = list(map(mul, amounts, days))
    second = list(map(mul, first, days))
    total, moment1, moment2 = sum(amounts), sum(first), sum(second)
    if moment1 <= 0:
        return None
    gaps = _gaps(days[: len(days) - len(later)])
    count = len(amounts)
    with localcontext() as ctx:
        ctx.prec = _IRR_WORKING_PRECISION
        year, year_squared = _DAYS_PER_YEAR, _DAYS_PER_YEAR_SQUARED
        horizon = Decimal(max(days)) / year
        net = total - principal
        denominator = 2 * moment1 * moment1 - net * moment2
        if denominator > 0:
            log_rate = Decimal(2 * net * moment1) * year / Decimal(denominator)
        else:
            log_rate = Decimal(net) * year / Decimal(moment1)
        for bits in _PASS_BITS:
            if not -_LOG_RATE_LIMIT < log_rate < _LOG_RATE_LIMIT:
                return None
            daily = (-log_rate / year).exp()
            factors = _discount_factors(gaps, anchors, daily, bits)
            # f, f1 = -slope, f2 = curve, all scaled by 2^bits (the scale cancels below)
            value = Decimal(sum(map(mul, amounts, factors)) - (principal << bits))
            slope = Decimal(sum(map(mul, first, factors))) / year
            curve = Decimal(sum(map(mul, second, factors))) / year_squared
            # every factor is below its exact value by less than `units` (see above)
            growth = (max(factors) >> bits) + 1
            units = 4 * count * growth * growth  # 3 k G^2 at most, + Decimal rounding
            slope_floor = slope - units * moment1 / year
            if slope_floor <= 0:
                return None
            halley = slope * slope - value * curve / 2
            step = value * slope / halley if halley > 0 else value / slope
            size = abs(step)
            log_rate += step
            if size * horizon > _HALF:  # too far for the bound: just step again
                continue
            curve_size2 = curve * size * size
            error = (
                abs(value - slope * step + curve_size2 / 2)
                + horizon * curve_size2 * size * (1 + 2 * size * horizon) / 6
                + units * (total + size * moment1 / year + size * size * moment2 / year_squared)
                + _IRR_RELATIVE * (abs(value) + slope * size + curve_size2)
            )
            radius = 2 * error / slope_floor + _IRR_L_SLACK
            if radius < _HALF and (size + radius) * horizon <= _LN_2_BELOW:
                low = (log_rate - radius).exp()
                high = low * (1 + 2 * radius + 4 * radius * radius)  # >= e^(2 radius) low
                low_pct = to_cent((low - 1) * HUNDRED - _IRR_TINY)
                if low_pct == to_cent((high - 1) * HUNDRED + _IRR_TINY):
                    return low_pct
    return None


def _lender_irr(
    terms: LoanTerms,
    schedule: CentSchedule,
    ordinals: list[int],
    returned: list[int],
    rows: list[_CreditRow],
) -> Decimal | None:
    """The lender's yield (%) rounded to 0.01: certified by `_certified_irr_pct`, else
    `xirr_pct` on exactly the flows of `lender_cash_flows` (its old, slower way)."""
    closing = terms.closing_date
    origin = closing.toordinal()
    principal = decimal_to_cents(terms.principal)
    instalment_days = [ordinal - origin for ordinal in ordinals]
    credit_dates = [date(row.year + 1, 6, 30) for row in rows]
    credits = [
        (day.toordinal() - origin, row.credit) for day, row in zip(credit_dates, rows, strict=True)
    ]
    certified = _certified_irr_pct(principal, instalment_days, returned, credits)
    if certified is not None:
        return certified
    flows = [(closing, -terms.principal)]
    flows += [(d, cents_to_decimal(c)) for d, c in zip(schedule.dates, returned, strict=True)]
    flows += [(d, cents_to_decimal(r.credit)) for d, r in zip(credit_dates, rows, strict=True)]
    irr = xirr_pct(sorted(flows))
    return to_cent(irr) if irr is not None else None


_CENT_SUFFIX = tuple(f".{cents:02d}" for cents in range(100))


def cents_text(cents: int) -> str:
    """Whole cents as the contract's money string: 1234 -> "12.34", -5 -> "-0.05"."""
    if cents < 0:
        return "-" + cents_text(-cents)
    return f"{cents // 100}{_CENT_SUFFIX[cents % 100]}"


def _column_texts(column: list[int]) -> list[str]:
    """A column of cents as money strings; inline (about 1.4x faster than `cents_text`
    per amount) unless the column holds a negative amount."""
    if column and min(column) < 0:
        return list(map(cents_text, column))
    return [str(cents // 100) + _CENT_SUFFIX[cents % 100] for cents in column]


def simulate(
    terms: LoanTerms,
    withholding_pct_on: Callable[[date], Decimal],
    credit: CreditTerms | None,
) -> dict[str, Any]:
    """The contract's `simulation` object for these terms (credit=None: no tax credits).

    Computed in whole cents (Python ints), every amount rounded half up from its exact
    value (see `schedule_in_cents`), and turned into strings at the end.
    """
    schedule = schedule_in_cents(terms, withholding_pct_on)
    principal = decimal_to_cents(terms.principal)
    ordinals = list(map(date.toordinal, schedule.dates))
    rows = _credit_rows(terms, ordinals, schedule.balance, principal, credit) if credit else []
    interest, capital, withholding = schedule.interest, schedule.capital, schedule.withholding
    net = list(map(sub, interest, withholding))
    total_interest, total_withholding = sum(interest), sum(withholding)
    total_net = total_interest - total_withholding
    total_credits = sum(row.credit for row in rows)
    lost = schedule.balance[0]
    default_rate = credit.default_rate_pct if credit else Decimal(0)
    default_credit = percent_of_cents(lost, default_rate)
    irr = _lender_irr(terms, schedule, ordinals, list(map(add, capital, net)), rows)
    columns = zip(
        count(1),
        schedule.date_texts,
        _column_texts(interest),
        _column_texts(capital),
        _column_texts(schedule.balance),
        _column_texts(withholding),  # < 0 at a negative withholding rate
        _column_texts(net),
        strict=False,  # count() never ends; every other column has one entry per instalment
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
            for n, day, gross, repaid, balance, withheld, received in columns
        ],
        "total_interest": cents_text(total_interest),
        "total_withholding": cents_text(total_withholding),
        "total_net_interest": cents_text(total_net),
        "tax_credits": [
            {
                "year": row.year,
                "rate_pct": row.rate_text,
                "base": cents_text(row.base),
                "credit": cents_text(row.credit),
            }
            for row in rows
        ],
        "total_tax_credits": cents_text(total_credits),
        "default_credit": {
            "rate_pct": pct_text(default_rate),
            "on_lost_principal": cents_text(lost),
            "credit": cents_text(default_credit),
        },
        "net_return": cents_text(total_net + total_credits),
        # + ZERO turns a rounded "-0.00" (a root a hair below 0) into "0.00"
        "irr_pct": money_text(irr + ZERO if irr is not None else ZERO),
    }
