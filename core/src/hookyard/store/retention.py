"""Retention: removing finished work older than its age, a bounded batch per transaction.

Three kinds go, each under its own age (None keeps that kind forever):

- **dead** deliveries whose last attempt is older than ``dead``, with their attempts; an
  event left with no delivery at all goes with them;
- **delivered** events: stored events older than ``delivered`` whose every delivery was
  delivered before then (dead ones past ``dead`` aside), or that made no delivery, with
  those deliveries and their attempts;
- **unparsed** payloads kept longer than ``unparsed``.

An event with a pending or delivering delivery, or a dead one younger than ``dead``, is
never removed: each statement re-checks the rule on the rows it deletes, so a delivery
retried meanwhile keeps its event. Attempts go before deliveries before events (foreign
keys). No transaction removes more than :data:`BATCH` events or deliveries, so a large
purge never holds SQLite's write lock for long.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from attrs import evolve, frozen
from sqlalchemy import and_, delete, exists, false, func, not_, or_, select

from hookyard.store._schema import attempts, deliveries, events
from hookyard.store.errors import translated

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["BATCH", "Ages", "Purged", "Retention"]

#: Events (or dead deliveries, or unparsed payloads) removed per transaction.
BATCH = 1000


@frozen
class Ages:
    """How old (in seconds) each kind must be to go; None keeps it forever."""

    delivered: float | None = None
    dead: float | None = None
    unparsed: float | None = None


@frozen
class Purged:
    """What a purge removed (or, on a dry run, would remove)."""

    events: int = 0
    deliveries: int = 0
    attempts: int = 0
    dead: int = 0
    dead_attempts: int = 0
    dead_events: int = 0
    unparsed: int = 0

    @property
    def items(self) -> int:
        """Delivered events, dead deliveries and unparsed payloads: what progress counts."""
        return self.events + self.dead + self.unparsed

    def describe(self) -> str:
        """``1,204 delivered events (3,611 deliveries, 4,002 attempts), 12 dead deliveries
        (12 attempts, 3 events), 3 unparsed payloads``."""
        delivered = _many(self.events, "delivered event")
        theirs = f"{_many(self.deliveries, 'delivery', 'deliveries')}, "
        theirs += _many(self.attempts, "attempt")
        dead = _many(self.dead, "dead delivery", "dead deliveries")
        with_dead = f"{_many(self.dead_attempts, 'attempt')}, {_many(self.dead_events, 'event')}"
        unparsed = _many(self.unparsed, "unparsed payload")
        return f"{delivered} ({theirs}), {dead} ({with_dead}), {unparsed}"

    def __add__(self, other: Purged) -> Purged:
        return Purged(*(a + b for a, b in zip(_values(self), _values(other), strict=True)))

    def __bool__(self) -> bool:
        return any(_values(self))


def _many(count: int, one: str, several: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else several or one + 's'}"


def _values(purged: Purged) -> tuple[int, ...]:
    return (
        purged.events,
        purged.deliveries,
        purged.attempts,
        purged.dead,
        purged.dead_attempts,
        purged.dead_events,
        purged.unparsed,
    )


#: What one transaction removed, and the key the next one starts after (None: done).
_Batch = tuple[Purged, int | None]


@frozen
class _Rule:
    """The cutoffs of one purge, as SQL conditions on the tables."""

    now: datetime
    ages: Ages

    def _cutoff(self, age: float | None) -> datetime | None:
        return None if age is None else self.now - timedelta(seconds=age)

    @property
    def delivered_cutoff(self) -> datetime | None:
        return self._cutoff(self.ages.delivered)

    @property
    def unparsed_cutoff(self) -> datetime | None:
        return self._cutoff(self.ages.unparsed)

    def delivered_old(self) -> ColumnElement[bool]:
        cutoff = self.delivered_cutoff
        if cutoff is None:
            return false()
        return and_(deliveries.c.status == "delivered", deliveries.c.delivered_at < cutoff)

    def dead_old(self) -> ColumnElement[bool]:
        cutoff = self._cutoff(self.ages.dead)
        if cutoff is None:
            return false()
        return and_(deliveries.c.status == "dead", deliveries.c.updated_at < cutoff)

    def finished(self) -> ColumnElement[bool]:
        """A delivery that may go: delivered or dead long enough ago."""
        return or_(self.delivered_old(), self.dead_old())

    def delivered_event(self) -> ColumnElement[bool]:
        """A stored event old enough whose deliveries may all go, not all of them dead."""
        cutoff = self.delivered_cutoff
        assert cutoff is not None
        own = deliveries.c.event_pk == events.c.pk
        return and_(
            events.c.status == "stored",
            events.c.received_at < cutoff,
            ~exists().where(own, not_(self.finished())),
            or_(~exists().where(own), exists().where(own, self.delivered_old())),
        )

    def left_empty(self) -> ColumnElement[bool]:
        """A stored event without a delivery."""
        return and_(
            events.c.status == "stored", ~exists().where(deliveries.c.event_pk == events.c.pk)
        )


class Retention:
    """``store.retention``: removing what the retention ages let go."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @translated
    async def purge(
        self,
        ages: Ages,
        *,
        dry_run: bool = False,
        batch: int = BATCH,
        progress: Callable[[int], None] | None = None,
        now: datetime | None = None,
    ) -> Purged:
        """Remove what ``ages`` let go, or only count it (``dry_run``).

        :param progress: called after each transaction with the events, dead deliveries and
            unparsed payloads it removed.
        """
        rule = _Rule(now or datetime.now(UTC), ages)
        if dry_run:
            async with self._engine.connect() as connection:
                return await _count(connection, rule)
        report = progress or (lambda _n: None)
        purged = Purged()
        if ages.dead is not None:
            purged += await self._batches(rule, batch, report, _dead_batch)
        if ages.delivered is not None:
            purged += await self._batches(rule, batch, report, _delivered_batch)
        if ages.unparsed is not None:
            purged += await self._batches(rule, batch, report, _unparsed_batch)
        return purged

    async def _batches(
        self,
        rule: _Rule,
        size: int,
        report: Callable[[int], None],
        one: Callable[[AsyncConnection, _Rule, int, int], Awaitable[_Batch]],
    ) -> Purged:
        total, after = Purged(), 0
        while True:
            async with self._engine.begin() as connection:
                purged, last = await one(connection, rule, after, size)
            total += purged
            if purged.items:
                report(purged.items)
            if last is None:
                return total
            after = last


