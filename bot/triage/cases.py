"""Cases and their messages: open, claim, close, reopen, erase, and the relay queue.

Every function works in the caller's `Session` and does not commit, so a case opens in
the same transaction as the turn that asked for it. State changes that two people may
race for (two advisors pressing Claim, the desk closing while the user writes) are one
conditional UPDATE each: the row changes only from the status it was read in, and the
loser is told so.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from bot.storage.models import Case, CaseMessage, utcnow

#: Letters and digits a person reads back without confusion (no 0/O, 1/I/L).
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 4
ACTIVE = ("open", "claimed")
SENDERS = ("user", "bot", "advisor", "system")


def new_code() -> str:
    """A random case code like LW-7K2Q (31⁴ ≈ 920,000 codes; a clash is retried)."""
    return "LW-" + "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def open_case(
    session: Session,
    channel: str,
    user_key: str,
    code: str,
    lang: str,
    card: dict[str, Any],
    now: datetime | None = None,
) -> Case:
    """A new open case. Raises IntegrityError when the code is taken (the turn retries
    with a new one); a user's still active case is closed first (one case at a time)."""
    moment = now or utcnow()
    for old in active_cases(session, channel, user_key):
        set_status(session, old, "closed", from_status=old.status)
    case = Case(
        code=code,
        channel=channel,
        user_key=user_key,
        status="open",
        lang=lang,
        card=card,
        created_at=moment,
        updated_at=moment,
    )
    session.add(case)
    session.flush()
    return case


def active_cases(session: Session, channel: str, user_key: str) -> list[Case]:
    query = select(Case).where(
        Case.channel == channel, Case.user_key == user_key, col(Case.status).in_(ACTIVE)
    )
    return list(session.exec(query).all())


def active_case(session: Session, channel: str, user_key: str) -> Case | None:
    """The user's open or claimed case, if any: while there is one, the bot is quiet."""
    found = active_cases(session, channel, user_key)
    return found[-1] if found else None


def latest_case(session: Session, channel: str, user_key: str) -> Case | None:
    """The user's most recent case, whatever its status."""
    query = (
        select(Case)
        .where(Case.channel == channel, Case.user_key == user_key)
        .order_by(col(Case.id).desc())
    )
    return session.exec(query).first()


def by_code(session: Session, code: str) -> Case | None:
    return session.exec(select(Case).where(Case.code == code.upper())).first()


def by_topic(session: Session, topic_id: int) -> Case | None:
    query = select(Case).where(Case.topic_id == topic_id).order_by(col(Case.id).desc())
    return session.exec(query).first()


