"""attempts keep their numbers across retries and releases

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 10:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


# Plain ALTER TABLE, no batch copy: SQLite (3.35 and newer) adds and drops a column in
# place, and a copy of deliveries could not be dropped while attempts refer to it.


def upgrade() -> None:
    column = sa.Column("attempts_base", sa.Integer(), server_default="0", nullable=False)
    op.add_column("deliveries", column)


def downgrade() -> None:
    op.drop_column("deliveries", "attempts_base")
