"""Texts for people: the summary, the result, the repayment table, help and advisor notes.

The rules core answers in codes and numbers (condition ids, `detail` values, warning
codes); this module turns them into sentences in the person's language. Each failed
condition is explained with the figures that decided it ("you hold 6%; the limit is 5%").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dialogs.evaluation import PRIVATE_LENDER_REGIMES, REGIMES, regimes_in_play
from dialogs.events import Button
from dialogs.explain import explain, pct
from dialogs.flow import FLOW, QUESTIONS, When
from dialogs.i18n import N_, Translator
from dialogs.regimes import regime_texts

#: The shared parameters whose date or value the sources dispute, in words (a regime's
#: own are in its text module).
COMMON_PARAMETER_NAMES = {
    "legal_interest_rate": N_("the legal interest rate of this year"),
    "withholding_tax_rate": N_("the withholding tax rate of 2015"),
}
#: Warnings the regime's own lines already say (not repeated in the notes).
SAID_WITH_THE_REGIME = frozenset({"regime_status_unconfirmed"})
DISCLAIMER = N_("This is information, not legal or tax advice.")


def regime_name(tr: Translator, name: str) -> str:
    """The product name as the agency writes it in this language."""
    return tr(regime_texts(name).name)


def regime_list(tr: Translator) -> str:
    """Every regime's name, "a, b and c" in the user's language (registry order)."""
    return tr.listing([regime_name(tr, name) for name in REGIMES])


def show_answer(field: str, value: Any, tr: Translator) -> str:
    """An answer as the person reads it in the summary."""
    if field == "borrower.partners":
        if not value:
            return tr(N_("None"))
        return tr.plural("{n} enterprise", "{n} enterprises", len(value))
    question = QUESTIONS.get(field)
    if question is None:
        return str(value)
    return question.answer.show(value, tr)


# -- summary --------------------------------------------------------------------------
def summary(
    tr: Translator, role: str | None, answers: dict[str, Any], unknown: list[str]
) -> tuple[str, list[Button]]:
    """What the person told us, with a button to change each answer and one to confirm."""
    lines = [tr(N_("Here is what I noted. Is everything right?"))]
    buttons = [Button("confirm", tr(N_("Yes, show the result")))]
    role_question = QUESTIONS["role"]
    if role:
        lines.append(
            "• "
            + tr(
                N_("{label}: {value}"),
                label=tr(role_question.label),
                value=role_question.answer.show(role, tr),
            )
        )
        buttons.append(Button("edit.role", tr(N_("Change: {what}"), what=tr(role_question.label))))
    for question in FLOW:
        if question.when in (When.ROLE, When.PARTNER):
            continue
        field = question.field
        if field in answers:
            shown = show_answer(field, answers[field], tr)
        elif field in unknown:
            shown = tr(N_("I don't know"))
        else:
            continue
        lines.append("• " + tr(N_("{label}: {value}"), label=tr(question.label), value=shown))
        buttons.append(Button(f"edit.{field}", tr(N_("Change: {what}"), what=tr(question.label))))
    for field in ("loan.grace_years", "project.pmv_grace_years", "project.pmv_amount"):
        if field not in answers and (field == "loan.grace_years" or role == "entrepreneur"):
            label = tr(QUESTIONS[field].label)
            buttons.append(Button(f"edit.{field}", tr(N_("Change: {what}"), what=label)))
    return "\n".join(lines), buttons


# -- result ---------------------------------------------------------------------------
def result(
    tr: Translator, role: str | None, answer: dict[str, Any], unknown: list[str]
) -> list[tuple[str, list[Button]]]:
    """The result as replies: verdicts with reasons, simulations, notes and disclaimer."""
    in_play = regimes_in_play(role)
    lines = [
        tr(N_("My assessment for a loan closed on {date}:"), date=tr.date(answer["closing_date"]))
    ]
    table_buttons: list[Button] = []
    simulations: list[str] = []
    for part in answer["regimes"]:
        name = part["regime"]
        if name not in in_play:
            reason = regime_texts(name).not_for_lender
            if reason:
                lines.append("")
                lines.append(tr(reason, regime=regime_name(tr, name)))
            continue
        lines.append("")
        lines.extend(regime_lines(tr, part, unknown))
        if part.get("simulation"):
            simulations.append(simulation_text(tr, part, answer))
            table_buttons += [
                Button(
                    f"table.{name}",
                    tr(N_("Repayment table: {regime}"), regime=regime_name(tr, name)),
                ),
                Button(f"doc.pdf.{name}", tr(N_("PDF: {regime}"), regime=regime_name(tr, name))),
                Button(f"doc.csv.{name}", tr(N_("CSV: {regime}"), regime=regime_name(tr, name))),
            ]
    replies: list[tuple[str, list[Button]]] = [("\n".join(lines), [])]
    replies.extend((text, []) for text in simulations)
    closing = notes(tr, answer, in_play)
    buttons = [
        *table_buttons,
        Button("summary", tr(N_("Change an answer"))),
        Button("advisor", tr(N_("Talk to an advisor"))),
        Button("restart", tr(N_("Start again"))),
    ]
    replies.append(("\n\n".join(closing), buttons))
    return replies


def _sentence(text: str) -> str:
    """Capitalise a line's first letter ("prêt Winwin : possible." starts a line)."""
    return text[:1].upper() + text[1:]