async def _candidates(
    connection: AsyncConnection, query: Select[Any], key: Any, after: int, size: int
) -> list[int]:
    """The next ``size`` keys past ``after``, locked on PostgreSQL (skipping any another
    purge holds)."""
    query = query.where(key > after).order_by(key).limit(size)
    rows = await connection.execute(query.with_for_update(skip_locked=True))
    return [row[0] for row in rows]


def _last(found: list[int], size: int) -> int | None:
    """Where the next batch starts, or None when this one was the last."""
    return found[-1] if len(found) == size else None


async def _removed(connection: AsyncConnection, statement: Any) -> int:
    return int((await connection.execute(statement)).rowcount)


async def _dead_batch(connection: AsyncConnection, rule: _Rule, after: int, size: int) -> _Batch:
    query = select(deliveries.c.id).where(rule.dead_old())
    ids = await _candidates(connection, query, deliveries.c.id, after, size)
    if not ids:
        return Purged(), None
    gone = select(deliveries.c.id).where(deliveries.c.id.in_(ids), rule.dead_old())
    owners = select(deliveries.c.event_pk).where(deliveries.c.id.in_(ids)).distinct()
    pks = [row[0] for row in await connection.execute(owners)]
    removed_attempts = await _removed(
        connection, delete(attempts).where(attempts.c.delivery_id.in_(gone.scalar_subquery()))
    )
    removed = await _removed(
        connection, delete(deliveries).where(deliveries.c.id.in_(ids), rule.dead_old())
    )
    emptied = await _removed(
        connection, delete(events).where(events.c.pk.in_(pks), rule.left_empty())
    )
    return Purged(dead=removed, dead_attempts=removed_attempts, dead_events=emptied), _last(
        ids, size
    )


