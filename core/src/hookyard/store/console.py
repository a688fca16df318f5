"""What the operator's console reads and does: deliveries and events picked by filters,
one delivery in full with its attempts, and replays.

Lists walk the primary key newest first and stop at their limit; ``status``, ``sink`` and
``source`` are served by indexes, the other filters are checked on the rows walked.
"""

from __future__ import annotations

from datetime import datetime  # noqa: TC003 (attrs fields, read at runtime by cattrs)
from typing import TYPE_CHECKING, Any

from attrs import field, frozen
from sqlalchemy import and_, cast, func, select, update
from sqlalchemy.dialects import postgresql

from hookyard._json import loads
from hookyard.store._delivery_rows import DeliveryRecord, to_record
from hookyard.store._schema import attempts, deliveries, events
from hookyard.store.clock import database_now
from hookyard.store.notify import notify_due

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy import ColumnElement, Select
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = [
    "REPLAY_BATCH",
    "AttemptRecord",
    "DeliveryDetail",
    "Filters",
    "Replayed",
    "delivery_ids",
    "event_conditions",
    "list_deliveries",
    "replay",
    "show_delivery",
]

#: Deliveries replayed per transaction.
REPLAY_BATCH = 500
#: The states a replay leaves as they are: being delivered, or delivered by a group's head.
LEFT = ("delivering", "grouped")


@frozen
class Filters:
    """What ``events list`` and ``deliveries list`` pick; None picks everything.

    :param chat: the event's ``chat.id``, as the vendor sent it.
    :param status: the event's status for events, the delivery's for deliveries.
    :param since: events received (deliveries made) at or after this time.
    :param until: … before this time.
    :param sink: deliveries only, like ``route``.
    """

    source: str | None = None
    type: str | None = None
    chat: str | None = None
    status: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    sink: str | None = None
    route: str | None = None


@frozen
class AttemptRecord:
    """One attempt as ``deliveries show`` shows it.

    :param response: what the target answered (an excerpt); an attempt recorded before
        attempts kept it has none, but the delivery's latest answered one shows the
        delivery's ``last_response``.
    :param error: why the attempt failed; None when it delivered.
    :param latency_ms: from the attempt's start to its end.
    """

    number: int
    outcome: str
    started_at: datetime
    finished_at: datetime
    latency_ms: int
    status_code: int | None
    response: str | None
    error: str | None
    worker: str
    retry_after: float | None


@frozen
class DeliveryDetail:
    """One delivery in full: its record, rendered params, event (JSON form), attempts, and
    why it exists.

    :param why: what routing said when it made the delivery: the route and the conditions
        that matched; None for a delivery made before deliveries kept it.
    :param gate: the route's gate the delivery went through: ``dedup`` or ``throttle``
        (a ``suppressed`` delivery is one they held back), or ``group``.
    :param gate_key: the key the gate rendered for the event.
    :param group_id: a ``grouped`` delivery's group head: the delivery attempted once for
        every event of the group.
    :param head_status: that head's status now (None when it is gone).
    :param members: a group head's: the deliveries of the other events of its group,
        oldest first.
    """

    delivery: DeliveryRecord
    params: dict[str, Any]
    event: dict[str, Any]
    attempts: list[AttemptRecord]
    why: str | None = None
    gate: str | None = None
    gate_key: str | None = None
    group_id: int | None = None
    head_status: str | None = None
    members: list[DeliveryRecord] = field(factory=list)


@frozen
class Replayed:
    """What a replay of named deliveries did: ``replayed`` are pending again; ``in_flight``
    were being delivered, and ``grouped`` (each with its group's head) are delivered by
    that head: both were left; the others named do not exist."""

    replayed: list[int]
    in_flight: list[int]
    grouped: dict[int, int] = field(factory=dict)


def _chat_id(dialect: str) -> ColumnElement[Any]:
    """The event's ``chat.id`` as text, read from its JSON form."""
    if dialect == "postgresql":
        found: ColumnElement[Any] = cast(events.c.body, postgresql.JSON)[("chat", "id")].astext
        return found
    return func.json_extract(events.c.body, "$.chat.id")


def event_conditions(filters: Filters, dialect: str) -> list[ColumnElement[bool]]:
    """The conditions on ``events`` of ``filters`` (times: when the event was received)."""
    where: list[ColumnElement[bool]] = []
    if filters.source is not None:
        where.append(events.c.source == filters.source)
    if filters.type is not None:
        where.append(events.c.type == filters.type)
    if filters.chat is not None:
        where.append(_chat_id(dialect) == filters.chat)
    if filters.since is not None:
        where.append(events.c.received_at >= filters.since)
    if filters.until is not None:
        where.append(events.c.received_at < filters.until)
    return where


def _delivery_conditions(filters: Filters, dialect: str) -> list[ColumnElement[bool]]:
    """The conditions of ``filters`` on deliveries joined to their events (times: when
    the delivery was made)."""
    by_event = Filters(filters.source, filters.type, filters.chat)
    where = event_conditions(by_event, dialect)
    if filters.status is not None:
        where.append(deliveries.c.status == filters.status)
    if filters.sink is not None:
        where.append(deliveries.c.sink == filters.sink)
    if filters.route is not None:
        where.append(deliveries.c.route == filters.route)
    if filters.since is not None:
        where.append(deliveries.c.created_at >= filters.since)
    if filters.until is not None:
        where.append(deliveries.c.created_at < filters.until)
    return where


def _records() -> Select[Any]:
    return select(deliveries, events.c.event_id, events.c.type, events.c.source).join(
        events, events.c.pk == deliveries.c.event_pk
    )