def set_status(session: Session, case: Case, status: str, *, from_status: str) -> bool:
    """Move `case` to `status` only if it is still in `from_status`; whether it moved."""
    moved = session.execute(
        update(Case)
        .where(col(Case.id) == case.id, col(Case.status) == from_status)
        .values(status=status, updated_at=utcnow())
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return False
    case.status = status
    return True


@dataclass(frozen=True)
class ClaimOutcome:
    """Who owns the case after a press on Claim; `won` is true for the one who got it."""

    won: bool
    owner: str | None
    status: str


def claim(session: Session, case_id: int, advisor_id: int, advisor: str) -> ClaimOutcome:
    """Give an open, unowned case to this advisor: one conditional UPDATE, so of two
    advisors pressing at once exactly one becomes the owner."""
    moved = session.execute(
        update(Case)
        .where(col(Case.id) == case_id, col(Case.status) == "open", col(Case.owner_id).is_(None))
        .values(status="claimed", owner_id=advisor_id, owner=advisor, updated_at=utcnow())
    )
    row = session.get(Case, case_id)
    if row is not None:
        session.refresh(row)
    won = moved.rowcount == 1  # type: ignore[attr-defined]
    return ClaimOutcome(won, row.owner if row else None, row.status if row else "erased")


def close(session: Session, case: Case) -> bool:
    """Close an open or claimed case; false when it was not active any more."""
    return (
        set_status(session, case, "closed", from_status=case.status)
        if (case.status in ACTIVE)
        else False
    )


def reopen(session: Session, case: Case) -> bool:
    """Open a closed case again (claimed again if it had an owner)."""
    if case.status != "closed":
        return False
    return set_status(session, case, "claimed" if case.owner_id else "open", from_status="closed")


def add_message(
    session: Session,
    case: Case,
    sender: str,
    text: str,
    *,
    advisor: str | None = None,
    internal: bool = False,
    to_desk: bool = False,
    now: datetime | None = None,
) -> CaseMessage:
    """Append to the conversation's transcript with the next `seq`.

    With `to_desk` it waits in the relay queue until posted in the case's topic.
    Raises IntegrityError when another transaction took that `seq` at the same time (the
    caller retries: a turn does, `bot.triage.desk` does).
    """
    assert sender in SENDERS and case.id is not None
    moment = now or utcnow()
    last = session.exec(
        select(func.max(CaseMessage.seq)).where(
            CaseMessage.channel == case.channel, CaseMessage.user_key == case.user_key
        )
    ).one()
    message = CaseMessage(
        case_id=case.id,
        channel=case.channel,
        user_key=case.user_key,
        seq=int(last or 0) + 1,
        sender=sender,
        text=text,
        advisor=advisor,
        internal=internal,
        at=moment,
        relayed_at=None if to_desk else moment,
    )
    session.add(message)
    session.flush()
    return message


def messages(session: Session, case_id: int) -> list[CaseMessage]:
    query = select(CaseMessage).where(CaseMessage.case_id == case_id).order_by(col(CaseMessage.seq))
    return list(session.exec(query).all())


def feed(session: Session, channel: str, user_key: str, after: int) -> list[CaseMessage]:
    """The conversation's messages newer than `after` (the web feed's cursor), no notes."""
    query = (
        select(CaseMessage)
        .where(
            CaseMessage.channel == channel,
            CaseMessage.user_key == user_key,
            CaseMessage.seq > after,
            col(CaseMessage.internal).is_(False),
        )
        .order_by(col(CaseMessage.seq))
    )
    return list(session.exec(query).all())


def waiting_for_desk(session: Session, limit: int = 100) -> list[CaseMessage]:
    """User messages not yet posted to the desk, oldest first."""
    query = (
        select(CaseMessage)
        .where(col(CaseMessage.relayed_at).is_(None))
        .order_by(col(CaseMessage.id))
        .limit(limit)
    )
    return list(session.exec(query).all())


def take_for_desk(session: Session, message_id: int) -> bool:
    """Claim a waiting message for posting (a conditional UPDATE): two workers never both
    post it. On a failed post the caller gives it back (`give_back`)."""
    moved = session.execute(
        update(CaseMessage)
        .where(col(CaseMessage.id) == message_id, col(CaseMessage.relayed_at).is_(None))
        .values(relayed_at=utcnow())
    )
    return moved.rowcount == 1  # type: ignore[attr-defined]


def give_back(session: Session, message_id: int) -> None:
    session.execute(
        update(CaseMessage).where(col(CaseMessage.id) == message_id).values(relayed_at=None)
    )


def erase_user(session: Session, channel: str, user_key: str) -> list[Case]:
    """/forget: the user's messages are deleted, their cases emptied and marked erased
    (the row stays so the desk's topic can say "erased by the user"). Returns the cases."""
    found = list(
        session.exec(select(Case).where(Case.channel == channel, Case.user_key == user_key)).all()
    )
    session.execute(
        delete(CaseMessage).where(
            col(CaseMessage.channel) == channel, col(CaseMessage.user_key) == user_key
        )
    )
    for case in found:
        case.status, case.card, case.user_key = "erased", {}, f"erased:{case.id}"
        case.updated_at = utcnow()
        session.add(case)
    session.flush()
    return found
