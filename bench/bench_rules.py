"""Benchmark of the rules core: the loan simulation and a full `evaluate`.

Run from the repository root: `python bench/bench_rules.py [--runs N]`. Prints the median
and the 95th percentile in microseconds per call. A plain script on purpose: timings are
measured and reported, never asserted in tests (they depend on the machine).

Timed:
  schedule   `schedule_in_cents` of a 10-year monthly annuity (120 instalments)
  simulate   `simulate` of the same loan, winwin credit terms (schedule, credits, IRR, JSON)
  evaluate   `rules.evaluate` of a complete, eligible winwin case, simulation included
             (skipped with a message when `rules.evaluate` is not there yet)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rules.schedule import LoanTerms, schedule_in_cents  # noqa: E402
from rules.simulation import CreditTerms, simulate  # noqa: E402

LOAN = LoanTerms(Decimal("20000"), Decimal("4.5"), 10, "annuity", "monthly", date(2024, 9, 16))
CREDIT = CreditTerms(lambda _year: Decimal("2.5"), Decimal(75000), Decimal(30))

# A complete winwin case that passes every condition (10-year monthly annuity).
ELIGIBLE_CASE: dict[str, Any] = {
    "closing_date": "2024-09-16",
    "lender": {
        "region": "flanders",
        "natural_person": True,
        "professional_capacity": False,
        "employee_of_borrower": False,
        "spouse_of_borrower": False,
        "director_of_borrower": False,
        "shareholding_pct": "0",
        "borrower_in_other_loan": False,
        "already_lent": "0",
        "lent_this_year": "0",
    },
    "borrower": {
        "legal_form": "company",
        "region": "flanders",
        "economic_activity": True,
        "staff": "12",
        "turnover": "1500000",
        "balance_sheet": "900000",
        "partners": [],
        "public_control_pct": "0",
        "excluded_sector": False,
        "exemplary": False,
        "already_borrowed": "0",
    },
    "loan": {
        "amount": "20000",
        "rate_pct": "4.5",
        "years": 10,
        "repayment": "annuity",
        "frequency": "monthly",
        "grace_years": 0,
    },
}


def withholding(_day: date) -> Decimal:
    """30 %, the rate in force since 2017 (the real one comes from the parameters)."""
    return Decimal(30)


def measure(call: Callable[[], object], runs: int) -> tuple[float, float]:
    """(median, p95) of `runs` timed calls, in microseconds, after a few warm-up calls."""
    for _ in range(min(20, runs)):
        call()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1e6)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.95 * len(samples)))]


def report(name: str, call: Callable[[], object], runs: int) -> None:
    median, p95 = measure(call, runs)
    print(f"{name:<10} median {median:9.1f} µs   p95 {p95:9.1f} µs   ({runs} runs)")


def evaluate_call() -> Callable[[], object] | None:
    """`rules.evaluate` on the eligible case, or None (with a message) if not available."""
    try:
        from rules import evaluate
    except ImportError as error:
        print(f"evaluate   skipped: rules.evaluate is not available ({error})")
        return None
    answer = evaluate(ELIGIBLE_CASE)
    winwin = answer["regimes"][0]
    if winwin.get("verdict") != "eligible" or "simulation" not in winwin:
        print(f"evaluate   note: the bench case is {winwin.get('verdict')}, not eligible")
    return lambda: evaluate(ELIGIBLE_CASE)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="timed calls per benchmark")
    runs = parser.parse_args(argv).runs
    print(f"python {sys.version.split()[0]}, {runs} runs each")
    report("schedule", lambda: schedule_in_cents(LOAN, withholding), runs)
    report("simulate", lambda: simulate(LOAN, withholding, CREDIT), runs)
    call = evaluate_call()
    if call is not None:
        report("evaluate", call, runs)


if __name__ == "__main__":
    main()
