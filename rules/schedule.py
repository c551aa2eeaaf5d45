"""The repayment schedule of a loan: instalment dates, interest, capital, withholding.

Pure and parameter-free: the withholding rate in force on a date comes in as a callable,
so the dated parameters stay in `rules/parameters/` and this module stays testable on its
own. Conventions (leenwijzer's own, the agencies publish none) follow
`shared/domain/simulation.md`:

- periodic rate r = annual rate / 100 / periods per year (nominal);
- instalment k falls on the closing date plus k periods, same day of the month, clamped
  to the last day of a shorter month;
- interest of a period = balance x r, rounded to the cent half up;
- during a capital holiday only interest is paid;
- annuity: constant instalment P·r / (1 − (1+r)^−m) rounded to the cent (P/m at rate 0),
  m = periods after the holiday; linear: capital parts P/m rounded; bullet: the whole
  principal with the last instalment. The last instalment always clears the balance, so
  the capital parts sum to the principal exactly.

`schedule_in_cents` computes the figures in whole cents (Python ints), exactly: every
rounding is that of the exact rational value (balance x r, P·r / (1 − (1+r)^−m), ...)
to the cent, half up; `build_schedule` wraps it in Decimal `Instalment`s.
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

Repayment = Literal["bullet", "annuity", "linear"]
Frequency = Literal["monthly", "quarterly", "half_yearly", "annual"]

PERIODS_PER_YEAR: dict[str, int] = {"monthly": 12, "quarterly": 4, "half_yearly": 2, "annual": 1}
REPAYMENTS: tuple[str, ...] = ("bullet", "annuity", "linear")

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


def to_cent(amount: Decimal) -> Decimal:
    """Round an amount to the cent, half up: the rounding a person sees and pays."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LoanTerms:
    """What the parties agreed: the inputs of the simulation.

    The principal is rounded to the cent (and so always carries two decimals).
    Invalid terms (a principal under one cent, negative rate, years < 1, a holiday as long as
    the loan, an unknown repayment kind or frequency) raise ValueError at construction,
    so every LoanTerms that exists can be simulated.
    """

    principal: Decimal
    rate_pct: Decimal
    years: int
    repayment: Repayment
    frequency: Frequency
    closing_date: date
    grace_years: int = 0

    def __post_init__(self) -> None:
        # Amounts are lent in whole cents: a sub-cent principal is rounded (half up) and
        # kept with two decimals, so every schedule figure derived from it has two too.
        object.__setattr__(self, "principal", to_cent(self.principal))
        if not self.principal > 0:
            raise ValueError(f"principal must be positive, got {self.principal}")
        if self.rate_pct < 0:
            raise ValueError(f"rate_pct must not be negative, got {self.rate_pct}")
        if self.years < 1:
            raise ValueError(f"years must be at least 1, got {self.years}")
        if not 0 <= self.grace_years < self.years:
            raise ValueError(f"grace_years must be in 0..years-1, got {self.grace_years}")
        if self.repayment not in REPAYMENTS:
            raise ValueError(f"unknown repayment {self.repayment!r}")
        if self.frequency not in PERIODS_PER_YEAR:
            raise ValueError(f"unknown frequency {self.frequency!r}")

    @property
    def periods_per_year(self) -> int:
        """Instalments per year for this frequency."""
        return PERIODS_PER_YEAR[self.frequency]

    @property
    def periods(self) -> int:
        """Number of instalments over the whole loan."""
        return self.years * self.periods_per_year

    @property
    def periodic_rate(self) -> Fraction:
        """Nominal rate per period, exactly (4.5 % monthly -> 0.045 / 12 = 3/800)."""
        return Fraction(self.rate_pct) / (100 * self.periods_per_year)


@dataclass(frozen=True)
class Instalment:
    """One payment: gross interest, capital part, balance just after it, withholding."""

    n: int
    date: date
    interest: Decimal
    capital: Decimal
    balance: Decimal
    withholding: Decimal
    net_interest: Decimal


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def add_months(start: date, months: int) -> date:
    """`start` plus `months` calendar months, the day clamped to the month's last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    if start.day <= 28:
        return date(year, month, start.day)
    last = 29 if month == 2 and calendar.isleap(year) else _MONTH_DAYS[month - 1]
    return date(year, month, min(start.day, last))


def _month_tails(day: int, leap: bool) -> tuple[str, ...]:
    """ "-MM-DD" of each month for an instalment day, clamped to the month's last day."""
    lengths = (31, 29 if leap else 28, *_MONTH_DAYS[2:])
    return tuple(f"-{month:02d}-{min(day, last):02d}" for month, last in enumerate(lengths, 1))


