"""The step function: one user event in, the new state and the replies out. Pure.

The state is a small JSON value:

    {"v": 1, "lang": "nl", "role": "lender" | "entrepreneur" | null,
     "mode": "ask" | "summary" | "result" | "forget",
     "q": the field being asked (mode "ask"),
     "answers": {"lender.region": "flanders", ...},   # flat evaluate-case fields
     "unknown": ["borrower.turnover", ...],           # answered "I don't know"
     "draft": {...} | null, "partners": [...] | null,  # the partner-enterprise loop
     "history": [undo records], "resume": mode to return to after /forget is declined,
     "done": true once a result has been given}

Which question comes next is decided by the rules core (`dialogs.evaluation`): the first
field that a regime still in play lists as missing, skipping what is answered or unknown.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from dialogs import documents, render
from dialogs.answers import AnswerError, simplify
from dialogs.evaluation import (
    REGIMES,
    build_case,
    flatten_case,
    regime,
    run_rules,
    still_needed,
)
from dialogs.events import (
    COMMANDS,
    DOCUMENT_FORMATS,
    ERASE_KEY,
    LANGUAGES,
    RECEIPT_KEY,
    Button,
    Event,
    Reply,
)
from dialogs.flow import CASE_FIELDS, QUESTIONS, Question, When
from dialogs.i18n import N_, Translator, normalise_lang
from rules import CaseError, parse_case, partner_figures_count, partner_thresholds

STATE_VERSION = 1
HISTORY_LIMIT = 40
ABSENT = "__absent__"
#: Typed words that mean "I don't know" (after `simplify`).
UNKNOWN_WORDS = {
    "?",
    "weet niet",
    "ik weet het niet",
    "weet ik niet",
    "geen idee",
    "onbekend",
    "je ne sais pas",
    "sais pas",
    "je sais pas",
    "aucune idee",
    "inconnu",
    "i don't know",
    "i dont know",
    "dont know",
    "don't know",
    "no idea",
    "unknown",
    "idk",
    "nsp",
}
#: Typed words that are commands (after `simplify`).
COMMAND_WORDS = {
    "back": "back",
    "terug": "back",
    "vorige": "back",
    "retour": "back",
    "precedent": "back",
    "undo": "back",
    "restart": "restart",
    "opnieuw": "restart",
    "herbegin": "restart",
    "recommencer": "restart",
    "help": "help",
    "hulp": "help",
    "aide": "help",
}
#: Typed language names (after `simplify`) -> language code.
LANGUAGE_WORDS = {
    "nederlands": "nl",
    "dutch": "nl",
    "neerlandais": "nl",
    "vlaams": "nl",
    "francais": "fr",
    "french": "fr",
    "frans": "fr",
    "english": "en",
    "engels": "en",
    "anglais": "en",
}


def new_state(lang: str) -> dict[str, Any]:
    """A conversation that has not started: the first question is the role."""
    return {
        "v": STATE_VERSION,
        "lang": lang,
        "role": None,
        "mode": "ask",
        "q": "role",
        "answers": {},
        "unknown": [],
        "draft": None,
        "partners": None,
        "history": [],
        "done": False,
    }


def _valid(state: Any) -> bool:
    """A state this version can continue (anything else starts afresh)."""
    return (
        isinstance(state, dict)
        and state.get("v") == STATE_VERSION
        and state.get("lang") in LANGUAGES
        and isinstance(state.get("answers"), dict)
        and state.get("mode") in ("ask", "summary", "result", "forget")
    )


#: The rules apply to Belgian dates; an aware `now` is read in this time zone.
BELGIAN_TIME = ZoneInfo("Europe/Brussels")


def step(
    state: dict[str, Any] | None, event: Event, now: datetime
) -> tuple[dict[str, Any], list[Reply]]:
    """Apply one event to a conversation; see the module docstring for the state."""
    if not _valid(state):
        turn = Turn(new_state(normalise_lang(event.lang)), now)
        if event.type != "start" and not _is_start_command(event):
            turn.say(N_("I could not find our earlier conversation, so let us start again."))
            turn.start(None)
        else:
            turn.start(event.prefill)
        return turn.finish()
    assert state is not None
    fresh = copy.deepcopy(state)
    fresh.pop(ERASE_KEY, None)
    fresh.pop(RECEIPT_KEY, None)
    turn = Turn(fresh, now)
    turn.handle(event)
    return turn.finish()


#: The apology for a turn that failed unexpectedly (see `apology`).
SORRY = N_("Sorry, something went wrong with that answer. Could you try again?")
#: The apology when even the current question cannot be shown again.
SORRY_RESTART = N_("Sorry, something went wrong. Type /restart to begin again.")


def apology(state: dict[str, Any] | None, event: Event, now: datetime) -> list[Reply]:
    """The replies for a turn whose `step` raised: an apology, then the current prompt.

    The caller keeps `state` as it was, so the person answers the same question again.
    Never raises for any `state`: when the prompt itself cannot be rendered (the state is
    what fails) the apology suggests /restart instead, which works from any state.
    """
    lang = normalise_lang(event.lang)
    if isinstance(state, dict) and state.get("lang") in LANGUAGES:
        lang = str(state["lang"])  # also for a state this version cannot continue
    if state is not None and _valid(state):
        try:
            turn = Turn(copy.deepcopy(state), now)
            turn.say(SORRY)
            turn.prompt()
            return turn.finish()[1]
        except Exception:  # the state itself may be what fails
            return [Reply(Translator(lang)(SORRY_RESTART))]
    return [Reply(Translator(lang)(SORRY))]


def _is_start_command(event: Event) -> bool:
    """A typed "/start" (as Telegram sends it, maybe "/start@bot payload") or the command."""
    if event.type == "command":
        return event.name == "start"
    if event.type != "text" or not (event.text or "").strip().startswith("/"):
        return False
    head = (event.text or "").strip()[1:].partition(" ")[0]
    return head.split("@")[0].lower() == "start"


class Turn:
    """One call of `step`: the state being changed, the replies being collected."""

    def __init__(self, state: dict[str, Any], now: datetime) -> None:
        self.st = state
        # "today" is Belgian: a UTC clock would say yesterday until 01:00 or 02:00
        self.now = now.astimezone(BELGIAN_TIME) if now.tzinfo is not None else now
        self.replies: list[Reply] = []
        self.notes: list[str] = []  # lines put before the next prompt ("Noted: …")

    # -- plumbing ---------------------------------------------------------------------
    @property
    def tr(self) -> Translator:
        return Translator(self.st["lang"])

    def say(self, message: str, **params: Any) -> None:
        """Queue a line (translated now) for the next reply."""
        self.notes.append(self.tr(message, **params))

    def emit(self, text: str, buttons: list[Button] | None = None, **extra: Any) -> None:
        """Send a reply, prefixed by the queued lines."""
        body = "\n\n".join([*self.notes, text]) if text else "\n\n".join(self.notes)
        self.notes = []
        self.replies.append(Reply(body, buttons or [], **extra))

    def finish(self) -> tuple[dict[str, Any], list[Reply]]:
        if self.notes:
            self.emit("")
        return self.st, self.replies

    def evaluation(self) -> dict[str, Any]:
        return run_rules(self.st["answers"], self.now.date())

    # -- events -----------------------------------------------------------------------
    def handle(self, event: Event) -> None:
        if event.type == "start":
            self.restart(event.prefill)
        elif event.type == "command":
            self.command(event.name or "", event.arg)
        elif event.type == "button":
            self.button(event.key or "")
        else:
            self.text(event.text or "")

    def command(self, name: str, arg: str | None) -> None:
        if name == "start" or name == "restart":
            self.restart(None)
        elif name == "back":
            self.back()
        elif name == "language":
            self.language(arg)
        elif name == "help":
            self.emit(render.help_text(self.tr))
            self.prompt()
        elif name == "forget":
            self.ask_forget()
        elif name == "advisor":
            self.emit(render.advisor_text(self.tr, self.st["role"]))
            self.prompt()
        else:
            self.say(N_("I do not know that command."))
            self.emit(render.help_text(self.tr))
            self.prompt()

    def text(self, text: str) -> None:
        stripped = text.strip()
        if stripped.startswith("/"):
            name, _, arg = stripped[1:].partition(" ")
            name = name.split("@")[0].lower()
            if name in COMMANDS or name == "start":
                self.command(name, arg.strip() or None)
                return
        word = simplify(text)
        if word in COMMAND_WORDS:
            self.command(COMMAND_WORDS[word], None)
            return
        mode = self.st["mode"]
        if mode == "forget":
            self.forget(simplify(text) in {"yes", "ja", "oui", "j", "y", "o"})
            return
        if mode != "ask":
            self.say(N_("Please use the buttons below, or type /restart to begin again."))
            self.prompt()
            return
        question = QUESTIONS[self.st["q"]]
        if question.unknown and (word in UNKNOWN_WORDS or text.strip() == "?"):
            self.answer_unknown(question)
            return
        try:
            value = question.answer.parse(text, self.tr, self.now)
        except AnswerError as err:
            self.say(err.message, **err.params)
            self.prompt()
            return
        self.answer(question, value, typed=True)

    def button(self, key: str) -> None:
        """A pressed button. Commands work anywhere; every other key must be one that the
        question, summary, result or /forget prompt offered, else the state is left as it
        was and the person is re-prompted (an old message's button, or a forged key)."""
        mode = self.st["mode"]
        if key in ("back", "restart", "help", "advisor", "forget"):
            self.command(key, None)
        elif key.startswith("lang."):
            self.language(key[5:])
        elif key in ("forget.yes", "forget.no") and mode == "forget":
            self.forget(key == "forget.yes")
        elif key == "confirm" and mode == "summary":
            self.show_result()
        elif key == "summary" and (mode == "summary" or self.st["done"]):
            self.show_summary()  # offered with every result
        elif key.startswith("edit.") and mode != "forget" and key in self.edit_keys():
            self.edit(key[5:])
        elif key.startswith("table.") and self.st["done"]:
            self.show_table(key[6:])
        elif key.startswith("doc.") and self.st["done"]:
            self.send_document(key)
        elif mode == "ask":
            question = QUESTIONS[self.st["q"]]
            if key == "unknown" and question.unknown:
                self.answer_unknown(question)
                return
            value = question.answer.from_button(key, self.now)
            if value is None:
                self.not_offered()
                return
            self.answer(question, value, typed=False)
        else:
            self.not_offered()

    def not_offered(self) -> None:
        """The re-prompt for a key that the current prompt did not offer."""
        self.say(N_("That button belongs to an earlier question."))
        self.prompt()

    def edit_keys(self) -> set[str]:
        """The "Change: …" keys the summary offers for the answers given so far (also
        valid from an earlier summary still on screen)."""
        st = self.st
        _text, buttons = render.summary(self.tr, st["role"], st["answers"], st["unknown"])
        return {b.key for b in buttons if b.key.startswith("edit.")}

    # -- conversation-wide actions -----------------------------------------------------
    def start(self, prefill: dict[str, Any] | None) -> None:
        """Begin: apply a prefilled case if any, then ask what is still needed."""
        if prefill:
            self.apply_prefill(prefill)
        self.advance(first=True)

    def restart(self, prefill: dict[str, Any] | None) -> None:
        lang = self.st["lang"]
        self.st.clear()
        self.st.update(new_state(lang))
        self.start(prefill)

    def apply_prefill(self, prefill: dict[str, Any]) -> None:
        """Take the known fields of a prefilled case; fields the rules refuse are dropped."""
        data = copy.deepcopy(prefill)
        for _attempt in range(20):
            try:
                parse_case(data)
                break
            except CaseError as err:
                self.say(  # the rules' reason is for developers (English): not shown
                    N_("I ignored the prefilled field {field}: its value is not valid."),
                    field=err.field,
                )
                if not _drop(data, err.field):
                    return
            except (TypeError, ValueError):
                return
        else:
            return
        flat = flatten_case(data)
        # A `null` field is "not known yet" (the contract): asked, never an answer of None.
        self.st["answers"] = {k: v for k, v in flat.items() if k in CASE_FIELDS and v is not None}
        answer = self.evaluation()
        if any(k.startswith("project.") for k in self.st["answers"]):
            self.st["role"] = "entrepreneur"
        elif not still_needed(answer, "lender"):
            self.st["role"] = "lender"

    def language(self, arg: str | None) -> None:
        word = simplify(arg or "").replace("_", "-").split("-")[0]
        code = LANGUAGE_WORDS.get(word, word[:2] if len(word) == 2 else "")
        if code not in LANGUAGES:
            self.emit(
                self.tr(N_("Choose a language.")),
                [
                    Button("lang.nl", "Nederlands"),
                    Button("lang.fr", "Français"),
                    Button("lang.en", "English"),
                ],
            )
            return
        self.st["lang"] = code
        self.say(N_("I will speak English from now on."))
        self.prompt()

    def ask_forget(self) -> None:
        if self.st["mode"] != "forget":
            self.st["resume"] = self.st["mode"]
        self.st["mode"] = "forget"
        self.prompt()

    def forget(self, confirmed: bool) -> None:
        if self.st["mode"] != "forget":
            self.not_offered()
            return
        if confirmed:
            lang = self.st["lang"]
            self.st.clear()
            self.st.update(new_state(lang))
            self.st[ERASE_KEY] = True
            self.emit(
                self.tr(N_("Done: I erased everything you told me. Type /start to begin again."))
            )
            return
        self.st["mode"] = self.st.pop("resume", "ask") or "ask"
        self.say(N_("Nothing was erased."))
        self.prompt()

    def back(self) -> None:
        history: list[dict[str, Any]] = self.st["history"]
        if not history:
            self.say(N_("There is nothing to undo yet."))
            self.prompt()
            return
        record = history.pop()
        undone = [
            (field, self.st["answers"][field])
            for field in record["answers"]
            if field in self.st["answers"] and field in QUESTIONS
        ]
        for field, old in record["answers"].items():
            if old == ABSENT:
                self.st["answers"].pop(field, None)
            else:
                self.st["answers"][field] = old
        for key in ("unknown", "draft", "partners", "role"):
            self.st[key] = record[key]
        self.st["mode"] = "ask"
        self.st["q"] = record["q"]
        self.say(N_("Undone. Let us take that question again."))
        for field, value in undone:
            self.say(
                N_("You had answered: {value}."), value=render.show_answer(field, value, self.tr)
            )
        self.prompt()

    def edit(self, field: str) -> None:
        question = QUESTIONS[field]
        if question.when is When.PARTNER:
            field = "borrower.partners"
        self.st["mode"] = "ask"
        self.st["q"] = field
        self.st["draft"] = None
        self.st["partners"] = None
        self.prompt()

    # -- answers ----------------------------------------------------------------------
    def remember(self, fields: list[str]) -> None:
        """Push an undo record for the fields about to change."""
        answers = self.st["answers"]
        record = {
            "q": self.st["q"],
            "answers": {f: answers.get(f, ABSENT) for f in fields},
            "unknown": list(self.st["unknown"]),
            "draft": copy.deepcopy(self.st["draft"]),
            "partners": copy.deepcopy(self.st["partners"]),
            "role": self.st["role"],
        }
        self.st["history"] = [*self.st["history"], record][-HISTORY_LIMIT:]

    def answer_unknown(self, question: Question) -> None:
        field = "borrower.partners" if question.when is When.PARTNER else question.field
        self.remember([field])
        self.st["answers"].pop(field, None)
        if field not in self.st["unknown"]:
            self.st["unknown"].append(field)
        self.st["draft"] = None
        self.st["partners"] = None
        self.say(N_("Noted: you do not know. I will say what stays uncertain."))
        self.advance()

    def answer(self, question: Question, value: Any, typed: bool) -> None:
        field = question.field
        if field == "role":
            self.remember([])
            self.st["role"] = value
        elif question.when is When.PARTNER:
            self.remember(["borrower.partners"])
            self.partner_answer(field, value)
        elif field == "borrower.partners":
            self.remember([field])
            self._drop_unknown(field)
            if value:
                self.st["answers"].pop(field, None)
                self.st["partners"] = []
                self.st["draft"] = {}
            else:
                self.st["answers"][field] = []
        else:
            self.remember([field])
            self._drop_unknown(field)
            self.st["answers"][field] = value
        echo = question.answer.echo(value, self.tr) if typed else None
        if echo:
            self.say(N_("Noted: {value}. (Wrong? Type /back to correct it.)"), value=echo)
        self.advance()

    def _drop_unknown(self, field: str) -> None:
        if field in self.st["unknown"]:
            self.st["unknown"] = [f for f in self.st["unknown"] if f != field]

    def partner_answer(self, field: str, value: Any) -> None:
        """One answer of the partner loop; the list is saved when the loop ends."""
        draft = dict(self.st["draft"] or {})
        partners = list(self.st["partners"] or [])
        name = field.split(".", 1)[1]
        if name != "more":
            draft[name] = value
            self.st["draft"] = draft
            return
        partners.append(_partner_entry(draft))
        if value:
            self.st["partners"], self.st["draft"] = partners, {}
        else:
            self.st["answers"]["borrower.partners"] = partners
            self.st["partners"], self.st["draft"] = None, None
            self._drop_unknown("borrower.partners")

    # -- what comes next --------------------------------------------------------------
    def next_question(self, answer: dict[str, Any]) -> str | None:
        """The field to ask next, or None when the rules need nothing more."""
        st = self.st
        if st["role"] is None:
            return "role"
        if st["draft"] is not None:
            return _next_partner_field(st["draft"], self.now.date())
        known = set(st["answers"]) | set(st["unknown"])
        if "closing_date" not in known:
            return "closing_date"
        rank = {f: i for i, f in enumerate(CASE_FIELDS)}
        needed = sorted(
            (f for f in still_needed(answer, st["role"]) if f in QUESTIONS and f not in known),
            key=lambda f: rank[f],
        )
        if needed:
            return needed[0]
        return None

    def advance(self, first: bool = False) -> None:
        """Move to the next question, or to the summary (or, for a complete prefill,
        straight to the result)."""
        answer = self.evaluation()
        field = self.next_question(answer)
        if field is not None:
            self.st["mode"], self.st["q"] = "ask", field
            self.prompt(answer)
            return
        self.st["q"] = None
        if first:
            self.show_result(answer)
        else:
            self.show_summary()

    # -- rendering --------------------------------------------------------------------
    def prompt(self, answer: dict[str, Any] | None = None) -> None:
        """Show what the person is expected to do now (question, summary, result…)."""
        mode = self.st["mode"]
        if mode == "forget":
            self.emit(
                self.tr(
                    N_(
                        "Shall I erase everything you told me, including the results? "
                        "This cannot be undone."
                    )
                ),
                [
                    Button("forget.yes", self.tr(N_("Yes, erase everything"))),
                    Button("forget.no", self.tr(N_("No, keep it"))),
                ],
            )
        elif mode == "summary":
            self.show_summary()
        elif mode == "result":
            self.show_result(receipt=False)
        else:
            self.ask(answer)

    def ask(self, answer: dict[str, Any] | None) -> None:
        st, tr = self.st, self.tr
        question = QUESTIONS[st["q"]]
        params: dict[str, Any] = {}
        if "{n}" in question.ask:
            params["n"] = len(st["partners"] or []) + 1
        if "{regimes}" in question.ask:
            params["regimes"] = render.regime_list(tr)
        if "{rate_hint}" in question.ask:
            params["rate_hint"] = render.rate_hint(tr, answer or self.evaluation())
        text = tr(question.wording(st["role"]), **params)
        current = st["answers"].get(question.field)
        if current is not None and question.when is not When.PARTNER:
            text += "\n" + tr(
                N_("Current answer: {value}"), value=render.show_answer(question.field, current, tr)
            )
        buttons = question.answer.buttons(tr, self.now)
        if question.unknown:
            buttons.append(Button("unknown", tr(N_("I don't know"))))
        if st["history"]:
            buttons.append(Button("back", tr(N_("Back"))))
        self.emit(text, buttons)

    def show_summary(self) -> None:
        st = self.st
        st["mode"], st["q"] = "summary", None
        text, buttons = render.summary(self.tr, st["role"], st["answers"], st["unknown"])
        self.emit(text, buttons)

    def show_result(self, answer: dict[str, Any] | None = None, receipt: bool = True) -> None:
        st = self.st
        answer = answer or self.evaluation()
        st["mode"], st["q"], st["done"] = "result", None, True
        for text, buttons in render.result(self.tr, st["role"], answer, st["unknown"]):
            self.emit(text, buttons)
        if receipt:
            st[RECEIPT_KEY] = {
                "rules_version": answer["rules_version"],
                "closing_date": answer["closing_date"],
                "case": build_case(st["answers"]),
                "verdicts": {item["regime"]: item["verdict"] for item in answer["regimes"]},
            }

    def result_buttons(self, answer: dict[str, Any]) -> list[Button]:
        """The buttons under a result (tables, documents, change, advisor, restart)."""
        st = self.st
        return render.result(self.tr, st["role"], answer, st["unknown"])[-1][1]

    def show_table(self, name: str) -> None:
        """The regime's schedule by year (the full table is in the PDF and CSV)."""
        answer = self.evaluation()
        try:
            part = regime(answer, name)
        except KeyError:
            part = {}
        table = documents.yearly_summary(self.tr, part.get("simulation"))
        if table is None:
            self.say(N_("There is no repayment table for that."))
            self.prompt()
            return
        title = self.tr(N_("Repayment table: {regime}"), regime=render.regime_name(self.tr, name))
        self.emit(
            title + "\n" + self.tr(N_("Per year, amounts in euro. The full table: PDF or CSV.")),
            self.result_buttons(answer),
            table=table,
        )

    def send_document(self, key: str) -> None:
        """Attach the regime's repayment table as PDF or CSV (rendered by the transport)."""
        _, fmt, name = (key.split(".", 2) + ["", ""])[:3]
        if fmt not in DOCUMENT_FORMATS or name not in REGIMES:
            self.not_offered()  # a forged key: never an import of its text
            return
        answer = self.evaluation()
        try:
            document = documents.document_request(
                answer,
                build_case(self.st["answers"]),
                name,
                "csv" if fmt == "csv" else "pdf",
                self.st["lang"],
            )
        except documents.DocumentUnavailable as err:
            self.emit(err.message(self.tr))
            self.prompt()
            return
        title = self.tr(N_("Repayment table: {regime}"), regime=render.regime_name(self.tr, name))
        lines = [f"{title} ({fmt.upper()})", documents.registration(self.tr, name)]
        self.emit(
            "\n".join(line for line in lines if line),
            self.result_buttons(answer),
            document=document,
        )


def _drop(data: dict[str, Any], dotted: str) -> bool:
    """Remove a dotted field from a nested case; False when it was not there."""
    parts = [p for p in dotted.split(".") if p]
    node: Any = data
    for part in parts[:-1]:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdecimal() and int(part) < len(node):
            node = node[int(part)]
        else:
            break
    else:
        if isinstance(node, dict) and parts and parts[-1] in node:
            del node[parts[-1]]
            return True
        if isinstance(node, list) and parts and parts[-1].isdecimal():
            del node[int(parts[-1])]
            return True
    # fall back to dropping the top-level section
    if parts and parts[0] in data:
        del data[parts[0]]
        return True
    return False


def _partner_entry(draft: dict[str, Any]) -> dict[str, Any]:
    """A contract partner entry from a finished draft (figures not asked count as 0)."""
    entry = {"held_pct": draft.get("held_pct", "0"), "linked": bool(draft.get("linked", False))}
    if draft.get("investor_kind", "enterprise") != "enterprise":
        entry["investor_kind"] = draft["investor_kind"]
    for name in ("staff", "turnover", "balance_sheet"):
        if name in draft:
            entry[name] = draft[name]
    return entry


def _next_partner_field(draft: dict[str, Any], on: date) -> str:
    """The next question of the partner loop: share, control, figures, another one?"""
    if "held_pct" not in draft:
        return "partner.held_pct"
    held = Decimal(draft["held_pct"])
    partner_from, linked_above = partner_thresholds(on)
    if "linked" not in draft and held <= linked_above:
        return "partner.linked"
    linked = bool(draft.get("linked"))
    # an exempt investor (venture capital, a university...) may hold 25-50 % without its
    # figures counting: the kind is asked only for such a holding
    if "investor_kind" not in draft and not linked and partner_from <= held <= linked_above:
        return "partner.investor_kind"
    if partner_figures_count(held, linked, draft.get("investor_kind", "enterprise"), on):
        for name in ("staff", "turnover", "balance_sheet"):
            if name not in draft:
                return f"partner.{name}"
    return "partner.more"
