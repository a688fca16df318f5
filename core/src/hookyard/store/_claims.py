"""The claim: which due deliveries a worker takes, in order per conversation, through the
indexes that keep it from reading delivered rows (store/deliveries.py claims with these)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, func, or_, select, update

from hookyard._json import loads
from hookyard.store._schema import conversation_links, deliveries, events

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = [
    "CLAIMED_COLUMNS",
    "claim_ids",
    "claim_update",
    "claimed_query",
    "gathered",
    "group_events",
    "group_query",
    "later",
    "lost_or_due",
    "next_of_its_conversation",
]


def later(now: datetime, seconds: float) -> datetime:
    return now + timedelta(seconds=seconds)


#: What a claim reads of each delivery it took (to_claimed), besides its event's body.
CLAIMED_COLUMNS = tuple(
    deliveries.c[name]
    for name in (
        "id",
        "route",
        "sink",
        "action",
        "params",
        "idempotency_key",
        "attempts",
        "attempts_base",
        "conversation",
        "gate",
        "group_id",
    )
)


async def claim_ids(
    connection: AsyncConnection, where: Any, limit: int, worker: str, now: datetime, lease: float
) -> list[int]:
    """Claim up to ``limit`` deliveries matching ``where`` whose lease ran out, then due
    ones, oldest first; their ids. Each kind is read through an index of its own (on the
    sink, the status and the due time), never by scanning delivered rows."""
    lost = and_(lost_or_due(True, now), where)
    taken = await _claim_where(connection, lost, limit, worker, now, lease)
    if len(taken) < limit:
        more = limit - len(taken)
        due = and_(lost_or_due(False, now), where)
        taken += await _claim_where(connection, due, more, worker, now, lease)
    return taken


async def _claim_where(
    connection: AsyncConnection, where: Any, limit: int, worker: str, now: datetime, lease: float
) -> list[int]:
    claim = claim_update(where, limit, worker, now, later(now, lease))
    return [row.id for row in await connection.execute(claim)]


def claim_update(where: Any, limit: Any, worker: Any, now: Any, until: Any) -> Any:
    """Take up to ``limit`` deliveries matching ``where``, oldest due first, for ``worker``
    under a lease until ``until``; returns their ids. Each argument is a value or a bound
    parameter (store/_sqlite_queue.py compiles it once)."""
    candidates = (
        select(deliveries.c.id)
        .where(where)
        .order_by(deliveries.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (
        update(deliveries)
        .where(deliveries.c.id.in_(candidates.scalar_subquery()))
        .values(
            status="delivering",
            lease_owner=worker,
            lease_expires_at=until,
            attempts=deliveries.c.attempts + 1,
            updated_at=now,
        )
        .returning(deliveries.c.id)
    )


def lost_or_due(lost: bool, now: Any) -> Any:
    """Delivering under a lease that ran out (``lost``), else pending and due at ``now``."""
    c = deliveries.c
    if lost:
        return and_(c.status == "delivering", c.lease_expires_at < now)
    return and_(c.status == "pending", c.next_attempt_at <= now)


def next_of_its_conversation(dead_holds: bool, now: Any) -> Any:
    """A delivery no other one of its sink and conversation holds back: none is being
    delivered under a live lease, and none that is earlier (by when its event occurred,
    then by id) is still to be delivered: pending, or delivering under a lease that ran out
    (it is taken again first), or dead when ``dead_holds``; a group still waiting for its
    events does not hold the others. A delivery without a
    conversation is never held. Both tests read the index on (sink, conversation, status,
    occurred_at): the earlier test as a range up to the delivery's own time."""
    mine, other = deliveries.c, deliveries.alias("other").c
    same = and_(other.sink == mine.sink, other.conversation == mine.conversation)
    being_delivered = exists().where(
        same, other.status == "delivering", other.lease_expires_at >= now, other.id != mine.id
    )
    holding = ("pending", "delivering", "dead") if dead_holds else ("pending", "delivering")
    # A group still gathering its events (not due yet) holds nothing back: the deliveries
    # after it would otherwise wait out its whole wait.
    gathering = and_(other.gate == "group", other.attempts == 0, other.next_attempt_at > now)
    earlier = exists().where(
        same,
        other.status.in_(holding),
        other.occurred_at <= mine.occurred_at,
        or_(other.occurred_at < mine.occurred_at, other.id < mine.id),
        ~gathering,
    )
    return or_(mine.conversation.is_(None), and_(~being_delivered, ~earlier))


def claimed_query(ids: Any) -> Any:
    """What a claim hands on of the deliveries ``ids`` (a list, or a query of ids): the
    columns of :data:`CLAIMED_COLUMNS`, the event's body and the conversation's link."""
    links = conversation_links.c
    return (
        select(*CLAIMED_COLUMNS, events.c.body, links.link)
        .join(events, events.c.pk == deliveries.c.event_pk)
        .outerjoin(
            conversation_links,
            and_(links.sink == deliveries.c.sink, links.conversation == deliveries.c.conversation),
        )
        .where(deliveries.c.id.in_(ids))
        .order_by(deliveries.c.next_attempt_at)
    )


def group_query(heads: Any) -> Any:
    """Every event of each group whose head is in ``heads`` (a list, or a query of ids):
    the head's, then those that joined it (``grouped``), in the order they occurred."""
    c = deliveries.c
    head = func.coalesce(c.group_id, c.id)
    return (
        select(head, events.c.body)
        .join(events, events.c.pk == c.event_pk)
        .where(or_(c.id.in_(heads), and_(c.group_id.in_(heads), c.status == "grouped")))
        .order_by(head, c.occurred_at, c.id)
    )


def gathered(rows: Iterable[Any]) -> dict[int, tuple[dict[str, Any], ...]]:
    """:func:`group_query`'s rows as each head's events."""
    found: dict[int, list[dict[str, Any]]] = {}
    for owner, body in rows:
        found.setdefault(owner, []).append(loads(body))
    return {owner: tuple(bodies) for owner, bodies in found.items()}


async def group_events(
    connection: AsyncConnection, heads: Sequence[int]
) -> dict[int, tuple[dict[str, Any], ...]]:
    """:func:`group_query` for ``heads``, read."""
    if not heads:
        return {}
    return gathered(await connection.execute(group_query(heads)))
