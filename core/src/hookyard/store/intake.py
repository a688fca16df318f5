"""Intake writes: events and their deliveries in one transaction, shared by many requests.

Concurrent webhook requests hand their rows to one writer task. While a commit is in
flight, new requests queue up; the next commit takes all of them at once (group commit),
so a burst costs one fsync per batch, not one per request. Each request's future resolves
only after the transaction containing its rows has committed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from attrs import define, frozen
from sqlalchemy import bindparam, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from hookyard.routing.gates import GateState
from hookyard.store._gated import (
    DUE_NOW_SQL,
    MEMBERS_SQL,
    OPEN_GROUP_SQL,
    RECENT_SQL,
    gated_rows,
    head_to_make_due,
    split,
    state_queries,
    with_head,
)
from hookyard.store._rows import (
    EventRow,
    Key,
    Latest,
    PlannedRow,
    conversation_key,
    delivery_params,
    event_params,
    first_of_each,
    storable_text,
    stored_event_id,
    stored_flags,
    tell_repeats_apart,
)
from hookyard.store._schema import UTCDateTime, deliveries, events
from hookyard.store._sqlite_intake import SqliteIntake
from hookyard.store.clock import database_now
from hookyard.store.errors import StoreUnavailable, translated
from hookyard.store.notify import notify_due

if TYPE_CHECKING:
    from datetime import datetime
    from typing import Any

    from sqlalchemy import TextClause
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

    from hookyard.routing.gates import Gate
    from hookyard.store._gated import StateQuery

__all__ = [
    "EventRow",
    "IntakeBatch",
    "IntakeOutcome",
    "IntakeWriter",
    "PlannedRow",
    "conversation_key",
    "storable_text",
    "stored_event_id",
]

MAX_BATCH = 512
#: Seconds an intake commit waits for a lock another connection holds (SQLite's write lock,
#: a PostgreSQL table or row lock) before it fails: the senders get 503 and retry.
LOCK_TIMEOUT = 2.0
_PG_LOCK_TIMEOUT = text(f"SET LOCAL lock_timeout = '{int(LOCK_TIMEOUT * 1000)}ms'")
#: Seconds :meth:`IntakeWriter.stop` waits for queued writes to commit.
STOP_GRACE = 10.0


@frozen
class IntakeBatch:
    rows: Sequence[EventRow]


@frozen
class IntakeOutcome:
    stored: int
    duplicates: int
    deliveries: int


@define
class _Pending:
    batch: IntakeBatch
    future: asyncio.Future[IntakeOutcome]


class IntakeWriter:
    """The single writer task behind :meth:`write`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        #: SQLite commits skip SQLAlchemy's asyncio layer (see :mod:`._sqlite_intake`).
        self._sqlite = _sqlite_intake(engine)
        self._queue: asyncio.Queue[_Pending | None] = asyncio.Queue()  # None: stop
        self._task: asyncio.Task[None] | None = None

    @property
    def sqlite_path(self) -> str | None:
        """The SQLite file intake commits to on its own connection; None on PostgreSQL."""
        return None if self._sqlite is None else self._sqlite.path

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="hookyard-intake-writer")

    async def stop(self) -> None:
        """Refuse new writes, commit the ones already queued, then end the writer task.

        Writes that cannot be committed within ``STOP_GRACE`` seconds fail; none hangs.
        """
        task, self._task = self._task, None
        if task is None:
            return
        try:
            await self._stop_task(task)
        finally:
            if self._sqlite is not None:
                await self._sqlite.close()

    async def _stop_task(self, task: asyncio.Task[None]) -> None:
        await self._queue.put(None)  # after every write queued so far
        try:
            await asyncio.wait_for(asyncio.shield(task), STOP_GRACE)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        finally:
            left = [self._queue.get_nowait() for _ in range(self._queue.qsize())]
            _fail([p for p in left if p is not None])

    async def write(self, batch: IntakeBatch) -> IntakeOutcome:
        """Store ``batch``; returns once it is durably committed (raises if it was not)."""
        if self._task is None:
            raise StoreUnavailable("the intake writer is not running", "not running")
        future: asyncio.Future[IntakeOutcome] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Pending(batch, future))
        return await future

    async def _run(self) -> None:
        while True:
            group, stopping = await self._next_group()
            try:
                unavailable = await self._commit_group(group)
            except asyncio.CancelledError:
                _fail(group)
                raise
            if unavailable is not None:
                stopping = self._fail_queued(unavailable) or stopping
            if stopping:
                return

    def _fail_queued(self, error: StoreUnavailable) -> bool:
        """Fail the writes that queued while a commit found the store unavailable.

        They would wait out another busy timeout for the same answer: a sender waits for at
        most one. Returns whether a stop was queued among them.
        """
        stopping = False
        while not self._queue.empty():
            pending = self._queue.get_nowait()
            if pending is None:
                stopping = True
            else:
                _fail([pending], error)
        return stopping

    async def _next_group(self) -> tuple[list[_Pending], bool]:
        """The writes queued right now (waiting for a first one), and whether to stop after."""
        group: list[_Pending] = []
        while not group or (len(group) < MAX_BATCH and not self._queue.empty()):
            pending = await self._queue.get()
            if pending is None:
                return group, True
            group.append(pending)
        return group, False

    async def _commit_group(self, group: list[_Pending]) -> StoreUnavailable | None:
        """Commit ``group``; returns the error if the store turned out to be unavailable."""
        if not group:
            return None
        try:
            outcomes = await self._commit([p.batch for p in group])
        except StoreUnavailable as exc:
            _fail(group, exc)  # unavailable for one is unavailable for all, at once
            return exc
        except Exception as exc:
            if len(group) == 1:
                _fail(group, exc)
                return None
            for pending in group:  # one bad request must not fail its neighbours
                await self._commit_group([pending])
            return None
        for pending, outcome in zip(group, outcomes, strict=True):
            if not pending.future.done():
                pending.future.set_result(outcome)
        return None

    @translated
    async def _commit(self, batches: list[IntakeBatch]) -> list[IntakeOutcome]:
        rows = [row for batch in batches for row in batch.rows]
        if self._sqlite is not None:
            # Its own connection, never the engine's: intake does not queue behind delivery
            # bookkeeping, and a locked file fails the group within its busy timeout.
            stored = await self._sqlite.insert(rows)
        else:
            async with self._engine.begin() as connection:
                if connection.dialect.name == "postgresql":  # else SQLite in memory
                    await connection.execute(_PG_LOCK_TIMEOUT)
                stored = await insert_rows(connection, rows)
        outcomes, start = [], 0
        for batch in batches:
            end = start + len(batch.rows)
            outcomes.append(_outcome(batch, stored[start:end]))
            start = end
        return outcomes