# _MONTH_TAILS[leap][day]: the twelve "-MM-DD" of an instalment day (a small fixed table)
_MONTH_TAILS = tuple(tuple(_month_tails(day, leap) for day in range(32)) for leap in (False, True))


def instalment_date_texts(terms: LoanTerms) -> list[str]:
    """The instalment dates as ISO strings (what the contract shows), k = 1..n.

    Built as text, month by month over whole years and sliced, because that is several
    times faster than a `date` and an `isoformat()` per instalment; `instalment_dates`
    parses them back (in C). Same dates as `add_months(closing, k x step)`.
    """
    step = 12 // terms.periods_per_year
    closing = terms.closing_date
    if closing.year < 1000:  # ISO years have four digits: the slow, general way
        return [add_months(closing, k * step).isoformat() for k in range(1, terms.periods + 1)]
    tails = (_MONTH_TAILS[0][closing.day], _MONTH_TAILS[1][closing.day])
    first = closing.month - 1 + step  # months counted from January of the closing year
    stop = first + step * terms.periods
    years = range(closing.year, closing.year + (stop - 1) // 12 + 1)
    every_month = [
        text + tail
        for year, text in zip(years, map(str, years), strict=True)
        for tail in tails[calendar.isleap(year)]
    ]
    return every_month[first:stop:step]


def instalment_dates(terms: LoanTerms) -> list[date]:
    """The closing date plus k periods, k = 1..n (always counted from the closing date)."""
    return list(map(date.fromisoformat, instalment_date_texts(terms)))


def round_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator (denominator > 0) rounded to a whole number, halves away
    from zero: Decimal's ROUND_HALF_UP, applied to the exact quotient."""
    if numerator < 0:
        return -((denominator - 2 * numerator) // (2 * denominator))
    return (2 * numerator + denominator) // (2 * denominator)


def percent_of_cents(cents: int, pct: Decimal) -> int:
    """cents x pct / 100 rounded half up to whole cents, exactly."""
    numerator, denominator = pct.as_integer_ratio()
    return round_half_up(cents * numerator, 100 * denominator)


def level_payment_cents(principal: int, rate: Fraction, periods: int) -> int:
    """The constant annuity instalment P·r / (1 − (1+r)^−m) in cents (P/m when r = 0),
    rounded half up from its exact value: with r = a / b it is
    P·a·(a+b)^m / (b·((a+b)^m − b^m)), a quotient of integers."""
    if rate == 0:
        return round_half_up(principal, periods)
    a, b = rate.numerator, rate.denominator
    grown, base = (a + b) ** periods, b**periods
    return round_half_up(principal * a * grown, b * (grown - base))


def level_payment(principal: Decimal, rate: Decimal | Fraction, periods: int) -> Decimal:
    """The rounded constant annuity instalment P·r / (1 − (1+r)^−m); P/m when r = 0."""
    return cents_to_decimal(
        level_payment_cents(decimal_to_cents(to_cent(principal)), Fraction(rate), periods)
    )


def _capital_parts(terms: LoanTerms, principal: int) -> tuple[int, int]:
    """(periods of capital holiday, the constant capital part or instalment after it in
    cents); `principal` in cents."""
    holiday = terms.grace_years * terms.periods_per_year
    left = terms.periods - holiday
    if terms.repayment == "annuity":
        return holiday, level_payment_cents(principal, terms.periodic_rate, left)
    if terms.repayment == "linear":
        return holiday, round_half_up(principal, left)
    return terms.periods - 1, 0  # bullet: no capital until the last instalment


def cents_to_decimal(cents: int) -> Decimal:
    """Whole cents as a Decimal with exactly two decimals (the schedule's Decimal form)."""
    return CENT * cents


def decimal_to_cents(amount: Decimal) -> int:
    """A Decimal with at most two decimals as whole cents (the inverse of
    `cents_to_decimal`)."""
    return int(amount.scaleb(2))


@dataclass(frozen=True, slots=True)
class CentSchedule:
    """The schedule column by column, in whole cents (index i = instalment i + 1).

    The fast form of `build_schedule`: `simulate` works on it directly and converts to
    strings only at the edge. Balance is the balance just after the instalment.
    """

    dates: list[date]
    date_texts: list[str]
    interest: list[int]
    capital: list[int]
    balance: list[int]
    withholding: list[int]


def _repayments(terms: LoanTerms, principal: int) -> tuple[list[int], list[int], list[int]]:
    """(interest, capital, balance after) of every instalment, in cents.

    In three phases: the capital holiday (the balance, and so the interest, stays the
    same), the constant instalments or capital parts, and the last instalment that
    clears the balance. Interest = balance x a / b rounded half up, in integers.
    """
    holiday, level = _capital_parts(terms, principal)
    rate = terms.periodic_rate
    numerator, denominator = 2 * rate.numerator, 2 * rate.denominator
    half = rate.denominator
    balance = principal
    during_holiday = (principal * numerator + half) // denominator
    interests = [during_holiday] * holiday
    capitals = [0] * holiday
    balances = [principal] * holiday
    add_interest, add_capital, add_balance = interests.append, capitals.append, balances.append
    annuity = terms.repayment == "annuity"  # else linear (bullet: no middle phase)
    for _ in range(terms.periods - 1 - holiday):
        cents = (balance * numerator + half) // denominator
        capital = level - cents if annuity else level
        if capital > balance:  # min(max(capital, 0), balance)
            capital = balance
        elif capital < 0:
            capital = 0
        balance -= capital
        add_interest(cents)
        add_capital(capital)
        add_balance(balance)
    interests.append((balance * numerator + half) // denominator)
    capitals.append(balance)
    balances.append(0)
    return interests, capitals, balances


def _withholdings(interests: list[int], pcts: list[Decimal]) -> list[int]:
    """The withholding of each instalment in cents, at that instalment's rate (%)."""
    if pcts.count(pcts[0]) == len(pcts) and pcts[0] >= 0:  # one rate: the usual case
        numerator, denominator = pcts[0].as_integer_ratio()
        twice, scale = 2 * numerator, 200 * denominator  # interests are never negative
        return [(cents * twice + scale // 2) // scale for cents in interests]
    return list(map(percent_of_cents, interests, pcts))


def schedule_in_cents(
    terms: LoanTerms, withholding_pct_on: Callable[[date], Decimal]
) -> CentSchedule:
    """All instalments in whole cents; the same figures as `build_schedule`, faster.

    Withholding is asked once for each instalment's date, in date order (the rate may
    change on any day).
    """
    interests, capitals, balances = _repayments(terms, decimal_to_cents(terms.principal))
    date_texts = instalment_date_texts(terms)
    dates = list(map(date.fromisoformat, date_texts))
    withholdings = _withholdings(interests, list(map(withholding_pct_on, dates)))
    return CentSchedule(dates, date_texts, interests, capitals, balances, withholdings)


def build_schedule(
    terms: LoanTerms, withholding_pct_on: Callable[[date], Decimal]
) -> list[Instalment]:
    """All instalments of the loan, withholding at the rate in force on each date (%)."""
    cents = schedule_in_cents(terms, withholding_pct_on)
    rows = zip(cents.interest, cents.capital, cents.balance, cents.withholding, strict=True)
    return [
        Instalment(
            n,
            day,
            cents_to_decimal(interest),
            cents_to_decimal(capital),
            cents_to_decimal(balance),
            cents_to_decimal(withholding),
            cents_to_decimal(interest - withholding),
        )
        for n, (day, (interest, capital, balance, withholding)) in enumerate(
            zip(cents.dates, rows, strict=True), start=1
        )
    ]


class BalanceLookup:
    """Balance at the end of any day, by binary search over the instalment dates."""

    def __init__(self, terms: LoanTerms, schedule: list[Instalment]) -> None:
        self._closing = terms.closing_date
        self._principal = terms.principal
        self._dates = [item.date for item in schedule]
        self._balances = [item.balance for item in schedule]

    def on(self, day: date) -> Decimal:
        """Principal minus the capital paid on or before `day`; 0 before the closing."""
        if day < self._closing:
            return ZERO
        paid = bisect_right(self._dates, day)
        return self._balances[paid - 1] if paid else self._principal


def balance_on(terms: LoanTerms, schedule: list[Instalment], day: date) -> Decimal:
    """The outstanding principal at the end of `day` (0 before the closing date)."""
    return BalanceLookup(terms, schedule).on(day)
