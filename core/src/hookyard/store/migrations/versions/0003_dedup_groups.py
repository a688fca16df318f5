"""events remember their dedup group, so a repeat is told from a retry

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 12:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("events", sa.Column("dedup_group", sa.String(200), nullable=True))
    op.add_column("events", sa.Column("dedup_id", sa.String(200), nullable=True))
    op.create_index("ix_events_dedup_group", "events", ["source", "dedup_group", "pk"])


def downgrade() -> None:
    op.drop_index("ix_events_dedup_group", "events")
    op.drop_column("events", "dedup_id")
    op.drop_column("events", "dedup_group")
