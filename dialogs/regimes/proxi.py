"""The Proxi loan's words: its name, the Brussels Guarantee Fund, the deed's deadline, the
explanations of its own conditions (the yearly cap, the excluded sectors) and its
disputed parameters (`rules/parameters/proxi.yaml`)."""

from __future__ import annotations

from typing import Any

from dialogs.i18n import N_, Translator
from dialogs.regimes import RegimeTexts

CHANGES_2023 = N_("the Proxi changes of 2023")


def _year_cap(tr: Translator, d: dict[str, Any], _texts: RegimeTexts) -> str:
    return tr(
        N_(
            "What the lender lends in Proxi loans this year would reach "
            "{total}; the yearly limit is {cap}."
        ),
        total=tr.money(d.get("total", d.get("amount", "0"))),
        cap=tr.money(d["cap"]),
    )


def _excluded_sector(tr: Translator, _d: dict[str, Any], _texts: RegimeTexts) -> str:
    return tr(
        N_("Enterprises mainly active in an excluded sector cannot borrow with a Proxi loan.")
    )


TEXTS = RegimeTexts(
    name=N_("Proxi loan"),
    agency=N_("the Brussels Guarantee Fund, run by finance&invest.brussels, finance.brussels"),
    registration=N_(
        "Make the deed with the official online form and the repayment table in three "
        "signed copies; one goes to the Brussels Guarantee Fund within 3 months."
    ),
    deed=N_(
        "Sign the deed (made with the official online form) and this repayment table in "
        "three copies; send one to the Brussels Guarantee Fund within 3 months, by "
        "registered letter or as a scanned PDF."
    ),
    explanations={"lender.cap_year": _year_cap, "borrower.excluded_sector": _excluded_sector},
    uncertain={
        "max_shareholding_pct": CHANGES_2023,
        "default_credit_rate_exemplary": CHANGES_2023,
    },
)
