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

`schedule_in_cents` computes the same figures in whole cents (Python ints), several times
faster; `build_schedule` wraps it in Decimal `Instalment`s. The integer formulas give
exactly what the Decimal expressions give in the current context, including Decimal's
rounding of a non-terminating periodic rate (4 % / 12) to the context precision: where
that rounding could matter (a product within a rounding step of a half cent, a rate with
very many digits, absurd sizes), the Decimal expression itself is evaluated.
"""

from __future__ import annotations

import calendar
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, getcontext
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


def cents_to_decimal(cents: int) -> Decimal:
    """Whole cents as a Decimal with exactly two decimals (the schedule's Decimal form)."""
    return CENT * cents


_ONE = Decimal(1)


class PercentOfCents:
    """`to_cent(amount x pct / 100)` for amounts in whole cents, in integer arithmetic.

    It gives what the Decimal expression `(amount * pct / HUNDRED).quantize(CENT,
    ROUND_HALF_UP)` gives in the current context: when the product `amount * pct` is
    exact in that context (its digits fit the precision, the usual case) the integer
    formula is used; otherwise (a rate with very many digits, a negative rate, huge
    amounts) the Decimal expression itself is evaluated, so even its rounding to the
    context precision and its errors are the same.
    """

    __slots__ = ("pct", "numerator", "denominator", "half", "exact_below")

    def __init__(self, pct: Decimal, precision: int) -> None:
        self.pct = pct
        numerator, denominator = pct.as_integer_ratio()
        # to_cent(c * n / (100 d)) = floor((2 c n + 100 d) / (200 d)) for c * n >= 0
        self.numerator = 2 * numerator
        self.denominator = 200 * denominator
        self.half = 100 * denominator
        sign, digits, exponent = pct.as_tuple()
        assert isinstance(exponent, int)  # as_integer_ratio refused NaN and infinity
        # amount * pct has at most digits(amount) + len(digits) digits: exact when that
        # fits; a positive exponent adds zeros that quantize must also fit.
        room = precision - len(digits) - max(exponent, 0)
        self.exact_below = 0 if sign or room <= 0 else 10**room

    def of(self, cents: int) -> int:
        """to_cent(cents x pct / 100), in whole cents (cents >= 0)."""
        if 0 <= cents < self.exact_below:
            return (cents * self.numerator + self.half) // self.denominator
        exact = (Decimal(cents) * self.pct / HUNDRED).quantize(_ONE, ROUND_HALF_UP)
        return int(exact)


class _InterestOfBalance:
    """Interest of a period in whole cents: `(balance * r).quantize(CENT, ROUND_HALF_UP)`.

    r is the Decimal periodic rate, rounded to the context precision when it does not
    terminate (4 % / 12). The product balance x r is then rounded to that precision
    too before the rounding to the cent: done naively in exact fractions, the two can
    disagree by a cent when the exact product lies within a rounding step of a half
    cent (900.00 at 12.1 % monthly: 9.075 exactly, but 9.0749999... in Decimal, 9.07).
    So: the integer half-up formula, and the Decimal expression itself whenever the
    product could have been rounded that close to a half cent (`_near`).
    """

    __slots__ = ("rate", "numerator", "denominator", "near", "far")

    def __init__(self, rate: Decimal, principal_cents: int, precision: int) -> None:
        self.rate = rate
        numerator, denominator = rate.as_integer_ratio()
        self.numerator = 2 * numerator
        self.denominator = 2 * denominator
        digits = len(rate.as_tuple().digits)
        if len(str(principal_cents)) + digits <= precision:
            near = -1  # every product is exact: no second rounding
        elif principal_cents * numerator >= denominator * 10 ** (precision - 1):
            near = self.denominator  # absurd sizes: always the Decimal expression
        else:
            # a rounding to `precision` digits moves x = b n / d by < x 10^(1-p); in
            # units of the remainder below (1 / 2d) that is < 2 b n 10^(1-p)
            near = 2 * principal_cents * numerator // 10 ** (precision - 1) + 2
        self.near = near
        self.far = self.denominator - near

    def of(self, balance: int) -> int:
        """The rounded interest, in cents, of a balance in cents."""
        cents, rest = divmod(balance * self.numerator + self.denominator // 2, self.denominator)
        if self.near < rest < self.far:
            return cents
        return int((Decimal(balance) * self.rate).quantize(_ONE, ROUND_HALF_UP))


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


def _decimal_cents(amount: Decimal) -> int:
    """A Decimal with at most two decimals as whole cents."""
    return int(amount.scaleb(2))


def _repayments(
    terms: LoanTerms, principal: int, interest: _InterestOfBalance
) -> tuple[list[int], list[int], list[int]]:
    """(interest, capital, balance after) of every instalment, in cents.

    In three phases: the capital holiday (the balance, and so the interest, stays the
    same), the constant instalments or capital parts, and the last instalment that
    clears the balance. The middle loop inlines `interest.of`'s integer fast path.
    """
    holiday, level_amount = _capital_parts(terms)
    level = _decimal_cents(level_amount)
    numerator, denominator, near, far = (
        interest.numerator,
        interest.denominator,
        interest.near,
        interest.far,
    )
    half = denominator // 2
    balance = principal
    during_holiday = interest.of(principal)
    interests = [during_holiday] * holiday
    capitals = [0] * holiday
    balances = [principal] * holiday
    add_interest, add_capital, add_balance = interests.append, capitals.append, balances.append
    annuity = terms.repayment == "annuity"  # else linear (bullet: no middle phase)
    for _ in range(terms.periods - 1 - holiday):
        cents, rest = divmod(balance * numerator + half, denominator)
        if not near < rest < far:
            cents = interest.of(balance)
        capital = level - cents if annuity else level
        if capital > balance:  # min(max(capital, 0), balance)
            capital = balance
        elif capital < 0:
            capital = 0
        balance -= capital
        add_interest(cents)
        add_capital(capital)
        add_balance(balance)
    interests.append(interest.of(balance))
    capitals.append(balance)
    balances.append(0)
    return interests, capitals, balances


def _withholdings(interests: list[int], pcts: list[Decimal], precision: int) -> list[int]:
    """The withholding of each instalment in cents, at that instalment's rate (%)."""
    if (
        pcts.count(pcts[0]) == len(pcts)
        and max(interests) < (percent := PercentOfCents(pcts[0], precision)).exact_below
    ):  # one rate, integer formula: the usual case
        numerator, half, denominator = percent.numerator, percent.half, percent.denominator
        return [(cents * numerator + half) // denominator for cents in interests]
    withheld: list[int] = []
    percent = PercentOfCents(pcts[0], precision)
    for cents, pct in zip(interests, pcts, strict=True):
        if pct != percent.pct:
            percent = PercentOfCents(pct, precision)
        withheld.append(percent.of(cents))
    return withheld


def schedule_in_cents(
    terms: LoanTerms, withholding_pct_on: Callable[[date], Decimal]
) -> CentSchedule:
    """All instalments in whole cents; the same figures as `build_schedule`, faster.

    Withholding is asked once for each instalment's date, in date order (the rate may
    change on any day).
    """
    precision = getcontext().prec
    principal = _decimal_cents(terms.principal)
    interest = _InterestOfBalance(terms.periodic_rate, principal, precision)
    interests, capitals, balances = _repayments(terms, principal, interest)
    date_texts = instalment_date_texts(terms)
    dates = list(map(date.fromisoformat, date_texts))
    withholdings = _withholdings(interests, list(map(withholding_pct_on, dates)), precision)
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
