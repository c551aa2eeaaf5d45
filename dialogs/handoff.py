"""Talking to an advisor: consent, the case confirmation, and the texts of an open case. Pure.

With a desk configured, the bot layer calls `step` here instead of `dialogs.step`, with a
`Desk` (its name, office hours, response-time target and a freshly drawn case code). Only
the advisor request and the consent buttons are handled here; every other event goes to
the dialog engine unchanged, so the questionnaire knows nothing of the desk. Without a
desk the bot layer calls `dialogs.step` and `/advisor` shows the agencies' contacts as
before. Passing the desk as an argument (rather than a flag in the state or a field of
the event) keeps the event contract and the engine untouched and the state free of
settings that an operator may change between two turns.

On consent the returned state carries `HANDOFF_KEY`: what the storage layer needs to
open the case in the same transaction (the code, the language, the answers for the card).
The storage layer removes it before saving, like the engine's `ERASE_KEY`/`RECEIPT_KEY`.

While a case is open the bot layer does not call `step` at all (the user is talking to
a person); the functions at the end give it the few texts it says then.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_time

from dialogs import engine
from dialogs.events import Button, Event, Reply
from dialogs.i18n import N_, Translator

#: Key in the state returned by `step` when the user agreed to hand the conversation to
#: the desk: {"code", "lang", "role", "answers", "unknown", "done"}. The storage layer
#: opens the case from it and does not persist it.
HANDOFF_KEY = "handoff"
#: Key kept in the state between the consent question and the answer to it, so a
#: `handoff.yes` from an old message or a forged one opens nothing.
ASKED_KEY = "handoff_asked"

YES, NO = "handoff.yes", "handoff.no"
#: "End the chat with the advisor" (offered with the confirmation and advisor messages).
END = "handoff.end"
#: "Write to the advisor again" (offered when the desk closed the case).
REOPEN = "handoff.reopen"

#: What the transcript says for the user's own moves (English msgids: translated into
#: the desk's language when posted in the topic).
SYSTEM_ENDED = N_("the user ended the chat")
SYSTEM_RESTARTED = N_("the user went back to the bot")
SYSTEM_REOPENED = N_("reopened by the user")

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPEC = re.compile(
    r"^\s*(?P<d1>[a-z]{3})(?:\s*-\s*(?P<d2>[a-z]{3}))?\s+"
    r"(?P<h1>\d{1,2}):(?P<m1>\d{2})\s*-\s*(?P<h2>\d{1,2}):(?P<m2>\d{2})\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class OfficeHours:
    """When the desk answers: the same opening hours on each of `days` (0 = Monday)."""

    days: frozenset[int]
    opens: time
    closes: time
    zone: str = "Europe/Brussels"

    @staticmethod
    def parse(spec: str, zone: str = "Europe/Brussels") -> OfficeHours:
        """ "Mon-Fri 09:00-17:00" (or "Sat 10:00-12:00"); ValueError naming what is wrong."""
        found = _SPEC.match(spec)
        if found is None:
            raise ValueError(f"office hours {spec!r}: expected e.g. 'Mon-Fri 09:00-17:00'")
        first = found["d1"].lower()
        last = (found["d2"] or found["d1"]).lower()
        if first not in DAYS or last not in DAYS:
            raise ValueError(f"office hours {spec!r}: unknown day")
        start, end = DAYS.index(first), DAYS.index(last)
        days = (
            frozenset(range(start, end + 1))
            if start <= end
            else frozenset([*range(start, 7), *range(0, end + 1)])
        )
        try:
            opens = time(int(found["h1"]), int(found["m1"]))
            closes = time(int(found["h2"]), int(found["m2"]))
        except ValueError:
            raise ValueError(f"office hours {spec!r}: not a time of day") from None
        if opens >= closes:
            raise ValueError(f"office hours {spec!r}: the desk must open before it closes")
        ZoneInfo(zone)  # an unknown zone fails here, at start, not in a turn
        return OfficeHours(days, opens, closes, zone)

    def is_open(self, now: datetime) -> bool:
        local = now.astimezone(ZoneInfo(self.zone))
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def next_opening(self, now: datetime) -> datetime:
        """The next moment the desk opens after `now` (local time of the desk)."""
        local = now.astimezone(ZoneInfo(self.zone))
        for ahead in range(8):
            day = (local + timedelta(days=ahead)).date()
            moment = datetime.combine(day, self.opens, tzinfo=ZoneInfo(self.zone))
            if day.weekday() in self.days and moment > local:
                return moment
        raise ValueError("office hours without an opening day")  # pragma: no cover


@dataclass(frozen=True)
class Desk:
    """The desk as the dialog sees it; `code` is the code a case opened now would get."""

    name: str
    hours: OfficeHours
    response_minutes: int
    code: str


def is_advisor_request(event: Event) -> bool:
    """/advisor typed, the command, or the result's "Talk to an advisor" button."""
    if event.type == "command":
        return event.name == "advisor"
    if event.type == "button":
        return event.key == "advisor"
    if event.type == "text":
        head = (event.text or "").strip()
        if head.startswith("/"):
            return head[1:].partition(" ")[0].split("@")[0].lower() == "advisor"
    return False


