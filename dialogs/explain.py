"""Why a condition fails (or stays open), in plain words with the figures that decided it.

One table keyed by condition id: the conditions the friends-and-family regimes share are
explained here, once; a regime's own conditions in its text module
(`dialogs.regimes.<name>.TEXTS.explanations`), which wins where both have one. Every
threshold comes from the condition's `detail` (the dated parameter the rules used); no
legal number is written in this code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dialogs.i18n import N_, Translator
from dialogs.regimes import Explain, RegimeTexts, regime_texts

REGION_NAMES = {
    "flanders": N_("Flemish Region"),
    "brussels": N_("Brussels-Capital Region"),
    "wallonia": N_("Walloon Region"),
    "abroad": N_("Outside Belgium"),
}


def pct(tr: Translator, value: Any) -> str:
    """A percentage from a detail value, in the user's locale."""
    return tr.pct(str(value))


def region(tr: Translator, value: Any) -> str:
    return tr(REGION_NAMES.get(str(value), str(value)))


def years(tr: Translator, count: Any) -> str:
    """ "1 year" / "8 years" in the user's language."""
    return tr.plural("{n} year", "{n} years", int(count))


def _in_force(tr: Translator, d: dict[str, Any], texts: RegimeTexts) -> str:
    reason = d.get("reason")
    if reason == "not_covered":
        return tr(
            N_("leenwijzer covers loans closed from {date} on."), date=tr.date(d["covered_from"])
        )
    if reason == "status_unconfirmed":
        return tr(
            N_(
                "{regime} was last extended to {date}. Whether it continues after that "
                "could not be confirmed: ask {agency} before signing."
            ),
            regime=tr(texts.name),
            date=tr.date(d["last_known_end"]),
            agency=tr(texts.agency),
        )
    return tr(
        N_("This regime exists only for loans closed from {date} on."),
        date=tr.date(d["in_force_from"]),
    )


def _lender_region(tr: Translator, d: dict[str, Any], _texts: RegimeTexts) -> str:
    return tr(
        N_("The lender must live in the {required}; the answer was: {given}."),
        required=region(tr, d.get("required")),
        given=region(tr, d.get("given")),
    )


def _borrower_region(tr: Translator, d: dict[str, Any], _texts: RegimeTexts) -> str:
    return tr(
        N_(
            "The enterprise must have its operating seat or an establishment unit in "
            "the {required}; the answer was: {given}."
        ),
        required=region(tr, d.get("required")),
        given=region(tr, d.get("given")),
    )


def _shareholding(tr: Translator, d: dict[str, Any], _texts: RegimeTexts) -> str:
    if Decimal(str(d["max_pct"])) == 0:
        return tr(
            N_(
                "On this date the lender may hold no shares at all in the borrower; "
                "the answer was {given}."
            ),
            given=pct(tr, d.get("given_pct", "?")),
        )
    return tr(
        N_("The lender holds {given}; the limit is {limit}."),
        given=pct(tr, d.get("given_pct", "?")),
        limit=pct(tr, d["max_pct"]),
    )


def _cap(message: str) -> Explain:
    def explain(tr: Translator, d: dict[str, Any], _texts: RegimeTexts) -> str:
        return tr(
            message,
            total=tr.money(d.get("total", d.get("amount", "0"))),
            cap=tr.money(d["cap"]),
        )

    return explain


def _sme(tr: Translator, d: dict[str, Any], _texts: RegimeTexts) -> str:
    limits = d["limits"]
    reason = d.get("reason")
    if reason == "public_control":
        return tr(
            N_(
                "Public bodies control {given} of the enterprise; from {limit} it is no "
                "longer an SME."
            ),
            given=pct(tr, d.get("public_control_pct", "?")),
            limit=pct(tr, limits["public_control_pct"]),
        )
    if reason == "staff":
        return tr(
            N_(
                "The enterprise is not an SME: its staff (partner and linked enterprises "
                "included) is {given} FTE; an SME has fewer than {limit}."
            ),
            given=tr.number(d.get("staff", "0")),
            limit=tr.number(limits["staff"]),
        )
    return tr(
        N_(
            "The enterprise is not an SME: its turnover of {turnover} is above {tlimit} "
            "and its balance-sheet total of {balance} is above {blimit} (partner and "
            "linked enterprises included)."
        ),
        turnover=tr.money(d.get("turnover", "0")),
        tlimit=tr.money(limits["turnover"]),
        balance=tr.money(d.get("balance_sheet", "0")),
        blimit=tr.money(limits["balance_sheet"]),
    )