def regime_lines(tr: Translator, part: dict[str, Any], unknown: list[str]) -> list[str]:
    """A regime's verdict line, then its reasons, hints or open questions."""
    name = regime_name(tr, part["regime"])
    verdict = part["verdict"]
    out: list[str] = []
    if verdict == "eligible":
        out.append("✅ " + _sentence(tr(N_("{regime}: possible."), regime=name)))
    elif verdict == "not_eligible":
        out.append("❌ " + _sentence(tr(N_("{regime}: not possible."), regime=name)))
        for condition in part["conditions"]:
            if condition["status"] == "fail":
                out.append("   – " + explain(tr, part["regime"], condition))
    else:
        out.append("❔ " + _sentence(tr(N_("{regime}: not decided yet."), regime=name)))
        for condition in part["conditions"]:
            if condition["detail"].get("reason") == "status_unconfirmed":
                out.append("   – " + explain(tr, part["regime"], condition))
        open_fields = [f for f in part.get("missing", [])]
        if open_fields:
            labels = ", ".join(_field_label(tr, f) for f in open_fields)
            out.append("   – " + tr(N_("It still depends on: {fields}."), fields=labels))
        answered_unknown = [f for f in unknown if f in open_fields]
        if answered_unknown:
            out.append("   – " + tr(N_("Find out these answers and ask me again.")))
    for hint in hints(tr, part):
        out.append("   💡 " + hint)
    return out


def _field_label(tr: Translator, field: str) -> str:
    question = QUESTIONS.get(field)
    return tr(question.label) if question else field


NEAR = Decimal("0.9")
CAPS = frozenset({"lender.cap", "borrower.cap", "lender.cap_year"})
#: Conditions the parties can meet by changing the loan itself (amount, rate, terms).
LOAN_TERMS = CAPS | {"loan.rate", "loan.duration", "loan.repayment"}


def hints(tr: Translator, part: dict[str, Any]) -> list[str]:
    """What would change the outcome, and limits the case comes close to."""
    out: list[str] = []
    limits = part.get("limits", {})
    failed = {c["id"] for c in part["conditions"] if c["status"] == "fail"}
    if failed and not failed <= LOAN_TERMS:
        return []  # something beyond the loan's own terms fails: tuning them would not help
    for condition in part["conditions"]:
        cid, status, d = condition["id"], condition["status"], condition.get("detail", {})
        if status == "fail":
            if cid in CAPS and Decimal(limits.get("max_amount", "0")) > 0:
                out.append(
                    tr(
                        N_("A loan of at most {amount} would fit."),
                        amount=tr.money(limits["max_amount"]),
                    )
                )
            elif cid == "loan.rate":
                out.append(
                    tr(
                        N_("A rate between {low} and {high} would fit."),
                        low=pct(tr, d["min_pct"]),
                        high=pct(tr, d["max_pct"]),
                    )
                )
            elif cid == "loan.repayment" and d.get("reason") == "capital_holiday":
                out.append(tr(N_("Without the capital holiday this condition is met.")))
        elif status == "pass" and not failed:
            if cid in CAPS and "total" in d:
                total, cap = Decimal(d["total"]), Decimal(d["cap"])
                if cap > 0 and total >= cap * NEAR:
                    out.append(
                        tr(
                            N_("Close to a limit: {total} of at most {cap}; only {room} left."),
                            total=tr.money(total),
                            cap=tr.money(cap),
                            room=tr.money(cap - total),
                        )
                    )
            elif cid == "lender.shareholding" and "given_pct" in d:
                given, limit = Decimal(d["given_pct"]), Decimal(d["max_pct"])
                if limit > 0 and given >= limit * NEAR:
                    out.append(
                        tr(
                            N_(
                                "The shareholding of {given} is close to the limit of "
                                "{limit}: it may not go above it."
                            ),
                            given=pct(tr, given),
                            limit=pct(tr, limit),
                        )
                    )
            elif cid == "borrower.sme" and "staff" in d:
                staff, limit = Decimal(d["staff"]), Decimal(d["limits"]["staff"])
                if staff >= limit * NEAR:
                    out.append(
                        tr(
                            N_("The staff of {given} FTE is close to the SME limit of {limit}."),
                            given=tr.number(staff),
                            limit=tr.number(limit),
                        )
                    )
    # one hint per distinct message
    return list(dict.fromkeys(out))


