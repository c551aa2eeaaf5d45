"""The outbox: a turn's replies, kept until the transport has delivered them.

`turns.run_turn` writes one `OutboxEntry` per turn in the turn's own transaction; the
functions here are what a delivering worker does with it afterwards. Every function is
one short transaction, blocking: call them from a worker thread in async code.

Who sends an entry is decided by a claim, a compare-and-set on `attempts`: an entry
nobody took yet (`attempts` 0) goes to the first worker that claims it, the turn's own
or the one already delivering the user's older entries; a taken one only once its
`claimed_at` is older than the grace period. Each accepted message renews the claim, so
a live worker's entry is not taken from under it as long as a single Bot API call (429
waits included) is shorter than the grace period. The courier claims only a user's
oldest pending entry, which is what keeps the user's replies in order across workers
(`bot.telegram.delivery`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, or_, update
from sqlmodel import Session, col, select

from bot.storage.models import OutboxEntry, utcnow
from dialogs.events import Button, Document, Reply, Table


@dataclass(frozen=True)
class PendingEntry:
    """An entry not yet fully delivered, as read: the claim token is `attempts`."""

    id: int
    user_key: str
    replies: list[Reply]
    parts_sent: int
    attempts: int
    claimed_at: datetime


def replies_to_json(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    """The replies as stored: `Reply.to_json()` of each, in order."""
    return [reply.to_json() for reply in replies]


def reply_from_json(data: dict[str, Any]) -> Reply:
    """The inverse of `Reply.to_json()`."""
    table = data.get("table")
    return Reply(
        text=str(data.get("text", "")),
        buttons=[Button(str(b["key"]), str(b["label"])) for b in data.get("buttons", [])],
        table=Table(list(table["columns"]), [list(r) for r in table["rows"]]) if table else None,
        document=Document.from_json(data["document"]) if data.get("document") else None,
    )


def _aware(moment: datetime) -> datetime:
    """SQLite hands timestamps back without a zone; they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _pending() -> Any:
    return (col(OutboxEntry.sent_at).is_(None)) & (col(OutboxEntry.abandoned_at).is_(None))


def pending_for_user(engine: Engine, channel: str, user_key: str) -> list[PendingEntry]:
    """The user's undelivered entries, oldest first (the order they must arrive in)."""
    query = (
        select(OutboxEntry)
        .where(OutboxEntry.channel == channel, OutboxEntry.user_key == user_key, _pending())
        .order_by(col(OutboxEntry.id))
    )
    with Session(engine) as session:
        return [
            PendingEntry(
                id=int(entry.id or 0),
                user_key=entry.user_key,
                replies=[reply_from_json(r) for r in entry.replies],
                parts_sent=entry.parts_sent,
                attempts=entry.attempts,
                claimed_at=_aware(entry.claimed_at),
            )
            for entry in session.exec(query).all()
        ]


def users_with_stale(engine: Engine, channel: str, cutoff: datetime, limit: int) -> list[str]:
    """Users with an undelivered entry nobody claimed since `cutoff`, oldest entry first."""
    query = (
        select(OutboxEntry.user_key, func.min(OutboxEntry.id))
        .where(OutboxEntry.channel == channel, _pending(), col(OutboxEntry.claimed_at) < cutoff)
        .group_by(col(OutboxEntry.user_key))
        .order_by(func.min(OutboxEntry.id))
        .limit(limit)
    )
    with Session(engine) as session:
        return [user_key for user_key, _ in session.exec(query).all()]


def claim(engine: Engine, entry: PendingEntry, cutoff: datetime | None) -> bool:
    """Take the entry for sending; False when another worker has it (or it is done).

    `cutoff` None takes an entry nobody took yet (read with `attempts` 0): allowed while
    that is still so. Otherwise the entry must be unclaimed since `cutoff`.
    """
    condition: list[Any] = [
        col(OutboxEntry.id) == entry.id,
        col(OutboxEntry.attempts) == entry.attempts,
        _pending(),
    ]
    if cutoff is not None:
        condition.append(col(OutboxEntry.claimed_at) < cutoff)
    statement = (
        update(OutboxEntry)
        .where(*condition)
        .values(attempts=entry.attempts + 1, claimed_at=utcnow())
    )
    with Session(engine) as session:
        taken = session.execute(statement).rowcount == 1  # type: ignore[attr-defined]
        session.commit()
    return bool(taken)


def mark_progress(
    engine: Engine, entry_id: int, claim_token: int, parts_sent: int, done: bool
) -> bool:
    """Record that the first `parts_sent` messages were accepted (and, when `done`, all).

    Renews the claim. False when the claim was lost meanwhile (another worker took the
    entry after the grace period): the caller should stop sending it.
    """
    now = utcnow()
    values: dict[str, Any] = {"parts_sent": parts_sent, "claimed_at": now}
    if done:
        values["sent_at"] = now
    statement = (
        update(OutboxEntry)
        .where(OutboxEntry.id == entry_id, OutboxEntry.attempts == claim_token)  # type: ignore[arg-type]
        .values(**values)
    )
    with Session(engine) as session:
        kept = session.execute(statement).rowcount == 1  # type: ignore[attr-defined]
        session.commit()
    return bool(kept)


#: The `claimed_at` of a released entry: long before any cutoff, so anyone may take it.
RELEASED = datetime(1970, 1, 1, tzinfo=UTC)


def release(engine: Engine, entry_id: int, claim_token: int) -> None:
    """Hand the entry back after a failed send, so the next delivery retries it first."""
    statement = (
        update(OutboxEntry)
        .where(OutboxEntry.id == entry_id, OutboxEntry.attempts == claim_token)  # type: ignore[arg-type]
        .values(claimed_at=RELEASED)
    )
    with Session(engine) as session:
        session.execute(statement)
        session.commit()


def abandon(engine: Engine, entry_id: int) -> None:
    """Give up on one entry (it kept failing)."""
    statement = (
        update(OutboxEntry)
        .where(OutboxEntry.id == entry_id, _pending())  # type: ignore[arg-type]
        .values(abandoned_at=utcnow())
    )
    with Session(engine) as session:
        session.execute(statement)
        session.commit()


def abandon_user(engine: Engine, channel: str, user_key: str) -> None:
    """Give up on every undelivered entry of a user who cannot be reached."""
    statement = (
        update(OutboxEntry)
        .where(
            OutboxEntry.channel == channel,  # type: ignore[arg-type]
            OutboxEntry.user_key == user_key,  # type: ignore[arg-type]
            _pending(),
        )
        .values(abandoned_at=utcnow())
    )
    with Session(engine) as session:
        session.execute(statement)
        session.commit()


def prune(engine: Engine, before: datetime) -> int:
    """Delete entries delivered or abandoned before `before`; how many went."""
    statement = delete(OutboxEntry).where(
        or_(col(OutboxEntry.sent_at) < before, col(OutboxEntry.abandoned_at) < before)
    )
    with Session(engine) as session:
        removed = session.execute(statement).rowcount  # type: ignore[attr-defined]
        session.commit()
    return int(removed or 0)


def delete_user(session: Session, channel: str, user_key: str) -> None:
    """Delete every entry of a user, inside the caller's transaction (/forget)."""
    session.execute(
        delete(OutboxEntry).where(
            OutboxEntry.channel == channel,  # type: ignore[arg-type]
            OutboxEntry.user_key == user_key,  # type: ignore[arg-type]
        )
    )
