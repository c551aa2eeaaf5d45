"""The repayment schedule of a loan, in whole cents: dates, interest, capital, withholding.

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

Amounts are whole cents (Python ints) and every rounding is that of the exact rational
value, half up: the rate is an exact Fraction, so no Decimal precision can turn 9.075
into 9.07.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from operator import sub
from typing import Literal

Repayment = Literal["bullet", "annuity", "linear"]
Frequency = Literal["monthly", "quarterly", "half_yearly", "annual"]

PERIODS_PER_YEAR: dict[str, int] = {"monthly": 12, "quarterly": 4, "half_yearly": 2, "annual": 1}
REPAYMENTS: tuple[str, ...] = ("bullet", "annuity", "linear")

CENT = Decimal("0.01")


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

    @property
    def principal_cents(self) -> int:
        """The principal in whole cents."""
        return int(self.principal.scaleb(2))


def add_months(start: date, months: int) -> date:
    """`start` plus `months` calendar months, the day clamped to the month's last day."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    if start.day <= 28:
        return date(year, month, start.day)
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


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


@dataclass(frozen=True, slots=True)
class Schedule:
    """The instalments column by column, in whole cents (index i = instalment i + 1).

    `balance` is the balance just after the instalment. Columns rather than row objects
    because `simulate` sums and searches them and builds its JSON rows only once.
    """

    dates: list[date]
    interest: list[int]
    capital: list[int]
    balance: list[int]
    withholding: list[int]
    net_interest: list[int]


def instalment_dates(closing: date, periods: int, months: int) -> list[date]:
    """The dates of `periods` instalments `months` apart after `closing` (`add_months` of
    k x months for k = 1..periods), built directly when no month-end clamping is needed."""
    if closing.day > 28:
        return [add_months(closing, k * months) for k in range(1, periods + 1)]
    year, day, first = closing.year, closing.day, closing.month - 1 + months
    return [
        date(year + index // 12, index % 12 + 1, day)
        for index in range(first, first + periods * months, months)
    ]


def schedule_in_cents(terms: LoanTerms, withholding_pct_on: Callable[[date], Decimal]) -> Schedule:
    """All instalments of the loan, withholding at the rate (%) in force on each date.

    The withholding rate is asked once for each instalment's date, in date order (it may
    change on any day).

    Every rounding is `round_half_up` of an exact quotient, written out inline for the
    non-negative numerators of the loop (balance, rate and interest are never negative):
    n / d half up = (2n + d) // 2d.
    """
    periods, principal = terms.periods, terms.principal_cents
    holiday = terms.grace_years * terms.periods_per_year
    rate = terms.periodic_rate
    if terms.repayment == "annuity":
        level = level_payment_cents(principal, rate, periods - holiday)
    elif terms.repayment == "linear":
        level = round_half_up(principal, periods - holiday)
    else:  # bullet: a holiday until the last instalment
        holiday, level = periods - 1, 0
    annuity = terms.repayment == "annuity"
    numerator, denominator = rate.numerator, rate.denominator  # properties: read once
    twice_numerator, twice_denominator = 2 * numerator, 2 * denominator
    dates = instalment_dates(terms.closing_date, periods, 12 // terms.periods_per_year)
    # the holiday: interest only, on the whole principal
    first_interest = (principal * twice_numerator + denominator) // twice_denominator
    interests, capitals = [first_interest] * holiday, [0] * holiday
    balances = [principal] * holiday
    balance = principal
    for _ in range(periods - holiday - 1):
        interest = (balance * twice_numerator + denominator) // twice_denominator
        # the level instalment or capital part, never below 0 nor above the balance
        capital = level - interest if annuity else level
        if capital > balance:
            capital = balance
        elif capital < 0:
            capital = 0
        balance -= capital
        interests.append(interest)
        capitals.append(capital)
        balances.append(balance)
    # the last instalment clears the balance
    interests.append((balance * twice_numerator + denominator) // twice_denominator)
    capitals.append(balance)
    balances.append(0)
    withholdings = _withheld(interests, list(map(withholding_pct_on, dates)))
    net = list(map(sub, interests, withholdings))
    return Schedule(dates, interests, capitals, balances, withholdings, net)


def _withheld(interests: list[int], rates_pct: list[Decimal]) -> list[int]:
    """`percent_of_cents` of each interest at its rate, each rate's ratio taken once per
    run of the same rate (it changes rarely, if ever, over a loan)."""
    first = rates_pct[0]
    numerator, denominator = first.as_integer_ratio()
    if numerator >= 0 and rates_pct.count(first) == len(rates_pct):  # one rate throughout
        twice_numerator, scale, twice_scale = 2 * numerator, 100 * denominator, 200 * denominator
        return [(interest * twice_numerator + scale) // twice_scale for interest in interests]
    withholdings = []
    last: Decimal | None = None
    for interest, pct in zip(interests, rates_pct, strict=True):
        if pct is not last and pct != last:
            last = pct
            numerator, denominator = pct.as_integer_ratio()
            twice_numerator, scale, twice_scale = (
                2 * numerator,
                100 * denominator,
                200 * denominator,
            )
        if numerator >= 0:  # interest >= 0: the product is >= 0
            withholdings.append((interest * twice_numerator + scale) // twice_scale)
        else:  # a negative rate is no real one, but rounds like percent_of_cents all the same
            withholdings.append(round_half_up(interest * numerator, scale))
    return withholdings
