"""Internal: the store as a feed for ``hookyard tail`` — what arrived and what was attempted
after a point, read by id so that polling never misses or repeats a row."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from attrs import frozen
from sqlalchemy import func, select

from hookyard.store._schema import attempts, deliveries, events
from hookyard.store.errors import translated

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["Arrived", "Attempted", "Feed"]


@frozen
class Arrived:
    """A webhook kept: an event (``stored``) or a payload no plugin could parse."""

    pk: int
    at: datetime
    source: str
    type: str
    status: str
    event_id: str
    deliveries: int
    error: str | None


@frozen
class Attempted:
    """One attempt of one delivery, as recorded."""

    id: int
    at: datetime
    delivery_id: int
    number: int
    outcome: str
    route: str
    sink: str
    action: str
    status_code: int | None
    error: str | None
    source: str


class Feed:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @translated
    async def last(self, since: datetime | None = None) -> tuple[int, int]:
        """Where a feed starts: the last event and attempt ids (before ``since``, if given)."""
        event_ids = select(func.max(events.c.pk))
        attempt_ids = select(func.max(attempts.c.id))
        if since is not None:
            event_ids = event_ids.where(events.c.received_at < since)
            attempt_ids = attempt_ids.where(attempts.c.finished_at < since)
        async with self._engine.connect() as connection:
            event = await connection.scalar(event_ids)
            attempt = await connection.scalar(attempt_ids)
        return int(event or 0), int(attempt or 0)

    @translated
    async def arrived(self, after: int, limit: int = 500) -> list[Arrived]:
        """Events and unparsed payloads kept after the event ``after``, oldest first."""
        made = select(func.count()).where(deliveries.c.event_pk == events.c.pk).scalar_subquery()
        query = (
            select(
                events.c.pk,
                events.c.received_at.label("at"),
                events.c.source,
                events.c.type,
                events.c.status,
                events.c.event_id,
                made.label("deliveries"),
                events.c.error,
            )
            .where(events.c.pk > after)
            .order_by(events.c.pk)
            .limit(limit)
        )
        async with self._engine.connect() as connection:
            return [Arrived(**row._mapping) for row in await connection.execute(query)]

    @translated
    async def attempted(self, after: int, limit: int = 500) -> list[Attempted]:
        """Attempts recorded after the attempt ``after``, oldest first."""
        query = (
            select(
                attempts.c.id,
                attempts.c.finished_at.label("at"),
                attempts.c.delivery_id,
                attempts.c.number,
                attempts.c.outcome,
                deliveries.c.route,
                deliveries.c.sink,
                deliveries.c.action,
                attempts.c.status_code,
                attempts.c.error,
                events.c.source,
            )
            .join(deliveries, deliveries.c.id == attempts.c.delivery_id)
            .join(events, events.c.pk == deliveries.c.event_pk)
            .where(attempts.c.id > after)
            .order_by(attempts.c.id)
            .limit(limit)
        )
        async with self._engine.connect() as connection:
            return [Attempted(**row._mapping) for row in await connection.execute(query)]
