"""Internal: the SQL of the retention rule (store/retention.py): each kind's conditions,
the statements of one batch of it, and the dry run's counts.

Each returns what it removed (or would) as counts named after
:class:`hookyard.store.retention.Purged`'s fields, which that module adds up.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, exists, false, func, not_, or_, select, tuple_

from hookyard.store._schema import attempts, conversation_links, deliveries, events

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.ext.asyncio import AsyncConnection

    from hookyard.store.retention import Ages

__all__ = [
    "Batch",
    "Counts",
    "Rule",
    "attempts_batch",
    "count",
    "dead_batch",
    "delivered_batch",
    "links_batch",
    "unparsed_batch",
]

#: Rows removed (or counted) of each kind, by :class:`~hookyard.store.retention.Purged` field.
Counts = dict[str, int]
#: What one transaction removed, and the key the next one starts after (None: done).
Batch = tuple[Counts, int | None]


class Rule:
    """The cutoffs of one purge, as SQL conditions on the tables."""

    def __init__(self, now: datetime, ages: Ages) -> None:
        self.now = now
        self.ages = ages

    def _cutoff(self, age: float | None) -> datetime | None:
        return None if age is None else self.now - timedelta(seconds=age)

    @property
    def delivered_cutoff(self) -> datetime | None:
        return self._cutoff(self.ages.delivered)

    @property
    def unparsed_cutoff(self) -> datetime | None:
        return self._cutoff(self.ages.unparsed)

    def old_link(self) -> ColumnElement[bool]:
        """A conversation link unchanged since the ``links`` cutoff whose sink has no
        delivery of its conversation still to make."""
        cutoff = self._cutoff(self.ages.links)
        if cutoff is None:
            return false()
        links = conversation_links.c
        waiting = exists().where(
            deliveries.c.sink == links.sink,
            deliveries.c.conversation == links.conversation,
            deliveries.c.status.in_(("pending", "delivering")),
        )
        return and_(links.updated_at < cutoff, ~waiting)

    def old_attempt(self) -> ColumnElement[bool]:
        """An attempt finished before the ``attempts`` cutoff that is not its delivery's
        latest: a later one (a higher id) of the same delivery exists."""
        cutoff = self._cutoff(self.ages.attempts)
        assert cutoff is not None
        later = attempts.alias("later")
        return and_(
            attempts.c.finished_at < cutoff,
            exists().where(
                later.c.delivery_id == attempts.c.delivery_id, later.c.id > attempts.c.id
            ),
        )

    def delivered_old(self) -> ColumnElement[bool]:
        """Delivered, or suppressed, before the cutoff; or ``grouped`` into a group that
        was (one whose head is gone, from its own creation on)."""
        cutoff = self.delivered_cutoff
        if cutoff is None:
            return false()
        c, head = deliveries.c, deliveries.alias("head")
        head_done = exists().where(
            head.c.id == c.group_id, head.c.status == "delivered", head.c.delivered_at < cutoff
        )
        head_gone = ~exists().where(head.c.id == c.group_id)
        return or_(
            and_(c.status.in_(("delivered", "suppressed")), c.delivered_at < cutoff),
            and_(c.status == "grouped", or_(head_done, and_(head_gone, c.created_at < cutoff))),
        )

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

    def going(self) -> ColumnElement[bool]:
        """A delivery the dead or delivered kind removes (what a dry run leaves out of the
        old attempts, which are trimmed after those kinds went)."""
        if self.delivered_cutoff is None:
            return self.dead_old()
        chosen = select(events.c.pk).where(self.delivered_event()).scalar_subquery()
        return or_(self.dead_old(), and_(deliveries.c.event_pk.in_(chosen), self.delivered_old()))

    def left_empty(self) -> ColumnElement[bool]:
        """A stored event without a delivery."""
        return and_(
            events.c.status == "stored", ~exists().where(deliveries.c.event_pk == events.c.pk)
        )


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


async def dead_batch(connection: AsyncConnection, rule: Rule, after: int, size: int) -> Batch:
    query = select(deliveries.c.id).where(rule.dead_old())
    ids = await _candidates(connection, query, deliveries.c.id, after, size)
    if not ids:
        return {}, None
    gone = select(deliveries.c.id).where(deliveries.c.id.in_(ids), rule.dead_old())
    owners = select(deliveries.c.event_pk).where(deliveries.c.id.in_(ids)).distinct()
    pks = [row[0] for row in await connection.execute(owners)]
    removed_attempts = await _removed(
        connection, delete(attempts).where(attempts.c.delivery_id.in_(gone.scalar_subquery()))
    )
    # The events that joined a dead group go with it (its only delivery, for most).
    members = deliveries.c.group_id.in_(gone.scalar_subquery())
    member_events = select(deliveries.c.event_pk).where(members).distinct()
    pks += [row[0] for row in await connection.execute(member_events)]
    await connection.execute(delete(deliveries).where(members, deliveries.c.status == "grouped"))
    removed = await _removed(
        connection, delete(deliveries).where(deliveries.c.id.in_(ids), rule.dead_old())
    )
    emptied = await _removed(
        connection, delete(events).where(events.c.pk.in_(pks), rule.left_empty())
    )
    counts = {"dead": removed, "dead_attempts": removed_attempts, "dead_events": emptied}
    return counts, _last(ids, size)


async def delivered_batch(connection: AsyncConnection, rule: Rule, after: int, size: int) -> Batch:
    query = select(events.c.pk).where(rule.delivered_event())
    pks = await _candidates(connection, query, events.c.pk, after, size)
    if not pks:
        return {}, None
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
    counts = {"events": emptied, "deliveries": removed, "attempts": removed_attempts}
    return counts, _last(pks, size)


def _unparsed_old(rule: Rule) -> ColumnElement[bool]:
    cutoff = rule.unparsed_cutoff
    assert cutoff is not None
    return and_(events.c.status == "unparsed", events.c.received_at < cutoff)


async def unparsed_batch(connection: AsyncConnection, rule: Rule, after: int, size: int) -> Batch:
    pks = await _candidates(
        connection, select(events.c.pk).where(_unparsed_old(rule)), events.c.pk, after, size
    )
    if not pks:
        return {}, None
    removed = await _removed(
        connection, delete(events).where(events.c.pk.in_(pks), _unparsed_old(rule))
    )
    return {"unparsed": removed}, _last(pks, size)


async def attempts_batch(connection: AsyncConnection, rule: Rule, after: int, size: int) -> Batch:
    query = select(attempts.c.id).where(rule.old_attempt())
    ids = await _candidates(connection, query, attempts.c.id, after, size)
    if not ids:
        return {}, None
    removed = await _removed(
        connection, delete(attempts).where(attempts.c.id.in_(ids), rule.old_attempt())
    )
    return {"old_attempts": removed}, _last(ids, size)


async def links_batch(connection: AsyncConnection, rule: Rule, after: int, size: int) -> Batch:
    """Up to ``size`` old conversation links; links have no ids, so the next batch starts
    over (what this one removed is gone)."""
    links = conversation_links.c
    chosen = select(links.sink, links.conversation).where(rule.old_link()).limit(size)
    pairs = [tuple(row) for row in await connection.execute(chosen)]
    if not pairs:
        return {}, None
    removed = await _removed(
        connection,
        delete(conversation_links).where(
            tuple_(links.sink, links.conversation).in_(pairs), rule.old_link()
        ),
    )
    return {"links": removed}, (after + 1 if len(pairs) == size else None)


async def count(connection: AsyncConnection, rule: Rule) -> Counts:
    """What the batches would remove now, counted in one read."""

    async def number(query: Select[Any]) -> int:
        return int((await connection.execute(query)).scalar_one())

    counted: Counts = {}
    if rule.ages.dead is not None:
        dead = select(deliveries.c.id).where(rule.dead_old())
        own = deliveries.c.event_pk == events.c.pk
        counted["dead"] = await number(select(func.count()).where(rule.dead_old()))
        counted["dead_attempts"] = await number(
            select(func.count()).where(attempts.c.delivery_id.in_(dead.scalar_subquery()))
        )
        counted["dead_events"] = await number(
            select(func.count()).where(
                events.c.status == "stored",
                exists().where(own, rule.dead_old()),
                ~exists().where(own, not_(rule.dead_old())),
            )
        )
    if rule.ages.delivered is not None:
        chosen = select(events.c.pk).where(rule.delivered_event()).scalar_subquery()
        theirs = select(deliveries.c.id).where(
            deliveries.c.event_pk.in_(chosen), rule.delivered_old()
        )
        counted["events"] = await number(select(func.count()).where(rule.delivered_event()))
        counted["deliveries"] = await number(
            select(func.count()).where(deliveries.c.id.in_(theirs.scalar_subquery()))
        )
        counted["attempts"] = await number(
            select(func.count()).where(attempts.c.delivery_id.in_(theirs.scalar_subquery()))
        )
    if rule.ages.unparsed is not None:
        counted["unparsed"] = await number(select(func.count()).where(_unparsed_old(rule)))
    if rule.ages.links is not None:
        counted["links"] = await number(select(func.count()).where(rule.old_link()))
    if rule.ages.attempts is not None:
        going = exists().where(deliveries.c.id == attempts.c.delivery_id, rule.going())
        counted["old_attempts"] = await number(
            select(func.count()).where(rule.old_attempt(), ~going)
        )
    return counted
