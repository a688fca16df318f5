"""The claim: which due deliveries a worker takes, in order per conversation, through the
indexes that keep it from reading delivered rows (store/deliveries.py claims with these)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, exists, func, or_, select, update

from hookyard._json import loads
from hookyard.store._schema import deliveries, events

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["CLAIMED_COLUMNS", "claim_ids", "group_events", "later", "next_of_its_conversation"]


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
    c = deliveries.c
    lost = and_(c.status == "delivering", c.lease_expires_at < now)
    due = and_(c.status == "pending", c.next_attempt_at <= now)
    taken = await _claim_where(connection, and_(lost, where), limit, worker, now, lease)
    if len(taken) < limit:
        more = limit - len(taken)
        taken += await _claim_where(connection, and_(due, where), more, worker, now, lease)
    return taken


async def _claim_where(
    connection: AsyncConnection, where: Any, limit: int, worker: str, now: datetime, lease: float
) -> list[int]:
    candidates = (
        select(deliveries.c.id)
        .where(where)
        .order_by(deliveries.c.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claim = (
        update(deliveries)
        .where(deliveries.c.id.in_(candidates.scalar_subquery()))
        .values(
            status="delivering",
            lease_owner=worker,
            lease_expires_at=later(now, lease),
            attempts=deliveries.c.attempts + 1,
            updated_at=now,
        )
        .returning(deliveries.c.id)
    )
    return [row.id for row in await connection.execute(claim)]


def next_of_its_conversation(dead_holds: bool, now: datetime) -> Any:
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


async def group_events(
    connection: AsyncConnection, heads: Sequence[int]
) -> dict[int, tuple[dict[str, Any], ...]]:
    """Every event of each group whose head is in ``heads``: the head's, then those that
    joined it (``grouped``), in the order they occurred."""
    if not heads:
        return {}
    c = deliveries.c
    head = func.coalesce(c.group_id, c.id)
    rows = await connection.execute(
        select(head, events.c.body)
        .join(events, events.c.pk == c.event_pk)
        .where(or_(c.id.in_(heads), and_(c.group_id.in_(heads), c.status == "grouped")))
        .order_by(head, c.occurred_at, c.id)
    )
    found: dict[int, list[dict[str, Any]]] = {}
    for owner, body in rows:
        found.setdefault(owner, []).append(loads(body))
    return {owner: tuple(bodies) for owner, bodies in found.items()}
