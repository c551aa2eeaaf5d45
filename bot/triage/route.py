"""The turn hook of triage: while a case is open, a user's messages go to the desk.

`bot.storage.turns.run_turn` calls the hook inside the turn's transaction: `route` before
the dialog (it may answer the event itself: the user is talking to a person, so the bot
stays quiet), `after_step` once the dialog answered (a consent marker opens the case),
`erase` when the user confirmed /forget. Everything a hook writes commits or rolls back
with the turn, so a case never exists without the confirmation that announced it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from bot.storage.models import Result
from bot.triage import cases
from dialogs.events import Event, Reply

State = dict[str, Any]

#: Events that take the user back to the bot while a case is open (and close it).
RESTART_COMMANDS = ("restart", "start")
#: Events the dialog still handles while a case is open (/forget must always work).
FORGET_KEYS = ("forget", "forget.yes", "forget.no")


@dataclass(frozen=True)
class DeskConfig:
    """The desk from the settings (`LEENWIJZER_DESK_*`)."""

    chat_id: int
    name: str
    hours: Any  # dialogs.handoff.OfficeHours (imported late, with the dialogs)
    response_minutes: int
    lang: str


def _command_of(event: Event) -> str | None:
    """The command an event is, typed ("/restart@bot") or sent as a command or button."""
    if event.type == "start":
        return "start"
    if event.type == "command":
        return event.name
    if event.type == "button" and event.key in ("restart", *FORGET_KEYS):
        return event.key
    if event.type == "text":
        text = (event.text or "").strip()
        if text.startswith("/"):
            return text[1:].partition(" ")[0].split("@")[0].lower()
    return None


class TriageHook:
    """Routes the turns of users who have an open case; opens cases on consent."""

    def __init__(self, desk: DeskConfig) -> None:
        self.desk = desk

    def route(
        self,
        session: Session,
        channel: str,
        user_key: str,
        state: State | None,
        event: Event,
        now: datetime,
        step: Any,
    ) -> tuple[State, list[Reply]] | None:
        """The answer to `event` when the user's case decides it, else None (the dialog's)."""
        from dialogs import handoff

        case = cases.active_case(session, channel, user_key)
        if case is None or state is None:
            if event.type == "button" and event.key == handoff.REOPEN and state is not None:
                latest = cases.latest_case(session, channel, user_key)
                if latest is not None and cases.reopen(session, latest):
                    cases.add_message(
                        session, latest, "system", handoff.SYSTEM_REOPENED, to_desk=True
                    )
                    reply = handoff.reopened(str(state.get("lang", "en")), latest.code)
                    cases.add_message(session, latest, "bot", reply.text)
                    return state, [reply]
            return None
        command = _command_of(event)
        if command in RESTART_COMMANDS:
            cases.close(session, case)
            cases.add_message(session, case, "system", handoff.SYSTEM_RESTARTED, to_desk=True)
            return step(state, event, now)
        if event.type == "button" and event.key == handoff.END:
            cases.close(session, case)
            cases.add_message(session, case, "system", handoff.SYSTEM_ENDED, to_desk=True)
            return state, handoff.ended_by_user(state, now, case.code)
        if command in FORGET_KEYS:
            return None
        if event.type == "text" and (event.text or "").strip():
            cases.add_message(session, case, "user", (event.text or "").strip(), to_desk=True)
        return state, []  # quiet: a person answers

    def after_step(
        self, session: Session, channel: str, user_key: str, state: State, replies: list[Reply]
    ) -> None:
        """Open the case the user just agreed to (the dialog's `HANDOFF_KEY`)."""
        from dialogs.handoff import HANDOFF_KEY

        handoff = state.pop(HANDOFF_KEY, None)
        if not handoff:
            return
        card = dict(handoff)
        receipt = session.exec(
            select(Result)
            .where(Result.channel == channel, Result.user_key == user_key)
            .order_by(col(Result.id).desc())
        ).first()
        if receipt is not None:
            card["receipt"] = {
                "rules_version": receipt.rules_version,
                "closing_date": receipt.closing_date.isoformat() if receipt.closing_date else None,
                "inputs_hash": receipt.inputs_hash,
                "verdicts": receipt.verdicts,
            }
        case = cases.open_case(
            session, channel, user_key, str(handoff["code"]), str(handoff["lang"]), card
        )
        cases.add_message(session, case, "bot", replies[-1].text if replies else "")

    def erase(self, session: Session, channel: str, user_key: str) -> None:
        cases.erase_user(session, channel, user_key)