def _sqlite_intake(engine: AsyncEngine) -> SqliteIntake | None:
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    return SqliteIntake(path, LOCK_TIMEOUT) if path and path != ":memory:" else None


def _fail(group: list[_Pending], error: Exception | None = None) -> None:
    for pending in group:
        if not pending.future.done():
            stopped = StoreUnavailable("the intake writer stopped", "stopped")
            pending.future.set_exception(error or stopped)


async def insert_rows(connection: AsyncConnection, rows: Sequence[EventRow]) -> list[bool]:
    """Insert new events (skipping stored duplicates) and the deliveries of new ones;
    returns whether each row was stored."""
    if not rows:
        return []
    told = await _told_apart(connection, rows)
    unique = first_of_each(told)
    insert = (postgresql if connection.dialect.name == "postgresql" else sqlite).insert
    statement = (
        insert(events)
        .on_conflict_do_nothing(index_elements=["source", "event_id"])
        .returning(events.c.pk, events.c.source, events.c.event_id)
    )
    result = await connection.execute(statement, [event_params(row) for row in unique.values()])
    inserted = {(r.source, r.event_id): r.pk for r in result}
    now = await database_now(connection)  # deliveries are due by the database's clock
    plain, gated = split(
        [
            (delivery_params(pk, unique[key], row_planned, now), row_planned)
            for key, pk in inserted.items()
            for row_planned in unique[key].deliveries
        ]
    )
    if plain:
        await connection.execute(deliveries.insert(), plain)
    if gated:
        await insert_gated(connection, gated, now)
    if plain or gated:
        await notify_due(connection)
    return stored_flags(told, inserted)