async def _delivered_batch(
    connection: AsyncConnection, rule: _Rule, after: int, size: int
) -> _Batch:
    query = select(events.c.pk).where(rule.delivered_event())
    pks = await _candidates(connection, query, events.c.pk, after, size)
    if not pks:
        return Purged(), None
    own = deliveries.c.event_pk.in_(pks)
    if connection.dialect.name == "postgresql":  # a retry waits until this batch is done
        await connection.execute(select(deliveries.c.id).where(own).with_for_update())
    gone = select(deliveries.c.id).where(own, rule.finished())
    removed_attempts = await _removed(
        connection, delete(attempts).where(attempts.c.delivery_id.in_(gone.scalar_subquery()))
    )
    removed = await _removed(connection, delete(deliveries).where(own, rule.finished()))
    emptied = await _removed(
        connection, delete(events).where(events.c.pk.in_(pks), rule.left_empty())
    )
    return Purged(events=emptied, deliveries=removed, attempts=removed_attempts), _last(pks, size)


def _unparsed_old(rule: _Rule) -> ColumnElement[bool]:
    cutoff = rule.unparsed_cutoff
    assert cutoff is not None
    return and_(events.c.status == "unparsed", events.c.received_at < cutoff)


async def _unparsed_batch(
    connection: AsyncConnection, rule: _Rule, after: int, size: int
) -> _Batch:
    pks = await _candidates(
        connection, select(events.c.pk).where(_unparsed_old(rule)), events.c.pk, after, size
    )
    if not pks:
        return Purged(), None
    removed = await _removed(
        connection, delete(events).where(events.c.pk.in_(pks), _unparsed_old(rule))
    )
    return Purged(unparsed=removed), _last(pks, size)


async def _count(connection: AsyncConnection, rule: _Rule) -> Purged:
    """What :meth:`Retention.purge` would remove now, counted in one read."""

    async def number(query: Select[Any]) -> int:
        return int((await connection.execute(query)).scalar_one())

    counted = Purged()
    if rule.ages.dead is not None:
        dead = select(deliveries.c.id).where(rule.dead_old())
        own = deliveries.c.event_pk == events.c.pk
        counted = evolve(
            counted,
            dead=await number(select(func.count()).where(rule.dead_old())),
            dead_attempts=await number(
                select(func.count()).where(attempts.c.delivery_id.in_(dead.scalar_subquery()))
            ),
            dead_events=await number(
                select(func.count()).where(
                    events.c.status == "stored",
                    exists().where(own, rule.dead_old()),
                    ~exists().where(own, not_(rule.dead_old())),
                )
            ),
        )
    if rule.ages.delivered is not None:
        chosen = select(events.c.pk).where(rule.delivered_event()).scalar_subquery()
        theirs = select(deliveries.c.id).where(
            deliveries.c.event_pk.in_(chosen), rule.delivered_old()
        )
        counted = evolve(
            counted,
            events=await number(select(func.count()).where(rule.delivered_event())),
            deliveries=await number(
                select(func.count()).where(deliveries.c.id.in_(theirs.scalar_subquery()))
            ),
            attempts=await number(
                select(func.count()).where(attempts.c.delivery_id.in_(theirs.scalar_subquery()))
            ),
        )
    if rule.ages.unparsed is not None:
        counted = evolve(
            counted, unparsed=await number(select(func.count()).where(_unparsed_old(rule)))
        )
    return counted
