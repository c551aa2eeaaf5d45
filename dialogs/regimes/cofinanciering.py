"""PMV co-financing's words: its name, PMV as the lender, why it is not for a private
lender, the explanations of its project conditions and its disputed parameters
(`rules/parameters/cofinanciering.yaml`)."""

from __future__ import annotations

from typing import Any

from dialogs.explain import pct, years
from dialogs.i18n import N_, Translator
from dialogs.regimes import Explain, RegimeTexts


def _amount(tr: Translator, d: dict[str, Any], _texts: RegimeTexts) -> str:
    if "given" in d:
        return tr(
            N_("PMV can lend at most {max} for this project; you asked {given}."),
            max=tr.money(d["max_amount"]),
            given=tr.money(d["given"]),
        )
    return tr(
        N_("With these figures PMV cannot lend anything (at most {max})."),
        max=tr.money(d.get("max_amount", d["cap"])),
    )


def _share(message: str) -> Explain:
    """A part of the investment need below its minimum share ({given}, {min_pct}, {required})."""

    def explain(tr: Translator, d: dict[str, Any], _texts: RegimeTexts) -> str:
        return tr(
            message,
            given=tr.money(d.get("given", "0")),
            min_pct=pct(tr, d["min_pct"]),
            required=tr.money(d.get("required", "0")),
        )

    return explain


def _partner_duration(tr: Translator, d: dict[str, Any], _texts: RegimeTexts) -> str:
    return tr(
        N_("The partner's loan ({partner}) may run at most {shorter} shorter than PMV's ({pmv})."),
        partner=years(tr, d.get("partner_years", 0)),
        shorter=years(tr, d["max_shorter_years"]),
        pmv=years(tr, d.get("pmv_years", 0)),
    )


def _capital_holiday(tr: Translator, d: dict[str, Any], _texts: RegimeTexts) -> str:
    return tr(
        N_(
            "PMV's capital holiday of {given} is too long: at most {limit}, and shorter "
            "than the loan."
        ),
        given=years(tr, d.get("given", 0)),
        limit=years(tr, d.get("max_years", 0)),
    )


TEXTS = RegimeTexts(
    name=N_("PMV co-financing"),
    agency=N_("PMV (Participatiemaatschappij Vlaanderen), pmv.eu; more on vlaio.be"),
    deed=N_(
        "PMV co-financing is a loan from PMV to the enterprise, not a loan between private "
        "persons: this table is a simulation."
    ),
    explanations={
        "project.amount": _amount,
        "project.own_contribution": _share(
            N_(
                "The own contribution of {given} is below {min_pct} of the investment "
                "need ({required})."
            )
        ),
        "project.partner_share": _share(
            N_(
                "The partner's financing of {given} is below {min_pct} of the investment "
                "need ({required})."
            )
        ),
        "project.partner_duration": _partner_duration,
        "project.capital_holiday": _capital_holiday,
    },
    uncertain={
        "price_pct": N_("PMV's price around December 2024"),
        "max_capital_holiday_years": N_("the longest capital holiday of PMV's loan"),
    },
    not_for_lender=N_(
        "{regime}: not for a private lender. It is PMV's loan to the "
        "entrepreneur, combined with a bank or other partner."
    ),
)