async def insert_gated(
    connection: AsyncConnection, gated: list[tuple[dict[str, Any], Gate]], now: datetime
) -> None:
    """Decide and insert the gated deliveries (store/_gated.py). On PostgreSQL each key is
    locked first (in order), so two replicas deciding the same key take turns, and an open
    group's head is locked against a claim until its new event is in."""
    postgres = connection.dialect.name == "postgresql"
    states = {}
    for query in state_queries(gated, now):
        if postgres:
            await connection.execute(_KEY_LOCK, {"key": query.lock})
        states[query.key] = await _gate_state(connection, query, now, postgres)
    ids: list[int] = []
    for row in gated_rows(gated, states, now):
        inserted = await connection.execute(
            deliveries.insert().returning(deliveries.c.id), with_head(row, ids)
        )
        ids.append(inserted.scalar_one())
        if (head := head_to_make_due(row, ids)) is not None:
            await connection.execute(_DUE_NOW, {"now": now, "head": head})


async def _gate_state(
    connection: AsyncConnection, query: StateQuery, now: datetime, postgres: bool
) -> GateState:
    """What is stored of one gate's key (see :class:`GateState`)."""
    arguments = query.arguments(now)
    if query.since is not None:
        return GateState(recent=(await connection.execute(_RECENT, arguments)).scalar_one())
    head = (
        await connection.execute(_OPEN_GROUP_PG if postgres else _OPEN_GROUP, arguments)
    ).first()
    if head is None:
        return GateState()
    members = (await connection.execute(text(MEMBERS_SQL), {"head": head[0]})).scalar_one()
    return GateState(head=head[0], members=members + 1)


def _timed(sql: str, *names: str) -> TextClause:
    return text(sql).bindparams(*(bindparam(name, type_=UTCDateTime) for name in names))


_KEY_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")
_RECENT = _timed(RECENT_SQL, "since")
_OPEN_GROUP = _timed(OPEN_GROUP_SQL, "now")
_OPEN_GROUP_PG = _timed(OPEN_GROUP_SQL + " FOR UPDATE", "now")
_DUE_NOW = _timed(DUE_NOW_SQL, "now")


async def _told_apart(connection: AsyncConnection, rows: Sequence[EventRow]) -> list[EventRow]:
    """:func:`tell_repeats_apart`, with what the grouped rows need read from the database."""
    grouped = [row for row in rows if row.dedup_group is not None]
    if not grouped:
        return list(rows)
    latest: Latest = {}
    seen: dict[Key, int] = {}
    c = events.c
    for row in grouped:
        group = (row.source, str(row.dedup_group))
        in_group = (c.source == row.source) & (c.dedup_group == group[1])
        if group not in latest:
            query = select(c.dedup_id, c.event_id).where(in_group).order_by(c.pk.desc()).limit(1)
            found = (await connection.execute(query)).first()
            if found is not None:
                latest[group] = (found[0], found[1])
        if row.key not in seen:
            repeats = select(func.count()).where(in_group & (c.dedup_id == row.event_id))
            same = select(func.count()).where(
                (c.source == row.source) & (c.event_id == row.event_id)
            )
            counts = (
                await connection.execute(select(repeats.scalar_subquery(), same.scalar_subquery()))
            ).one()
            seen[row.key] = max(counts[0], counts[1])
    return tell_repeats_apart(rows, latest, seen)


def _outcome(batch: IntakeBatch, stored: Sequence[bool]) -> IntakeOutcome:
    planned = sum(len(row.deliveries) for row, new in zip(batch.rows, stored, strict=True) if new)
    return IntakeOutcome(sum(stored), len(stored) - sum(stored), planned)
