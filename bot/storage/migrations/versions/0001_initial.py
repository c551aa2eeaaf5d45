"""Conversations, the inbox of processed updates, and result receipts.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("user_key", sa.String(length=128), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("channel", "user_key", name="uq_conversations_user"),
    )
    op.create_table(
        "processed_updates",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("update_id", sa.String(length=128), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("channel", "update_id", name="uq_processed_updates_id"),
    )
    op.create_table(
        "results",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("user_key", sa.String(length=128), nullable=False),
        sa.Column("rules_version", sa.String(length=64), nullable=False),
        sa.Column("closing_date", sa.Date(), nullable=True),
        sa.Column("inputs_hash", sa.String(length=64), nullable=False),
        sa.Column("verdicts", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_results_channel", "results", ["channel"])
    op.create_index("ix_results_user_key", "results", ["user_key"])


def downgrade() -> None:
    op.drop_index("ix_results_user_key", table_name="results")
    op.drop_index("ix_results_channel", table_name="results")
    op.drop_table("results")
    op.drop_table("processed_updates")
    op.drop_table("conversations")
