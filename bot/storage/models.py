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

from sqlalchemy import JSON, BigInteger, Column, DateTime, Index, Text, UniqueConstraint
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


class Case(SQLModel, table=True):
    """A conversation handed to a person at the desk (`bot.triage`).

    `code` is what the user and the advisors quote (LW-7K2Q). `status` is open, claimed,
    closed or erased; `owner_id`/`owner` the advisor who claimed it (Telegram user id and
    first name only), set by one conditional UPDATE so two advisors pressing Claim at once
    give one owner. `topic_id` is the desk's forum topic (None until created, or after it
    was found deleted: it is recreated with its card). `card` is what the card shows
    (answers, verdicts, receipt): personal data, emptied when the user erases the case.
    """

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("code", name="uq_cases_code"),
        Index("ix_cases_user", "channel", "user_key"),
        Index("ix_cases_topic", "topic_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16)
    channel: str = Field(max_length=32)
    user_key: str = Field(max_length=128)
    status: str = Field(default="open", max_length=16)
    owner_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    owner: str | None = Field(default=None, max_length=64)
    topic_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    card_message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    lang: str = Field(default="en", max_length=8)
    card: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class CaseMessage(SQLModel, table=True):
    """One message of a case's transcript: from the user, the bot, an advisor or the system.

    `seq` rises by one per message in the conversation (`channel`, `user_key`): the web
    feed's cursor (`after=N`). A user's message waits for the desk with `relayed_at`
    empty; the relay claims it by setting it (a conditional UPDATE), so two workers never
    post it twice. `internal` marks an advisor's `!` note, never shown to the user.
    """

    __tablename__ = "case_messages"
    __table_args__ = (
        UniqueConstraint("channel", "user_key", "seq", name="uq_case_messages_seq"),
        Index("ix_case_messages_case", "case_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    channel: str = Field(max_length=32)
    user_key: str = Field(max_length=128)
    seq: int
    sender: str = Field(max_length=16)
    text: str = Field(sa_column=Column(Text, nullable=False))
    advisor: str | None = Field(default=None, max_length=64)
    internal: bool = Field(default=False)
    at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    relayed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