def _instalment(sim: dict[str, Any]) -> Decimal:
    """The usual instalment: the most frequent interest + capital total."""
    totals = [Decimal(i["interest"]) + Decimal(i["capital"]) for i in sim["instalments"]]
    if not totals:
        return Decimal(0)
    return max(set(totals), key=totals.count)


def simulation_text(tr: Translator, part: dict[str, Any], answer: dict[str, Any]) -> str:
    """The short simulation of an eligible regime."""
    sim = part["simulation"]
    name = part["regime"]
    instalments = sim["instalments"]
    principal = sum((Decimal(i["capital"]) for i in instalments), Decimal(0))
    lines = [
        tr(
            N_("{regime}: simulation for {amount} over {n} instalments."),
            regime=regime_name(tr, name),
            amount=tr.money(principal),
            n=len(instalments),
        )
    ]
    lines.append("• " + tr(N_("Usual instalment: {amount}"), amount=tr.money(_instalment(sim))))
    if name not in PRIVATE_LENDER_REGIMES:  # a public lender's loan: its cost and price
        lines.append(
            "• "
            + tr(
                N_("Interest cost for the enterprise: {amount}"),
                amount=tr.money(sim["total_interest"]),
            )
        )
        lines.append(
            tr(
                N_("PMV's price: {rate} per year."),
                rate=pct(tr, part.get("limits", {}).get("rate_pct", "?")),
            )
        )
        return "\n".join(lines)
    lines.append(
        "• "
        + tr(
            N_(
                "Total interest: {gross}; withholding tax: {withholding}; net "
                "interest for the lender: {net}"
            ),
            gross=tr.money(sim["total_interest"]),
            withholding=tr.money(sim["total_withholding"]),
            net=tr.money(sim["total_net_interest"]),
        )
    )
    credits = "; ".join(
        tr(N_("{label}: {value}"), label=c["year"], value=tr.money(c["credit"]))
        for c in sim["tax_credits"]
    )
    lines.append("• " + tr(N_("Annual tax credit per income year: {credits}"), credits=credits))
    lines.append(
        "• " + tr(N_("Total tax credits: {amount}"), amount=tr.money(sim["total_tax_credits"]))
    )
    default = sim.get("default_credit") or {}
    if default:
        lines.append(
            "• "
            + tr(
                N_(
                    "If the borrower fails just after the first instalment: a "
                    "one-time tax credit of {rate} on the lost principal of "
                    "{lost}, that is {credit}."
                ),
                rate=pct(tr, default.get("rate_pct", "0")),
                lost=tr.money(default.get("on_lost_principal", "0")),
                credit=tr.money(default.get("credit", "0")),
            )
        )
        for option in default.get("options", []):
            if option["rate_pct"] != default.get("rate_pct"):
                lines.append(
                    "   "
                    + tr(
                        N_(
                            "Or {rate}, that is {credit}, depending on your answer about: "
                            "{question}. (Not answered yet: it does not change whether the "
                            "loan is possible.)"
                        ),
                        rate=pct(tr, option["rate_pct"]),
                        credit=tr.money(option["credit"]),
                        question=_field_label(tr, str(default.get("decided_by"))),
                    )
                )
    lines.append(
        "• "
        + tr(
            N_(
                "Net return for the lender (net interest + tax credits): "
                "{amount}, a yield of {irr} per year."
            ),
            amount=tr.money(sim["net_return"]),
            irr=pct(tr, sim["irr_pct"]),
        )
    )
    lines.append(
        tr(
            N_(
                "The borrower withholds the withholding tax on each interest payment "
                "and pays it to the tax office (form 273)."
            )
        )
    )
    lines.append(
        tr(
            N_(
                "Conventions: periodic rate = annual rate / payments per year; amounts "
                "rounded to the cent; tax credits counted on 30 June of the next year "
                "for the yield."
            )
        )
    )
    return "\n".join(lines)


def notes(tr: Translator, answer: dict[str, Any], in_play: tuple[str, ...]) -> list[str]:
    """Rules date and version, warnings, the registering agencies and the disclaimer."""
    out = [
        tr(
            N_("Rules applied: those in force on {date} (leenwijzer rules {version})."),
            date=tr.date(answer["closing_date"]),
            version=answer["rules_version"],
        )
    ]
    for warning in answer.get("warnings", []):
        if warning["code"] in SAID_WITH_THE_REGIME:
            continue
        out.append("⚠ " + warning_text(tr, warning))
    out.append(agencies(tr, in_play, answer))
    out.append(tr(DISCLAIMER))
    return out


