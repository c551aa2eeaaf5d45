"""The tables leenwijzer keeps, and why each column is there.

Personal data is kept to what the conversation needs: the dialog state (the answers so
far) and, per result, only a hash of the inputs next to the verdicts. Everything keyed by
a user (`channel`, `user_key`) is deleted when that user confirms /forget.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, UniqueConstraint
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
