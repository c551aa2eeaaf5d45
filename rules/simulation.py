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
  of the next year; it is found by Newton's method in Decimal with at most
  `IRR_MAX_ITERATIONS` steps. The lender always gets back at least what he lent (interest
  and credits are never negative), so a root exists and is >= 0; should the iteration
  nevertheless not settle, `irr_pct` is "0.00" rather than an error (documented choice:
  the contract wants a string, and a wrong yield is worse than a neutral one).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, localcontext
from itertools import accumulate
from operator import mul
from typing import Any

from rules.schedule import (
    HUNDRED,
    ZERO,
    BalanceLookup,
    Instalment,
    LoanTerms,
    build_schedule,
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
    lookup = BalanceLookup(terms, schedule)
    cap = credit.base_cap
    rows: list[TaxCredit] = []
    for year in range(terms.closing_date.year, schedule[-1].date.year + 1):
        start = min(lookup.on(date(year, 1, 1)), cap)
        end = min(lookup.on(date(year, 12, 31)), cap)
        mean = (start + end) / 2  # may end in a half cent: rounded once, on the credit
        rate_pct = credit.rate_pct_for_year(year)
        rows.append(TaxCredit(year, rate_pct, to_cent(mean), to_cent(mean * rate_pct / HUNDRED)))
    return rows


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


def simulate(
    terms: LoanTerms,
    withholding_pct_on: Callable[[date], Decimal],
    credit: CreditTerms | None,
) -> dict[str, Any]:
    """The contract's `simulation` object for these terms (credit=None: no tax credits)."""
    schedule = build_schedule(terms, withholding_pct_on)
    credits = tax_credit_years(terms, schedule, credit) if credit else []
    total_interest = sum((item.interest for item in schedule), ZERO)
    total_withholding = sum((item.withholding for item in schedule), ZERO)
    total_net = total_interest - total_withholding
    total_credits = sum((row.credit for row in credits), ZERO)
    lost = schedule[0].balance
    default_rate = credit.default_rate_pct if credit else Decimal(0)
    irr = xirr_pct(lender_cash_flows(terms, schedule, credits))
    # Every schedule figure already has exactly two decimals (the principal is kept in
    # cents, everything else is quantized or a difference of such), so str() is enough.
    return {
        "conventions": CONVENTIONS,
        "instalments": [
            {
                "n": item.n,
                "date": item.date.isoformat(),
                "interest": str(item.interest),
                "capital": str(item.capital),
                "balance": str(item.balance),
                "withholding": str(item.withholding),
                "net_interest": str(item.net_interest),
            }
            for item in schedule
        ],
        "total_interest": money_text(total_interest),
        "total_withholding": money_text(total_withholding),
        "total_net_interest": money_text(total_net),
        "tax_credits": [row.to_json() for row in credits],
        "total_tax_credits": money_text(total_credits),
        "default_credit": {
            "rate_pct": pct_text(default_rate),
            "on_lost_principal": money_text(lost),
            "credit": money_text(to_cent(lost * default_rate / HUNDRED)),
        },
        "net_return": money_text(total_net + total_credits),
        # + ZERO turns a rounded "-0.00" (a root a hair below 0) into "0.00"
        "irr_pct": money_text(to_cent(irr) + ZERO if irr is not None else ZERO),
    }