def warning_text(tr: Translator, warning: dict[str, Any]) -> str:
    code, d = warning["code"], warning.get("detail", {})
    if code == "legal_rate_provisional":
        return tr(
            N_(
                "The legal interest rate of {year} is not published yet; I used the last "
                "known one. The agencies advise waiting for the new rate before "
                "signing."
            ),
            year=d.get("year", ""),
        )
    if code == "parameter_uncertain":
        what = parameter_words(str(d.get("parameter")))
        if what:
            return tr(
                N_(
                    "One figure used is uncertain ({what}): the sources disagree or are thin. "
                    "Check with the agency before relying on it."
                ),
                what=tr(what),
            )
        return tr(
            N_(
                "One figure used is uncertain: the sources disagree or are thin. Check with "
                "the agency before relying on it."
            )
        )
    if code == "regime_status_unconfirmed":
        texts = regime_texts(str(d["regime"]))
        return tr(
            N_(
                "{regime} was last extended to {date}. Whether it continues after that "
                "could not be confirmed: ask {agency} before signing."
            ),
            regime=tr(texts.name),
            date=tr.date(d["last_known_end"]),
            agency=tr(texts.agency),
        )
    if code == "date_not_covered":
        return tr(
            N_("leenwijzer covers loans closed from {date} on."),
            date=tr.date(d.get("covered_from", "2015-01-01")),
        )
    if code == "closing_date_assumed":
        return tr(N_("I assumed the loan is closed on {date}."), date=tr.date(d["date"]))
    return tr(N_("Note: {code}."), code=code)


def parameter_words(key: str) -> str | None:
    """A disputed parameter (`file.name`) in words, from its regime's text module or the
    shared ones; None when no words were given for it."""
    file, _, name = key.partition(".")
    if file == "common":
        return COMMON_PARAMETER_NAMES.get(name)
    try:
        return regime_texts(file).uncertain.get(name)
    except KeyError:
        return None


def agencies(tr: Translator, in_play: tuple[str, ...], answer: dict[str, Any] | None) -> str:
    """Who registers each regime in play (or lends) and where to read more; with an
    answer, what to do after signing for each regime that may apply."""
    lines = []
    for name in in_play:
        texts = regime_texts(name)
        line = _sentence(
            tr(N_("{regime}: {agency}."), regime=tr(texts.name), agency=tr(texts.agency))
        )
        may_apply = answer is not None and _regime_part(answer, name)["verdict"] != "not_eligible"
        if texts.registration and may_apply:
            line += " " + tr(texts.registration)
        lines.append(line)
    return "\n".join([tr(N_("Registration and information:")), *lines])


def _regime_part(answer: dict[str, Any], name: str) -> dict[str, Any]:
    return next(part for part in answer["regimes"] if part["regime"] == name)


def advisor_text(tr: Translator, role: str | None) -> str:
    """Until the triage queue exists: the contact points of the agencies."""
    return "\n".join(
        [
            tr(N_("For personal advice, contact the agency of the regime:")),
            agencies(tr, regimes_in_play(role), None),
        ]
    )


def help_text(tr: Translator) -> str:
    """What the person can type at any time."""
    lines = [
        tr(
            N_(
                "Answer with the buttons or type your answer: yes/no, a postal code, an "
                "amount like 50.000 or 50k, a date like 15/03/2025. You can also type:"
            )
        )
    ]
    for command, text in command_descriptions(tr.lang).items():
        lines.append(f"/{command} – {text}")
    return "\n".join(lines)


COMMAND_TEXTS: dict[str, str] = {
    "start": N_("start a conversation"),
    "restart": N_("start again from the beginning"),
    "back": N_("undo your last answer"),
    "language": N_("choose Nederlands, Français or English"),
    "help": N_("what you can type"),
    "forget": N_("erase everything you told me"),
    "advisor": N_("how to reach an advisor"),
}


def command_descriptions(lang: str) -> dict[str, str]:
    """Command -> description in `lang` (for Telegram's setMyCommands and /help)."""
    tr = Translator(lang)
    return {command: tr(text) for command, text in COMMAND_TEXTS.items()}


def rate_hint(tr: Translator, answer: dict[str, Any]) -> str:
    """The allowed interest rate range for the closing year, when a regime in play knows it."""
    for part in answer["regimes"]:
        limits = part.get("limits", {})
        if "rate_min_pct" in limits and part["verdict"] != "not_eligible":
            return tr(
                N_("For a loan closed in {year} it must lie between {low} and {high}."),
                year=answer["closing_date"][:4],
                low=pct(tr, limits["rate_min_pct"]),
                high=pct(tr, limits["rate_max_pct"]),
            )
    return ""
