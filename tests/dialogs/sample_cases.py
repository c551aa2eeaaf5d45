"""Cases shared by the dialog tests."""

from __future__ import annotations

from typing import Any

#: Worked example 1 of simulation.md as a complete case: a Winwinlening, eligible.
COMPLETE: dict[str, Any] = {
    "closing_date": "2024-03-15",
    "lender": {
        "region": "flanders",
        "natural_person": True,
        "professional_capacity": False,
        "employee_of_borrower": False,
        "director_of_borrower": False,
        "shareholding_pct": "0",
        "borrower_in_other_loan": False,
        "already_lent": "0",
    },
    "borrower": {
        "legal_form": "company",
        "region": "flanders",
        "staff": "12",
        "turnover": "1500000",
        "partners": [],
        "public_control_pct": "0",
        "already_borrowed": "0",
    },
    "loan": {
        "amount": "20000",
        "rate_pct": "4.5",
        "years": 8,
        "repayment": "annuity",
        "frequency": "monthly",
    },
}