async def list_deliveries(
    engine: AsyncEngine,
    filters: Filters | None = None,
    limit: int | None = 100,
    ids: Sequence[int] | None = None,
    event_pk: int | None = None,
) -> list[DeliveryRecord]:
    """Deliveries newest first (of one event's, with ``event_pk``); ``limit=None``: all."""
    query = _records().order_by(deliveries.c.id.desc()).limit(limit)
    if filters is not None:
        query = query.where(*_delivery_conditions(filters, engine.dialect.name))
    if ids is not None:
        query = query.where(deliveries.c.id.in_(ids))
    if event_pk is not None:
        query = query.where(deliveries.c.event_pk == event_pk)
    async with engine.connect() as connection:
        return [to_record(row) for row in await connection.execute(query)]


async def delivery_ids(engine: AsyncEngine, filters: Filters) -> list[int]:
    """The ids of every delivery ``filters`` pick, oldest first."""
    query = (
        select(deliveries.c.id)
        .join(events, events.c.pk == deliveries.c.event_pk)
        .where(*_delivery_conditions(filters, engine.dialect.name))
        .order_by(deliveries.c.id)
    )
    async with engine.connect() as connection:
        return list((await connection.execute(query)).scalars())


async def show_delivery(engine: AsyncEngine, delivery_id: int) -> DeliveryDetail | None:
    """One delivery with its params, event, every attempt, and why it exists (its group's
    head or members); None if it does not exist."""
    query = _records().add_columns(events.c.body).where(deliveries.c.id == delivery_id)
    tried = select(attempts).where(attempts.c.delivery_id == delivery_id).order_by(attempts.c.id)
    async with engine.connect() as connection:
        row = (await connection.execute(query)).first()
        if row is None:
            return None
        rows = list(await connection.execute(tried))
        members, head_status = await _group(connection, delivery_id, row.group_id)
    answered = [r.id for r in rows if r.outcome != "released"]
    last = answered[-1] if answered else None
    shown = [_attempt(r, row.last_response if r.id == last else None) for r in rows]
    return DeliveryDetail(
        to_record(row),
        loads(row.params),
        loads(row.body or "{}"),
        shown,
        why=row.why,
        gate=row.gate,
        gate_key=row.gate_key,
        group_id=row.group_id,
        head_status=head_status,
        members=members,
    )


async def _group(
    connection: AsyncConnection, delivery_id: int, group_id: int | None
) -> tuple[list[DeliveryRecord], str | None]:
    """The deliveries grouped into ``delivery_id``, and the status of the head ``group_id``
    names (None when it names none but this delivery)."""
    joined = (
        _records()
        .where(deliveries.c.group_id == delivery_id, deliveries.c.id != delivery_id)
        .order_by(deliveries.c.id)
    )
    members = [to_record(row) for row in await connection.execute(joined)]
    if group_id is None or group_id == delivery_id:
        return members, None
    head = select(deliveries.c.status).where(deliveries.c.id == group_id)
    return members, await connection.scalar(head)


def _attempt(row: Any, last_response: str | None) -> AttemptRecord:
    latency = (row.finished_at - row.started_at).total_seconds() * 1000
    return AttemptRecord(
        number=row.number,
        outcome=row.outcome,
        started_at=row.started_at,
        finished_at=row.finished_at,
        latency_ms=max(0, round(latency)),
        status_code=row.status_code,
        response=last_response if row.response is None else row.response,
        error=row.error,
        worker=row.worker,
        retry_after=row.retry_after,
    )


async def replay(engine: AsyncEngine, ids: Sequence[int]) -> Replayed:
    """Make ``ids`` pending and due now with a fresh attempt budget, delivered, dead and
    suppressed ones included; their attempts are kept and the next is numbered on, with
    the same idempotency key. One being delivered now is left as it is, and so is a
    grouped one (its group's head delivers its event: replay that)."""
    async with engine.begin() as connection:
        suppressed = and_(deliveries.c.id.in_(ids), deliveries.c.status == "suppressed")
        said = "\nreplayed (hookyard deliveries replay): made after all"
        await connection.execute(
            update(deliveries)
            .where(suppressed)
            .values(why=func.coalesce(deliveries.c.why, "") + said, delivered_at=None)
        )
        where = [deliveries.c.id.in_(ids), deliveries.c.status.not_in(LEFT)]
        replayed = await due_again(connection, where)
        left = select(deliveries.c.id, deliveries.c.status, deliveries.c.group_id).where(
            deliveries.c.id.in_(ids), deliveries.c.status.in_(LEFT)
        )
        found = sorted(tuple(row) for row in await connection.execute(left))
    in_flight = [delivery for delivery, status, _ in found if status == "delivering"]
    grouped = {delivery: head for delivery, status, head in found if status == "grouped"}
    return Replayed(replayed, in_flight, grouped)


async def due_again(connection: AsyncConnection, where: Sequence[Any]) -> list[int]:
    """Make the deliveries ``where`` says pending and due now with a fresh attempt budget
    (their attempts kept, the next numbered on, the same idempotency key); their ids, and
    the workers told. ``deliveries retry`` and ``deliveries replay`` both come here."""
    now = await database_now(connection)
    result = await connection.execute(
        update(deliveries)
        .where(*where)
        .values(
            status="pending",
            attempts_base=deliveries.c.attempts,
            next_attempt_at=now,
            updated_at=now,
        )
        .returning(deliveries.c.id)
    )
    made = sorted(row.id for row in result)
    if made:
        await notify_due(connection)
    return made
