"""deliveries know their conversation and when its event occurred, for ordering per sink

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 15:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("conversation", sa.String(200), nullable=True))
    op.add_column("deliveries", sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_deliveries_conversation",
        "deliveries",
        ["sink", "conversation", "status", "occurred_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_conversation", "deliveries")
    op.drop_column("deliveries", "occurred_at")
    op.drop_column("deliveries", "conversation")