def step(
    state: dict[str, Any] | None, event: Event, now: datetime, desk: Desk
) -> tuple[dict[str, Any], list[Reply]]:
    """`dialogs.step` with a desk: the advisor request asks consent; yes opens a case."""
    valid = isinstance(state, dict) and engine._valid(state)
    if not valid:
        return engine.step(state, event, now)
    assert state is not None
    asked = bool(state.get(ASKED_KEY))
    if is_advisor_request(event):
        fresh = _clean(state)
        fresh[ASKED_KEY] = True
        return fresh, [consent(Translator(fresh["lang"]), desk)]
    if event.type == "button" and event.key in (YES, NO) and asked:
        fresh = _clean(state)
        if event.key == NO:
            return fresh, prompt_again(fresh, now, N_("All right: nothing was shared."))
        fresh[HANDOFF_KEY] = {
            "code": desk.code,
            "lang": fresh["lang"],
            "role": fresh.get("role"),
            "answers": copy.deepcopy(fresh.get("answers", {})),
            "unknown": list(fresh.get("unknown", [])),
            "done": bool(fresh.get("done")),
        }
        return fresh, [confirmation(Translator(fresh["lang"]), desk, now)]
    new_state, replies = engine.step(_clean(state), event, now)
    return new_state, replies


def _clean(state: dict[str, Any]) -> dict[str, Any]:
    fresh = copy.deepcopy(state)
    fresh.pop(ASKED_KEY, None)
    fresh.pop(HANDOFF_KEY, None)
    return fresh


def consent(tr: Translator, desk: Desk) -> Reply:
    """The consent question, with the contract's stable keys `handoff.yes`/`handoff.no`."""
    return Reply(
        tr(
            N_("I will share your answers and this chat with an advisor of {desk}. Agreed?"),
            desk=desk.name,
        ),
        [
            Button(YES, tr(N_("Yes, talk to an advisor"))),
            Button(NO, tr(N_("No, not now"))),
        ],
    )


def expectation(tr: Translator, desk: Desk, now: datetime) -> str:
    """When an answer can be expected: within the target in office hours, else the opening."""
    if desk.hours.is_open(now):
        hours, minutes = divmod(desk.response_minutes, 60)
        if minutes == 0 and hours > 0:
            span = tr.plural("{n} hour", "{n} hours", hours)
        else:
            span = tr.plural("{n} minute", "{n} minutes", desk.response_minutes)
        return tr(N_("An advisor usually answers within {span}."), span=span)
    opening = desk.hours.next_opening(now)
    return tr(
        N_("The desk is closed now; it opens on {day} at {time}. An advisor will answer then."),
        day=format_datetime(opening, "EEEE d MMMM", locale=tr.locale),
        time=format_time(opening, "HH:mm", locale=tr.locale),
    )


def confirmation(tr: Translator, desk: Desk, now: datetime) -> Reply:
    """The case is open: its code, when to expect an answer, what to do now."""
    lines = [
        tr(N_("Your case number is {code}."), code=desk.code),
        expectation(tr, desk, now),
        tr(N_("Write your question here: the advisor reads everything you type now.")),
    ]
    return Reply("\n".join(lines), [Button(END, tr(N_("End the chat with the advisor")))])


