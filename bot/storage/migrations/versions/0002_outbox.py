"""The outbox: a turn's replies, stored with the turn, until Telegram accepted them.

Revision ID: 0002_outbox
Revises: 0001_initial
Create Date: 2026-11-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_outbox"
down_revision: str | None = "0001_initial"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("user_key", sa.String(length=128), nullable=False),
        sa.Column("update_id", sa.String(length=128), nullable=True),
        sa.Column("replies", sa.JSON(), nullable=False),
        sa.Column("parts_sent", sa.Integer(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("abandoned_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_outbox_user", "outbox", ["channel", "user_key"])
    op.create_index("ix_outbox_pending", "outbox", ["channel", "sent_at", "claimed_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.drop_index("ix_outbox_user", table_name="outbox")
    op.drop_table("outbox")
