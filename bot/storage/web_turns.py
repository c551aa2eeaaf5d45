"""Client turn ids: the stored answer of each (channel, user_key, turn), for a safe retry.

A web client cannot tell a lost answer from a lost request, so it sends the event again
with the same `turn` id. `turns.run_turn` looks the id up first, inside the turn's
transaction: a stored answer is sent back as it was, and the event is not applied again.
A new id is recorded next to the versioned save, in the same transaction. Two identical
requests at the same moment both miss the lookup, but only one of them can save the
conversation's version; the other loses the race, is retried and then finds the record.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, delete, insert
from sqlmodel import Session, col, select

from bot.storage.models import WebTurn, utcnow
from bot.storage.outbox import replies_to_json, reply_from_json
from dialogs.events import Reply


@dataclass(frozen=True)
class StoredTurn:
    """The answer a turn id got: its replies, and the `lang` and `done` it reported."""

    replies: list[Reply]
    lang: str | None
    done: bool


def find(session: Session, channel: str, user_key: str, turn: str) -> StoredTurn | None:
    """The answer already given to this turn id, if any."""
    query = select(WebTurn).where(
        WebTurn.channel == channel, WebTurn.user_key == user_key, WebTurn.turn == turn
    )
    row = session.exec(query).first()
    if row is None:
        return None
    return StoredTurn([reply_from_json(r) for r in row.replies], row.lang, bool(row.done))


def record(
    session: Session,
    channel: str,
    user_key: str,
    turn: str,
    replies: Sequence[Reply],
    lang: str | None,
    done: bool,
) -> None:
    """Store the answer of this turn id in the caller's transaction.

    Raises `IntegrityError` when the id is already stored (a concurrent duplicate won).
    """
    session.connection().execute(
        insert(WebTurn).values(
            channel=channel,
            user_key=user_key,
            turn=turn,
            lang=lang,
            done=done,
            replies=replies_to_json(replies),
            created_at=utcnow(),
        )
    )


def delete_user(session: Session, channel: str, user_key: str) -> None:
    """Delete every stored turn of a user, inside the caller's transaction (/forget)."""
    session.execute(
        delete(WebTurn).where(
            WebTurn.channel == channel,  # type: ignore[arg-type]
            WebTurn.user_key == user_key,  # type: ignore[arg-type]
        )
    )


def prune(engine: Engine, before: datetime) -> int:
    """Delete the turns stored before `before`; how many went."""
    statement = delete(WebTurn).where(col(WebTurn.created_at) < before)
    with Session(engine) as session:
        removed = session.execute(statement).rowcount  # type: ignore[attr-defined]
        session.commit()
    return int(removed or 0)
