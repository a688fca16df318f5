"""Sink state: a sink's pause and circuit breaker, kept in ``sink_state`` for every process.

``sink_starts`` holds when each rate-limited sink's recent attempts started, so a
``rate_limit`` holds for all processes together.

Claims read it (a paused sink or an open breaker gives no deliveries; a breaker whose
cooldown ended lets one probe through), and outcomes write it in their own transaction.
A sink without a row is active.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from attrs import frozen
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hookyard.store._schema import deliveries, sink_starts, sink_state

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection

    from hookyard.store._delivery_rows import SinkFeedback

__all__ = [
    "SinkState",
    "apply_feedback",
    "counted_window",
    "give_back_probe",
    "rate_room",
    "read_states",
    "record_starts",
    "resume",
    "take_probe",
]


@frozen
class SinkState:
    """One ``sink_state`` row; ``breaker`` is ``closed``, ``open`` or ``half_open``."""

    sink: str
    paused_until: datetime | None
    pause_reason: str | None
    failures: int
    breaker: str
    breaker_until: datetime | None

    def blocked(self, now: datetime) -> bool:
        """No delivery may be claimed: paused, breaker open, or its probe in flight."""
        if self.paused_until is not None and self.paused_until > now:
            return True
        return self.breaker != "closed" and (
            self.breaker_until is not None and self.breaker_until > now
        )

    def probe_due(self, now: datetime) -> bool:
        """The breaker's cooldown (or its last probe's lease) ran out: one probe may go."""
        return self.breaker != "closed" and not self.blocked(now)

    def shown(self, now: datetime) -> tuple[str, datetime | None]:
        """``active``, ``paused``, ``breaker open`` or ``half-open``, and until when."""
        if self.paused_until is not None and self.paused_until > now:
            return "paused", self.paused_until
        if self.breaker == "open" and self.blocked(now):
            return "breaker open", self.breaker_until
        if self.breaker != "closed":
            return "half-open", None
        return "active", None


def _state(row: object) -> SinkState:
    mapping = row._mapping  # type: ignore[attr-defined]
    return SinkState(
        mapping["sink"],
        mapping["paused_until"],
        mapping["pause_reason"],
        mapping["failures"],
        mapping["breaker"],
        mapping["breaker_until"],
    )


async def read_states(connection: AsyncConnection) -> dict[str, SinkState]:
    rows = await connection.execute(select(sink_state))
    return {state.sink: state for state in map(_state, rows)}


async def take_probe(connection: AsyncConnection, sink: str, now: datetime, lease: float) -> bool:
    """Make ``sink`` half-open for one probe, unless another worker just did."""
    result = await connection.execute(
        update(sink_state)
        .where(sink_state.c.sink == sink, sink_state.c.breaker != "closed")
        .where(or_(sink_state.c.breaker_until.is_(None), sink_state.c.breaker_until <= now))
        .values(breaker="half_open", breaker_until=now + timedelta(seconds=lease), updated_at=now)
    )
    return int(result.rowcount) == 1


async def give_back_probe(connection: AsyncConnection, before: SinkState) -> None:
    """Undo :func:`take_probe` when the sink had no due delivery to probe with."""
    await connection.execute(
        update(sink_state)
        .where(sink_state.c.sink == before.sink)
        .values(breaker=before.breaker, breaker_until=before.breaker_until)
    )


async def _ensure_row(connection: AsyncConnection, sink: str, now: datetime) -> None:
    insert = postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert
    await connection.execute(
        insert(sink_state).values(sink=sink, updated_at=now).on_conflict_do_nothing()
    )


async def apply_feedback(
    connection: AsyncConnection, sink: str, feedback: SinkFeedback, now: datetime
) -> None:
    """What one attempt's outcome says about its sink: the breaker's count, a pause."""
    table = sink_state.c
    if not feedback.failed:
        await connection.execute(
            update(sink_state)
            .where(table.sink == sink, or_(table.failures != 0, table.breaker != "closed"))
            .values(failures=0, breaker="closed", breaker_until=None, updated_at=now)
        )
    else:
        await _ensure_row(connection, sink, now)
        counted = await connection.execute(
            update(sink_state)
            .where(table.sink == sink)
            .values(failures=table.failures + 1, updated_at=now)
            .returning(table.failures, table.breaker)
        )
        row = counted.one()
        threshold = feedback.breaker_failures
        if threshold is not None and (row.failures >= threshold or row.breaker != "closed"):
            reopen = now + timedelta(seconds=feedback.breaker_cooldown)
            await connection.execute(
                update(sink_state)
                .where(table.sink == sink)
                .values(breaker="open", breaker_until=reopen)
            )
    if feedback.pause_for is not None:
        until = now + timedelta(seconds=feedback.pause_for)
        await _ensure_row(connection, sink, now)
        await connection.execute(
            update(sink_state)
            .where(table.sink == sink)
            .where(or_(table.paused_until.is_(None), table.paused_until < until))
            .values(paused_until=until, pause_reason=feedback.reason)
        )


#: How much longer than its window a start is counted (at most 1 s): an attempt begins
#: some milliseconds after its claim is stamped (more for a process's first, which opens
#: the sink's connections), so a full window must not free its slots early.
RATE_MARGIN = 0.1


def counted_window(per: float) -> float:
    """Seconds a start of a sink with a window of ``per`` seconds is counted for."""
    return per + min(per * RATE_MARGIN, 1.0)


async def rate_room(
    connection: AsyncConnection, sink: str, rate: tuple[int, float]
) -> tuple[int, float | None]:
    """How many attempts ``sink`` may start now under ``rate`` (attempts, per seconds),
    counting what every process started in the window that ends now; and when the window
    is full, in how many seconds its oldest start stops counting.

    Takes the sink's row lock first, so two processes' claims count one after the other,
    and reads the time once it holds it (PostgreSQL's ``clock_timestamp()``); starts older
    than the window are forgotten.
    """
    attempts, per = rate
    await _ensure_row(connection, sink, datetime.now(UTC))
    postgres = connection.dialect.name == "postgresql"
    locked = select(func.clock_timestamp() if postgres else sink_state.c.sink)
    found = await connection.execute(locked.where(sink_state.c.sink == sink).with_for_update())
    now = found.scalar_one().astimezone(UTC) if postgres else datetime.now(UTC)
    window = now - timedelta(seconds=counted_window(per))
    table = sink_starts.c
    await connection.execute(
        delete(sink_starts).where(table.sink == sink, table.started_at <= window)
    )
    counted = await connection.execute(
        select(func.count(), func.min(table.started_at)).where(
            table.sink == sink, table.started_at > window
        )
    )
    started, oldest = counted.one()
    room = max(0, attempts - int(started))
    if room or oldest is None:
        return room, None
    oldest = oldest.replace(tzinfo=UTC) if oldest.tzinfo is None else oldest
    return 0, max(0.0, (oldest - window).total_seconds())


async def record_starts(connection: AsyncConnection, sink: str, count: int) -> None:
    """``count`` attempts of ``sink`` start now (for :func:`rate_room`), stamped with the
    time they were claimed: after the claim, just before they begin."""
    now = await _clock(connection)
    await connection.execute(sink_starts.insert(), [{"sink": sink, "started_at": now}] * count)


async def _clock(connection: AsyncConnection) -> datetime:
    """The time now, not the transaction's start: PostgreSQL's wall clock, else ours."""
    if connection.dialect.name != "postgresql":
        return datetime.now(UTC)
    found: datetime = (await connection.execute(select(func.clock_timestamp()))).scalar_one()
    return found.astimezone(UTC)


async def resume(connection: AsyncConnection, sink: str, now: datetime) -> SinkState | None:
    """Clear ``sink``'s pause and close its breaker; its state before, or None if active.

    Its pending deliveries that were waiting for the pause to end (due by then) are due now.
    """
    rows = await connection.execute(select(sink_state).where(sink_state.c.sink == sink))
    found = rows.one_or_none()
    before = None if found is None else _state(found)
    if before is None or before.shown(now)[0] == "active":
        return None
    await connection.execute(
        update(sink_state)
        .where(sink_state.c.sink == sink)
        .values(
            paused_until=None,
            pause_reason=None,
            failures=0,
            breaker="closed",
            breaker_until=None,
            updated_at=now,
        )
    )
    waited_until = max((t for t in (before.paused_until, before.breaker_until) if t), default=None)
    if waited_until is not None:
        await connection.execute(
            update(deliveries)
            .where(
                deliveries.c.sink == sink,
                deliveries.c.status == "pending",
                deliveries.c.next_attempt_at > now,
                deliveries.c.next_attempt_at <= waited_until,
            )
            .values(next_attempt_at=now)
        )
    return before
