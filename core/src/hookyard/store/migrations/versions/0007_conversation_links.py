"""conversation_links: what each sink keeps per conversation (a thread, a ticket)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_links",
        sa.Column("sink", sa.String(length=200), nullable=False),
        sa.Column("conversation", sa.String(length=200), nullable=False),
        sa.Column("link", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sink", "conversation"),
    )


def downgrade() -> None:
    op.drop_table("conversation_links")
