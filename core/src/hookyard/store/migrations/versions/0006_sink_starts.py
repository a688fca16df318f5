"""sink_starts: recent attempt starts of rate-limited sinks, counted by every process;
an index for claiming one sink's due deliveries in order

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 16:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sink_starts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sink", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sink_starts_sink", "sink_starts", ["sink", "started_at"])
    op.create_index("ix_deliveries_sink_due", "deliveries", ["sink", "status", "next_attempt_at"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_sink_due", "deliveries")
    op.drop_index("ix_sink_starts_sink", "sink_starts")
    op.drop_table("sink_starts")
