"""The event log: listing and showing events, and replacing a kept unparsed payload by its
events."""

from __future__ import annotations

import json
from datetime import datetime  # noqa: TC003 (attrs fields, read at runtime by cattrs)
from typing import TYPE_CHECKING, Any

from attrs import evolve, frozen
from sqlalchemy import delete, func, select, update

from hookyard._json import loads
from hookyard.store._delivery_rows import DeliveryRecord  # noqa: TC001 (an attrs field)
from hookyard.store._schema import events
from hookyard.store.console import Filters, event_conditions, list_deliveries
from hookyard.store.errors import translated
from hookyard.store.intake import insert_rows

if TYPE_CHECKING:
    import builtins
    from collections.abc import Sequence

    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncEngine

    from hookyard.store._rows import EventRow

__all__ = ["EventDetail", "EventRecord", "EventStore", "Replaced", "UnparsedPayload"]

STATUSES = ("stored", "unparsed")


@frozen
class EventRecord:
    """One row of the event log as ``hookyard events list`` shows it.

    :param id: the event's id (``unparsed:<hash>`` for an unparsed payload).
    :param error: why the payload is unparsed; None for a stored event.
    """

    id: str
    source: str
    vendor: str
    type: str
    status: str
    received_at: datetime
    occurred_at: datetime | None
    error: str | None


@frozen
class UnparsedPayload:
    """A kept payload, as it was received (credentials redacted) and why it failed."""

    pk: int
    id: str
    source: str
    vendor: str
    received_at: datetime
    payload: bytes
    headers: dict[str, str]
    error: str | None

    @property
    def text(self) -> str:
        """The payload as text (bytes that are not UTF-8 shown as replacement characters)."""
        return self.payload.decode("utf-8", errors="replace")


@frozen
class EventDetail:
    """One event as ``hookyard events show`` shows it.

    :param body: its JSON form; None for an unparsed payload.
    :param payload: the body as received, for an unparsed payload; a stored event keeps
        only its JSON form.
    """

    event: EventRecord
    body: dict[str, Any] | None
    payload: str | None
    deliveries: list[DeliveryRecord]


@frozen
class Replaced:
    """What replacing an unparsed payload stored: new events, duplicates, deliveries."""

    stored: int
    duplicates: int
    deliveries: int


def _record(row: Any) -> EventRecord:
    return EventRecord(
        row.event_id,
        row.source,
        row.vendor,
        row.type,
        row.status,
        row.received_at,
        row.occurred_at,
        row.error,
    )


def _payload(row: Any) -> UnparsedPayload:
    headers = json.loads(row.headers) if row.headers else {}
    return UnparsedPayload(
        row.pk,
        row.event_id,
        row.source,
        row.vendor,
        row.received_at,
        row.payload or b"",
        headers,
        row.error,
    )


def _unparsed_where(
    source: str | None, ids: Sequence[str] | None
) -> builtins.list[ColumnElement[bool]]:
    where = [events.c.status == "unparsed"]
    if source is not None:
        where.append(events.c.source == source)
    if ids is not None:
        where.append(events.c.event_id.in_(ids))
    return where


class EventStore:
    """``store.events``: the event log; calling it returns raw rows (tests, quick looks)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @translated
    async def __call__(
        self, status: str | None = None, limit: int = 100
    ) -> builtins.list[dict[str, Any]]:
        """Every column of the newest ``limit`` rows (of ``status``), newest first."""
        query = select(events).order_by(events.c.pk.desc()).limit(limit)
        if status is not None:
            query = query.where(events.c.status == status)
        async with self._engine.connect() as connection:
            return [dict(row._mapping) for row in await connection.execute(query)]

    @translated
    async def list(
        self,
        status: str | None = None,
        source: str | None = None,
        limit: int = 100,
        filters: Filters | None = None,
    ) -> builtins.list[EventRecord]:
        """Events and unparsed payloads, newest first (of ``status``, ``source``, ``filters``)."""
        filters = filters or Filters()
        if status is not None:
            filters = evolve(filters, status=status)
        if source is not None:
            filters = evolve(filters, source=source)
        where = event_conditions(filters, self._engine.dialect.name)
        if filters.status is not None:
            where.append(events.c.status == filters.status)
        query = select(events).where(*where).order_by(events.c.pk.desc()).limit(limit)
        async with self._engine.connect() as connection:
            return [_record(row) for row in await connection.execute(query)]

    @translated
    async def show(self, event_id: str, source: str | None = None) -> builtins.list[EventDetail]:
        """The events with ``event_id`` (one per source that has it, or of ``source``) in
        full: JSON form, payload as received (unparsed ones), deliveries."""
        query = select(events).where(events.c.event_id == event_id).order_by(events.c.pk)
        if source is not None:
            query = query.where(events.c.source == source)
        async with self._engine.connect() as connection:
            rows = list(await connection.execute(query))
        return [
            EventDetail(
                _record(row),
                None if row.body is None else loads(row.body),
                _payload(row).text if row.status == "unparsed" else None,
                await list_deliveries(self._engine, limit=None, event_pk=row.pk),
            )
            for row in rows
        ]

    @translated
    async def count_unparsed(
        self, source: str | None = None, ids: Sequence[str] | None = None
    ) -> int:
        query = select(func.count()).select_from(events).where(*_unparsed_where(source, ids))
        async with self._engine.connect() as connection:
            return int((await connection.execute(query)).scalar_one())

    @translated
    async def unparsed(
        self,
        source: str | None = None,
        ids: Sequence[str] | None = None,
        after: int = 0,
        limit: int = 100,
    ) -> builtins.list[UnparsedPayload]:
        """Unparsed payloads (of ``source``, with ``ids``) oldest first, from after pk ``after``."""
        query = (
            select(events)
            .where(*_unparsed_where(source, ids), events.c.pk > after)
            .order_by(events.c.pk)
            .limit(limit)
        )
        async with self._engine.connect() as connection:
            return [_payload(row) for row in await connection.execute(query)]

    @translated
    async def replace(self, payload: UnparsedPayload, rows: Sequence[EventRow]) -> Replaced | None:
        """Remove the unparsed ``payload`` and store ``rows`` with their deliveries, in one
        transaction; events already stored are duplicates and plan nothing.

        Returns None, storing nothing, when the payload is no longer unparsed (another
        reparse took it first): a payload's events are never stored twice.
        """
        taken = delete(events).where(events.c.pk == payload.pk, events.c.status == "unparsed")
        async with self._engine.begin() as connection:
            if (await connection.execute(taken)).rowcount != 1:
                await connection.rollback()
                return None
            flags = await insert_rows(connection, rows)
        planned = sum(
            len(row.deliveries) for row, stored in zip(rows, flags, strict=True) if stored
        )
        return Replaced(sum(flags), len(rows) - sum(flags), planned)

    @translated
    async def keep_failing(self, payload: UnparsedPayload, error: str) -> bool:
        """Record the latest parse ``error`` of ``payload``; False if it is no longer unparsed."""
        statement = (
            update(events)
            .where(events.c.pk == payload.pk, events.c.status == "unparsed")
            .values(error=error)
        )
        async with self._engine.begin() as connection:
            return bool((await connection.execute(statement)).rowcount == 1)