def prompt_again(state: dict[str, Any], now: datetime, note: str) -> list[Reply]:
    """`note`, then whatever the conversation was asking before (question, result…)."""
    turn = engine.Turn(copy.deepcopy(state), now)
    turn.say(note)
    turn.prompt()
    return turn.finish()[1]


def ended_by_user(state: dict[str, Any], now: datetime, code: str) -> list[Reply]:
    """The user ended the chat with the advisor: back to where the bot was."""
    return prompt_again(
        state,
        now,
        Translator(state.get("lang", "en"))(
            N_("Your chat with the advisor about {code} is closed. leenwijzer again:"), code=code
        ),
    )


def closed_by_desk(lang: str, code: str) -> Reply:
    """The desk closed the case; the user can write again (reopens it) or carry on."""
    tr = Translator(lang)
    return Reply(
        tr(
            N_(
                "The advisor closed your case {code}. You are talking to leenwijzer again "
                "(type /restart to begin a new question)."
            ),
            code=code,
        ),
        [Button(REOPEN, tr(N_("Write to the advisor again")))],
    )


def reopened(lang: str, code: str) -> Reply:
    """The user came back to a closed case: it is open again."""
    tr = Translator(lang)
    return Reply(
        tr(N_("Your case {code} is open again: write your message."), code=code),
        [Button(END, tr(N_("End the chat with the advisor")))],
    )


def from_advisor(lang: str, advisor: str, text: str) -> Reply:
    """An advisor's message to the user, labelled with the advisor's first name."""
    tr = Translator(lang)
    return Reply(
        tr(N_("{name} (advisor): {text}"), name=advisor, text=text),
        [Button(END, tr(N_("End the chat with the advisor")))],
    )


def topic_name(lang: str, card: dict[str, Any], code: str) -> str:
    """The desk topic's name: the code, the user's language, the likely regime."""
    from dialogs import render

    verdicts = (card.get("receipt") or {}).get("verdicts") or {}
    likely = next((name for name, verdict in verdicts.items() if verdict == "eligible"), None)
    tr = Translator(lang)
    regime = render.regime_name(tr, likely) if likely else tr(N_("regime open"))
    return f"{code} · {str(card.get('lang', '?')).upper()} · {regime}"[:128]


def card_text(lang: str, card: dict[str, Any], code: str, owner: str | None) -> str:
    """The case card in the desk's language: answers, verdicts, rules version and receipt.

    Only what the verdict needs: the answers given (no name, no username), the verdicts
    of the last result, the receipt's hash.
    """
    from dialogs import render

    tr = Translator(lang)
    lines = [tr(N_("Case {code}"), code=code)]
    summary, _buttons = render.summary(
        tr, card.get("role"), card.get("answers") or {}, card.get("unknown") or []
    )
    lines.append(summary)
    receipt = card.get("receipt") or {}
    for name, verdict in (receipt.get("verdicts") or {}).items():
        lines.append(f"{render.regime_name(tr, name)}: {verdict}")
    if receipt:
        lines.append(
            tr(
                N_("Rules {version}, receipt {receipt}"),
                version=receipt.get("rules_version", "?"),
                receipt=str(receipt.get("inputs_hash", ""))[:12],
            )
        )
    lines.append(tr(N_("Claimed by {name}"), name=owner) if owner else tr(N_("Not claimed yet")))
    return "\n".join(lines)


def card_buttons(lang: str, code: str) -> list[Button]:
    """Claim / Close / Transcript under the card (keys carry the case code)."""
    tr = Translator(lang)
    return [
        Button(f"desk.claim.{code}", tr(N_("Claim"))),
        Button(f"desk.close.{code}", tr(N_("Close"))),
        Button(f"desk.transcript.{code}", tr(N_("Transcript"))),
    ]


def desk_line(lang: str, sender: str, text: str) -> str:
    """A transcript line posted in the desk's topic (user messages and system events)."""
    tr = Translator(lang)
    if sender == "user":
        return tr(N_("User: {text}"), text=text)
    return tr(N_("System: {text}"), text=tr(text))
