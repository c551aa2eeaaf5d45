"""The prêt Coup de Pouce's words: its name per language, Wallonie Entreprendre, the
registration request (3 months, with the bank statement), the explanations of its own
conditions (the enterprise's age before mid-2018, the excluded activities) and its
disputed parameters (`rules/parameters/coup_de_pouce.yaml`)."""

from __future__ import annotations

from typing import Any

from dialogs.explain import years
from dialogs.i18n import N_, Translator
from dialogs.regimes import RegimeTexts


def _age(tr: Translator, d: dict[str, Any], _texts: RegimeTexts) -> str:
    return tr(
        N_(
            "On this date only an enterprise registered for less than {limit} could borrow; "
            "the answer was {given}."
        ),
        limit=years(tr, d["max_years"]),
        given=years(tr, d.get("given", 0)),
    )


def _excluded_activity(tr: Translator, _d: dict[str, Any], _texts: RegimeTexts) -> str:
    return tr(
        N_(
            "An investment, financing or cash-management business, a real-estate company "
            "used privately by its directors, a management company or a listed company "
            "cannot borrow with a Coup de Pouce loan."
        )
    )


TEXTS = RegimeTexts(
    name=N_("Coup de Pouce loan"),
    agency=N_("Wallonie Entreprendre (formerly SOWALFIN), pretcoupdepouce.be"),
    registration=N_(
        "Use the online model contract with its amortisation table; send the registration "
        "request to Wallonie Entreprendre within 3 months of handing over the funds, with "
        "the bank statement that proves the payment (no tax benefit without it)."
    ),
    deed=N_(
        "Ask Wallonie Entreprendre to register the loan within 3 months of handing over "
        "the funds, with the contract, this repayment table and the bank statement that "
        "proves the payment."
    ),
    explanations={"borrower.age": _age, "borrower.excluded_activity": _excluded_activity},
    uncertain={
        "in_force_from": N_("the first day of the prêt Coup de Pouce in October 2016"),
        "enterprise_age_limited": N_("when the enterprise-age limit was lifted in 2018"),
    },
)
