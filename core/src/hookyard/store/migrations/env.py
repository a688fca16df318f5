"""Alembic environment: hookyard always hands in an open connection."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from hookyard.store._schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        # replicas starting together take turns; the second sees the migration done
        connection.execute(text("SELECT pg_advisory_xact_lock(7234001)"))
    context.run_migrations()
