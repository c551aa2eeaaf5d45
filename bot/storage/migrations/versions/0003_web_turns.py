"""Web turns: the answer to each client `turn` id, so a re-sent event is not applied twice.

Revision ID: 0003_web_turns
Revises: 0002_outbox
Create Date: 2026-11-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_web_turns"
down_revision: str | None = "0002_outbox"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "web_turns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("user_key", sa.String(length=128), nullable=False),
        sa.Column("turn", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("replies", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("channel", "user_key", "turn", name="uq_web_turns_turn"),
    )
    op.create_index("ix_web_turns_created", "web_turns", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_web_turns_created", table_name="web_turns")
    op.drop_table("web_turns")
