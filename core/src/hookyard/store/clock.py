"""Now, by the database's clock: leases, due times and pauses are compared with it, so
replicas whose own clocks disagree still agree on when a lease ran out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["database_now"]


async def database_now(connection: AsyncConnection) -> datetime:
    """PostgreSQL's ``now()`` (the transaction's start); for SQLite, whose file every
    process opens on this machine, this machine's clock."""
    if connection.dialect.name != "postgresql":
        return datetime.now(UTC)
    found: datetime = (await connection.execute(select(func.now()))).scalar_one()
    return found.astimezone(UTC)
