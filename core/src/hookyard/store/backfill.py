"""What shadow replay reads and writes: stored events with their deliveries, in batches
walked by primary key, and backfill deliveries added beside the ones intake made.

A replay reads the events that were stored when it started (the highest primary key then
bounds the walk), so events arriving meanwhile are neither compared nor backfilled.
"""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 (attrs fields, read at runtime by cattrs)
from typing import TYPE_CHECKING, Any

from attrs import frozen
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from hookyard._json import loads
from hookyard.store._gated import split
from hookyard.store._rows import EventRow, PlannedRow, conversation_key, delivery_params
from hookyard.store._schema import deliveries, events
from hookyard.store.clock import database_now
from hookyard.store.console import Filters, event_conditions
from hookyard.store.errors import translated
from hookyard.store.intake import insert_gated
from hookyard.store.notify import notify_due

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = [
    "BATCH",
    "Backfill",
    "Span",
    "StoredDelivery",
    "StoredEvent",
    "Window",
    "add_backfill",
    "event_batch",
    "span",
]

#: Events read (and their backfill deliveries written) per batch.
BATCH = 500


@frozen
class Window:
    """The stored events a replay takes: received at or after ``since`` and before
    ``until`` (None: no end), of ``source`` (None: every source)."""

    since: datetime
    until: datetime | None = None
    source: str | None = None


@frozen
class Span:
    """How many events a window holds, and the highest primary key among them (0: none)."""

    count: int
    last_pk: int


@frozen
class StoredDelivery:
    """One delivery intake (or a backfill) made, whatever its status since.

    :param gate: its route's gate when it was made (``dedup``, ``throttle``, ``group``),
        and the key that gate rendered, as stored (:func:`stored_event_id`).
    """

    id: int
    route: str
    sink: str
    action: str
    params: Any
    status: str
    last_error: str | None
    gate: str | None = None
    gate_key: str | None = None


@frozen
class StoredEvent:
    """A stored event as replay compares it: its JSON form and its deliveries (oldest first).

    :param id: the id the store keys it by (``events list`` shows it).
    :param dedup_id: the parser's id of an event stored under another id (a repeat in its
        dedup group, stored as ``<id>~n``); None or ``id`` otherwise.
    """

    pk: int
    id: str
    source: str
    vendor: str
    type: str
    received_at: datetime
    occurred_at: datetime | None
    body: dict[str, Any]
    dedup_id: str | None
    deliveries: tuple[StoredDelivery, ...]


@frozen
class Backfill:
    """One delivery to add to a stored event."""

    event: StoredEvent
    planned: PlannedRow


def _where(window: Window, dialect: str) -> list[ColumnElement[bool]]:
    picked = Filters(source=window.source, since=window.since, until=window.until)
    return [events.c.status == "stored", *event_conditions(picked, dialect)]


@translated
async def span(engine: AsyncEngine, window: Window) -> Span:
    """How many stored events ``window`` picks right now, and the last one's primary key."""
    query = select(func.count(), func.max(events.c.pk)).where(*_where(window, engine.dialect.name))
    async with engine.connect() as connection:
        count, last = (await connection.execute(query)).one()
    return Span(int(count), int(last or 0))


@translated
async def event_batch(
    engine: AsyncEngine, window: Window, after: int, through: int, limit: int = BATCH
) -> list[StoredEvent]:
    """The next ``limit`` events of ``window`` whose primary key is above ``after`` and at
    most ``through``, in primary key order, each with its deliveries."""
    query = (
        select(events)
        .where(*_where(window, engine.dialect.name), events.c.pk > after, events.c.pk <= through)
        .order_by(events.c.pk)
        .limit(limit)
    )
    async with engine.connect() as connection:
        rows = list(await connection.execute(query))
        if not rows:
            return []
        made = (
            select(deliveries)
            .where(deliveries.c.event_pk.in_([row.pk for row in rows]))
            .order_by(deliveries.c.id)
        )
        found: dict[int, list[StoredDelivery]] = {}
        for d in await connection.execute(made):
            found.setdefault(d.event_pk, []).append(_delivery(d))
    return [_event(row, tuple(found.get(row.pk, ()))) for row in rows]


def _delivery(row: Any) -> StoredDelivery:
    return StoredDelivery(
        row.id,
        row.route,
        row.sink,
        row.action,
        loads(row.params),
        row.status,
        row.last_error,
        row.gate,
        row.gate_key,
    )


def _event(row: Any, made: tuple[StoredDelivery, ...]) -> StoredEvent:
    return StoredEvent(
        pk=row.pk,
        id=row.event_id,
        source=row.source,
        vendor=row.vendor,
        type=row.type,
        received_at=row.received_at,
        occurred_at=row.occurred_at,
        body=loads(row.body or "{}"),
        dedup_id=row.dedup_id,
        deliveries=made,
    )


def _event_row(event: StoredEvent) -> EventRow:
    """``event`` as intake's row of it: what its deliveries' columns are made from."""
    chat, customer = event.body.get("chat") or {}, event.body.get("customer") or {}
    return EventRow(
        source=event.source,
        event_id=event.id,
        vendor=event.vendor,
        type=event.type,
        status="stored",
        received_at=event.received_at,
        occurred_at=event.occurred_at,
        conversation=conversation_key(event.source, chat.get("id"), customer.get("id")),
    )


@translated
async def add_backfill(engine: AsyncEngine, added: Sequence[Backfill]) -> int:
    """Insert ``added`` in one transaction, due now, each skipped when a delivery with its
    idempotency key exists; those of a gated route go through its gate as intake's do
    (store/_gated.py). Tells the workers. Returns how many were inserted."""
    if not added:
        return 0
    insert = (postgresql if engine.dialect.name == "postgresql" else sqlite).insert
    statement = (
        insert(deliveries)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(deliveries.c.id)
    )
    async with engine.begin() as connection:
        now = await database_now(connection)
        plain, gated = split(
            [
                (
                    delivery_params(each.event.pk, _event_row(each.event), each.planned, now),
                    each.planned,
                )
                for each in added
            ]
        )
        inserted = len(list(await connection.execute(statement, plain))) if plain else 0
        if gated:
            # The gate's inserts take no ON CONFLICT: those stored already are left out first.
            key = deliveries.c.idempotency_key
            keys = [values["idempotency_key"] for values, _ in gated]
            there = {row[0] for row in await connection.execute(select(key).where(key.in_(keys)))}
            gated = [(values, gate) for values, gate in gated if values[key.name] not in there]
            if gated:
                await insert_gated(connection, gated, now)
            inserted += len(gated)
        if inserted:
            await notify_due(connection)
    return inserted
