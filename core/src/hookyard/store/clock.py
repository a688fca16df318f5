"""Now, by the database's clock: leases, due times and pauses are compared with it, so
replicas whose own clocks disagree still agree on when a lease ran out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update

from hookyard.store._schema import deliveries, sink_state

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["WaitingClock", "database_now"]


async def database_now(connection: AsyncConnection) -> datetime:
    """PostgreSQL's ``now()`` (the transaction's start); for SQLite, whose file every
    process opens on this machine, this machine's clock."""
    if connection.dialect.name != "postgresql":
        return datetime.now(UTC)
    found: datetime = (await connection.execute(select(func.now()))).scalar_one()
    return found.astimezone(UTC)


class WaitingClock:
    """What waits for time to pass — pending deliveries not yet due (a group's wait), sink
    pauses, breaker cooldowns, the windows of dedups and throttles — and a way to make it
    come due sooner: how ``hookyard.testing`` runs a retry schedule of minutes in
    milliseconds. Never used by serve or the workers."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def longest_wait(self) -> float | None:
        """While deliveries are pending: seconds until the last thing they wait for (a due
        time, a pause, a cooldown) is over, 0 if none waits; None when none is pending."""
        async with self._engine.connect() as connection:
            now = await database_now(connection)
            pending = deliveries.c.status == "pending"
            first_due = await connection.scalar(
                select(func.min(deliveries.c.next_attempt_at)).where(pending)
            )
            if first_due is None:
                return None
            ends = (
                await connection.execute(
                    select(sink_state.c.paused_until, sink_state.c.breaker_until)
                )
            ).all()
        times = [first_due, *(t for row in ends for t in row if t is not None)]
        return float(max(0.0, *((t - now).total_seconds() for t in times)))

    async def bring_forward(self, seconds: float) -> None:
        """Everything waiting comes due ``seconds`` sooner."""
        shift = timedelta(seconds=seconds)
        async with self._engine.begin() as connection:
            column = deliveries.c.next_attempt_at
            await _shift(connection, column, deliveries.c.status == "pending", shift)
            # A dedup's or a throttle's window counts from when its deliveries were made.
            counted = deliveries.c.gate.in_(("dedup", "throttle"))
            await _shift(connection, deliveries.c.created_at, counted, shift)
            for state in (await connection.execute(select(sink_state))).all():
                await connection.execute(
                    update(sink_state)
                    .where(sink_state.c.sink == state.sink)
                    .values(
                        paused_until=None
                        if state.paused_until is None
                        else state.paused_until - shift,
                        breaker_until=None
                        if state.breaker_until is None
                        else state.breaker_until - shift,
                    )
                )


async def _shift(connection: AsyncConnection, column: Any, where: Any, shift: timedelta) -> None:
    """``column`` of the deliveries ``where`` picks, ``shift`` earlier (row by row: the
    same on every backend)."""
    rows = await connection.execute(select(deliveries.c.id, column).where(where))
    for row in rows.all():
        await connection.execute(
            update(deliveries).where(deliveries.c.id == row[0]).values({column: row[1] - shift})
        )
