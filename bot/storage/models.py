"""The tables leenwijzer keeps, and why each column is there.

Personal data is kept to what the conversation needs: the dialog state (the answers so
far), per result only a hash of the inputs next to the verdicts, and the replies of a turn
until they are delivered (sent ones are pruned after a day), and the answer to each web
turn id. Everything keyed by a user (`channel`, `user_key`) is deleted when that user
confirms /forget; what is older than the retention period goes with the daily purge
(`bot.storage.retention`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """The current time, timezone-aware, for timestamps."""
    return datetime.now(UTC)


class Conversation(SQLModel, table=True):
    """One user's conversation on one channel: the dialog state and its version.

    `version` is the optimistic lock: a save succeeds only if the row still has the
    version that was read, so two workers handling two quick taps never lose an answer.
    """

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "user_key", name="uq_conversations_user"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    user_key: str = Field(max_length=128)
    lang: str | None = Field(default=None, max_length=8)
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = Field(default=1)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class ProcessedUpdate(SQLModel, table=True):
    """The durable inbox: an update id seen on a channel, stored with the state it produced.

    The unique (channel, update_id) pair is what makes a redelivered update (Telegram
    retries webhooks) a no-op: its insert fails and nothing is answered twice.
    """

    __tablename__ = "processed_updates"
    __table_args__ = (UniqueConstraint("channel", "update_id", name="uq_processed_updates_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    update_id: str = Field(max_length=128)
    processed_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class OutboxEntry(SQLModel, table=True):
    """The replies of one turn, stored with the turn and kept until Telegram accepted them.

    Written in the turn's transaction (next to the inbox row and the state), so a worker
    that dies after the commit leaves its replies here for the next one to send. One row
    per turn, not per reply: `parts_sent` counts the Bot API messages the replies render
    to that Telegram already accepted, so a resend starts after the last one.

    It is not a column of the inbox row because the inbox outlives /forget (a retried
    update must stay a duplicate), while these rows are personal data and do not.

    - `claimed_at`: when a worker last took the row (on creation: the worker of the turn);
      another worker may take it only once that is older than the grace period;
    - `attempts`: how often it was taken; also the compare-and-set token of a claim;
    - `sent_at`: when the last message was accepted; `abandoned_at`: when delivery was
      given up (the user blocked the bot, or too many attempts).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_user", "channel", "user_key"),
        Index("ix_outbox_pending", "channel", "sent_at", "claimed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    user_key: str = Field(max_length=128)
    update_id: str | None = Field(default=None, max_length=128)
    replies: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    parts_sent: int = Field(default=0)
    attempts: int = Field(default=0)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    claimed_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    sent_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    abandoned_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class Result(SQLModel, table=True):
    """A receipt of one answer given, so that it can be explained later.

    The case itself is not kept, only the SHA-256 of its canonical JSON: enough to show
    that a later question is about the same inputs, without storing them twice.
    """

    __tablename__ = "results"

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32, index=True)
    user_key: str = Field(max_length=128, index=True)
    rules_version: str = Field(max_length=64)
    closing_date: date | None = None
    inputs_hash: str = Field(max_length=64)
    verdicts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class WebTurn(SQLModel, table=True):
    """One event a client sent with its own `turn` id, and the answer it got.

    The chat contract's `turn` makes a retry safe: when the same (session, turn) comes
    again (the answer was lost on the way), the stored replies are sent back and the event
    is not applied a second time. Written in the turn's transaction, after the versioned
    save, so a turn and its record commit together or not at all.

    `replies` holds what the response carried (`Reply.to_json()` each), with the `lang` and
    `done` it reported. It is personal data (replies echo answers): deleted by /forget and
    by the retention purge. A later transcript feed can number the replies (`seq`) in
    this JSON and keep the row as the turn's entry in the transcript.
    """

    __tablename__ = "web_turns"
    __table_args__ = (
        UniqueConstraint("channel", "user_key", "turn", name="uq_web_turns_turn"),
        Index("ix_web_turns_created", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=32)
    user_key: str = Field(max_length=128)
    turn: str = Field(max_length=64)
    lang: str | None = Field(default=None, max_length=8)
    done: bool = Field(default=False)
    replies: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