def _duration(tr: Translator, d: dict[str, Any], _texts: RegimeTexts) -> str:
    allowed = ", ".join(str(y) for y in d.get("allowed_years", []))
    return tr(
        N_("A duration of {duration} is not allowed; allowed (in years): {allowed}."),
        duration=years(tr, d.get("given", 0)),
        allowed=allowed,
    )


def _rate(tr: Translator, d: dict[str, Any], _texts: RegimeTexts) -> str:
    return tr(
        N_(
            "The rate of {given} lies outside {low} to {high} (half the legal interest "
            "rate of {year} up to the legal rate)."
        ),
        given=pct(tr, d.get("given_pct", "?")),
        low=pct(tr, d["min_pct"]),
        high=pct(tr, d["max_pct"]),
        year=d.get("year", ""),
    )


REPAYMENT_NAMES = {
    "bullet": N_("all capital at the end (bullet)"),
    "annuity": N_("equal instalments (annuity)"),
    "linear": N_("equal capital parts (linear)"),
}
FREQUENCY_NAMES = {
    "monthly": N_("monthly"),
    "quarterly": N_("quarterly"),
    "half_yearly": N_("half-yearly"),
    "annual": N_("yearly"),
}


def _repayment(tr: Translator, d: dict[str, Any], _texts: RegimeTexts) -> str:
    reason = d.get("reason")
    if reason == "capital_holiday":
        return tr(N_("This loan does not allow a capital holiday."))
    if reason == "holiday_too_long":
        return tr(N_("The capital holiday cannot be longer than the loan."))
    if reason == "frequency":
        return tr(
            N_("Paying {given} is not allowed on this date; allowed: {allowed}."),
            given=tr(FREQUENCY_NAMES.get(str(d.get("given")), str(d.get("given")))),
            allowed=", ".join(tr(FREQUENCY_NAMES[f]) for f in d["allowed_frequencies"]),
        )
    return tr(
        N_("Repayment with {given} is not allowed on this date; allowed: {allowed}."),
        given=tr(REPAYMENT_NAMES.get(str(d.get("given")), str(d.get("given")))),
        allowed=", ".join(tr(REPAYMENT_NAMES[k]) for k in d["allowed_repayments"]),
    )


def _plain(message: str) -> Explain:
    def explain(tr: Translator, _d: dict[str, Any], _texts: RegimeTexts) -> str:
        return tr(message)

    return explain


#: The conditions the friends-and-family regimes share (and `regime.in_force`, which
#: every regime has).
SHARED: dict[str, Explain] = {
    "regime.in_force": _in_force,
    "lender.natural_person": _plain(N_("The lender must be a natural person, not a company.")),
    "lender.professional_capacity": _plain(
        N_("The lender must lend outside his own business or professional activity.")
    ),
    "lender.region": _lender_region,
    "lender.employee": _plain(N_("The lender may not be an employee of the borrower.")),
    "lender.spouse": _plain(
        N_("For a self-employed borrower, the lender may not be his spouse or legal cohabitant.")
    ),
    "lender.mandate": _plain(
        N_(
            "Neither the lender nor his spouse or partner may be a director, "
            "manager or similar in the borrowing enterprise."
        )
    ),
    "lender.shareholding": _shareholding,
    "lender.other_loan_as_borrower": _plain(
        N_("The lender may not himself be a borrower under another loan of this kind.")
    ),
    "lender.cap": _cap(
        N_("All such loans of the lender together would reach {total}; the limit is {cap}.")
    ),
    "borrower.sme": _sme,
    "borrower.region": _borrower_region,
    "borrower.economic_activity": _plain(N_("The borrower must have an economic activity.")),
    "borrower.cap": _cap(
        N_("All such loans of the enterprise together would reach {total}; the limit is {cap}.")
    ),
    "loan.duration": _duration,
    "loan.rate": _rate,
    "loan.repayment": _repayment,
}


def explanation(regime: str, cid: str) -> Explain | None:
    """The explanation of condition `cid` for `regime`: its own, else the shared one."""
    return regime_texts(regime).explanations.get(cid) or SHARED.get(cid)


def explain(tr: Translator, regime: str, condition: dict[str, Any]) -> str:
    """A condition of `regime` in plain words, with the figures that decided it."""
    found = explanation(regime, condition["id"])
    if found is None:  # a test makes sure every condition of every regime has one
        return tr(N_("A condition is not met: {id}."), id=condition["id"])
    return found(tr, condition.get("detail", {}), regime_texts(regime))
