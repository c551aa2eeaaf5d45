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
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
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
    def periodic_rate(self) -> Decimal:
        """Nominal rate per period, as a fraction (4.5 % monthly -> 0.045 / 12)."""
        return self.rate_pct / HUNDRED / self.periods_per_year


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


def instalment_dates(terms: LoanTerms) -> list[date]:
    """The closing date plus k periods, k = 1..n (always counted from the closing date)."""
    step = 12 // terms.periods_per_year
    return [add_months(terms.closing_date, k * step) for k in range(1, terms.periods + 1)]


def level_payment(principal: Decimal, rate: Decimal, periods: int) -> Decimal:
    """The rounded constant annuity instalment P·r / (1 − (1+r)^−m); P/m when r = 0."""
    if rate == 0:
        return to_cent(principal / periods)
    return to_cent(principal * rate / (1 - (1 + rate) ** -periods))


def _capital_parts(terms: LoanTerms) -> tuple[int, Decimal]:
    """(periods of capital holiday, the constant capital part or instalment after it)."""
    holiday = terms.grace_years * terms.periods_per_year
    left = terms.periods - holiday
    if terms.repayment == "annuity":
        return holiday, level_payment(terms.principal, terms.periodic_rate, left)
    if terms.repayment == "linear":
        return holiday, to_cent(terms.principal / left)
    return terms.periods - 1, ZERO  # bullet: no capital until the last instalment


def build_schedule(
    terms: LoanTerms, withholding_pct_on: Callable[[date], Decimal]
) -> list[Instalment]:
    """All instalments of the loan, withholding at the rate in force on each date (%)."""
    rate = terms.periodic_rate
    holiday, level = _capital_parts(terms)
    annuity = terms.repayment == "annuity"
    dates = instalment_dates(terms)
    last = len(dates)
    balance = terms.principal
    schedule: list[Instalment] = []
    for n, day in enumerate(dates, start=1):
        interest = (balance * rate).quantize(CENT, ROUND_HALF_UP)
        if n == last:
            capital = balance
        elif n <= holiday:
            capital = ZERO
        else:
            capital = level - interest if annuity else level
            capital = min(max(capital, ZERO), balance)
        balance -= capital
        withholding = (interest * withholding_pct_on(day) / HUNDRED).quantize(CENT, ROUND_HALF_UP)
        schedule.append(
            Instalment(n, day, interest, capital, balance, withholding, interest - withholding)
        )
    return schedule


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
