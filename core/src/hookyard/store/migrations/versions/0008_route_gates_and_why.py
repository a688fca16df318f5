"""deliveries: why each exists and the route gate that held it (dedup, throttle, group);
attempts: what the target answered to each

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("deliveries", sa.Column("why", sa.Text(), nullable=True))
    op.add_column("deliveries", sa.Column("gate", sa.String(length=16), nullable=True))
    op.add_column("deliveries", sa.Column("gate_key", sa.String(length=200), nullable=True))
    op.add_column("deliveries", sa.Column("group_id", sa.Integer(), nullable=True))
    op.create_index("ix_deliveries_gate", "deliveries", ["route", "gate_key", "created_at"])
    op.create_index("ix_deliveries_group", "deliveries", ["group_id"])
    op.add_column("attempts", sa.Column("response", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("attempts", "response")
    op.drop_index("ix_deliveries_group", table_name="deliveries")
    op.drop_index("ix_deliveries_gate", table_name="deliveries")
    for column in ("group_id", "gate_key", "gate", "why"):
        op.drop_column("deliveries", column)
