"""Deliveries after intake: claiming under a lease, recording outcomes, listing, retrying
and replaying (the console's queries are in store/console.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import evolve
from sqlalchemy import (
    and_,
    case,
    func,
    literal,
    select,
    type_coerce,
    update,
)

from hookyard.store._claims import (
    claim_ids,
    claimed_query,
    group_events,
    later,
    next_of_its_conversation,
)
from hookyard.store._delivery_rows import (
    RECORD,
    ClaimedDelivery,
    DeliveryRecord,
    Outcome,
    SinkFeedback,
    SinkOverview,
    SinkRoom,
    attempt_row,
    outcome_row,
    owned_update,
    to_claimed,
)
from hookyard.store._schema import (
    UTCDateTime,
    attempts,
    deliveries,
)
from hookyard.store._sqlite_queue import plain, sqlite_queue
from hookyard.store.clock import database_now
from hookyard.store.console import (
    DeliveryDetail,
    Filters,
    Replayed,
    delivery_ids,
    due_again,
    list_deliveries,
    show_delivery,
)
from hookyard.store.console import replay as replay_deliveries
from hookyard.store.engine import BUSY_TIMEOUT
from hookyard.store.errors import translated
from hookyard.store.links import merge_links
from hookyard.store.notify import notify_due
from hookyard.store.sinks import (
    apply_feedback,
    give_back_probe,
    rate_room,
    read_states,
    record_starts,
    resume,
    take_probe,
)

if TYPE_CHECKING:
    import builtins
    from collections.abc import Sequence
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = [
    "ClaimedDelivery",
    "DeliveryRecord",
    "DeliveryStore",
    "Outcome",
    "SinkFeedback",
    "SinkOverview",
    "SinkRoom",
]

STATUSES = ("pending", "delivering", "delivered", "dead", "suppressed", "grouped")
RELEASED = "the worker stopped before the sink answered; released for another worker"


async def _apply_all_feedback(
    connection: AsyncConnection,
    feedback: Sequence[tuple[str, SinkFeedback | None]],
    now: datetime,
) -> None:
    """Each attempt's feedback in order; a success right after another success of the same
    sink changes nothing, so it is not written again."""
    last: dict[str, SinkFeedback] = {}
    for sink, given in feedback:
        if given is None:
            continue
        before = last.get(sink)
        last[sink] = given
        if before is not None and given == before and not given.failed:
            continue
        await apply_feedback(connection, sink, given, now)


class DeliveryStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        #: SQLite claims and outcomes skip SQLAlchemy's asyncio layer (see :mod:`._sqlite_queue`).
        self._sqlite = sqlite_queue(engine, BUSY_TIMEOUT)
        #: After a claim: per sink whose ``rate_limit`` window (over every process) was
        #: full, seconds until a slot frees; the worker claims again then.
        self.rate_windows_free_in: dict[str, float] = {}

    @translated
    async def claim(
        self,
        worker: str,
        limit: int,
        lease: float,
        sinks: Sequence[SinkRoom] | None = None,
    ) -> list[ClaimedDelivery]:
        """Take up to ``limit`` due deliveries (or ones whose lease ran out) for ``worker``.

        :param sinks: each sink's room and rules (:class:`SinkRoom`), in the order to
            serve them; only their deliveries are taken (those of a sink no longer
            configured wait). Without it, every sink shares ``limit``.

        A paused sink, or one whose breaker is open, gives none; a sink whose breaker's
        cooldown ended gives one, its probe, and is half-open until that is recorded.
        A sink's ``rate_limit`` counts the attempts every process started.
        """
        self.rate_windows_free_in.clear()
        rated = any(room.rate is not None for room in sinks or ())
        if self._sqlite is not None and not rated:
            found = await self._sqlite.claim(worker, limit, lease, sinks)
            if found is not None:
                return found
        async with self._engine.begin() as connection:
            now = await database_now(connection)
            states = await read_states(connection)
            held = {name for name, state in states.items() if state.blocked(now)}
            probing = {name for name, state in states.items() if state.probe_due(now)}
            given = {room.sink: room for room in sinks or ()}
            ids: list[int] = []
            for room in given.values():
                if room.sink in held:
                    continue
                wanted = min(room.room, limit - len(ids))
                if room.sink in probing:
                    wanted = min(1, wanted)  # a probe is one delivery
                if wanted > 0 and room.rate is not None:
                    allowed, frees_in = await rate_room(connection, room.sink, room.rate)
                    wanted = min(wanted, allowed)
                    if frees_in is not None:
                        self.rate_windows_free_in[room.sink] = frees_in
                if wanted <= 0:
                    continue
                if room.sink in probing and not await take_probe(connection, room.sink, now, lease):
                    continue
                where = deliveries.c.sink == room.sink
                if room.ordered:
                    where = and_(where, next_of_its_conversation(room.dead_holds, now))
                taken = await claim_ids(connection, where, wanted, worker, now, lease)
                if room.sink in probing and not taken:
                    await give_back_probe(connection, states[room.sink])
                if taken and room.rate is not None:
                    await record_starts(connection, room.sink, len(taken))
                ids += taken
            others = deliveries.c.sink.not_in(given.keys() | held | probing)
            if limit > len(ids) and sinks is None:
                ids += await claim_ids(connection, others, limit - len(ids), worker, now, lease)
            if not ids:
                return []
            rows = await connection.execute(claimed_query(ids))
            claimed = list(rows)
            heads = [r.id for r in claimed if r.gate == "group" and r.group_id is None]
            groups = await group_events(connection, heads)
            return [to_claimed(row, groups.get(row.id, ())) for row in claimed]

    @translated
    async def renew(self, worker: str, ids: Sequence[int], lease: float) -> None:
        if not ids:
            return
        async with self._engine.begin() as connection:
            now = await database_now(connection)
            await connection.execute(
                update(deliveries)
                .where(deliveries.c.id.in_(ids), deliveries.c.lease_owner == worker)
                .where(deliveries.c.status == "delivering")
                .values(lease_expires_at=later(now, lease))
            )

    @translated
    async def record(
        self,
        worker: str,
        delivery: ClaimedDelivery,
        outcome: Outcome,
        feedback: SinkFeedback | None = None,
    ) -> bool:
        """:meth:`record_many` for one attempt."""
        (recorded,) = await self.record_many(worker, [(delivery, outcome, feedback)])
        return recorded

    @translated
    async def record_many(
        self,
        worker: str,
        finished: Sequence[tuple[ClaimedDelivery, Outcome, SinkFeedback | None]],
    ) -> builtins.list[bool]:
        """Store attempts' outcomes, what they say about their sinks (pauses and breakers,
        in the order given) and the links they keep for their conversations, in one
        transaction.

        Returns, for each, whether it was recorded: False where ``worker`` lost the
        delivery's lease to another worker (that attempt is not recorded).
        """
        if not finished:
            return []
        if self._sqlite is not None and all(plain(f, o, d.conversation) for d, o, f in finished):
            return await self._sqlite.record(worker, finished)
        async with self._engine.begin() as connection:
            now = await database_now(connection)
            ids = [d.id for d, _, _ in finished]
            owned = set((await connection.execute(owned_update(ids, worker, now))).scalars())
            kept = [
                (d, o, f, None if o.retry_in is None else later(now, o.retry_in))
                for d, o, f in finished
                if d.id in owned
            ]
            if kept:
                outcomes = [outcome_row(d, o, at, now) for d, o, _, at in kept]
                await connection.execute(RECORD, outcomes)
                tried = [attempt_row(worker, d, o, at) for d, o, _, at in kept]
                await connection.execute(attempts.insert(), tried)
                await _apply_all_feedback(connection, [(d.sink, f) for d, _, f, _ in kept], now)
                changes = [
                    (d.sink, d.conversation, o.link)
                    for d, o, _, _ in kept
                    if o.link and d.conversation is not None
                ]
                await merge_links(connection, changes, now)
        return [d.id in owned for d, _, _ in finished]

    async def close(self) -> None:
        """End the SQLite queue's thread and close its connection, if it has one."""
        if self._sqlite is not None:
            await self._sqlite.close()

    @translated
    async def sinks(self, names: Sequence[str]) -> builtins.list[SinkOverview]:
        """How each of ``names`` stands: state, deliveries queued, the oldest due one."""
        async with self._engine.connect() as connection:
            now = await database_now(connection)
        queued = deliveries.c.status.in_(("pending", "delivering"))
        due = and_(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= now)
        query = (
            select(
                deliveries.c.sink,
                func.count(),
                type_coerce(func.min(case((due, deliveries.c.next_attempt_at))), UTCDateTime()),
            )
            .where(queued, deliveries.c.sink.in_(names))
            .group_by(deliveries.c.sink)
        )
        async with self._engine.connect() as connection:
            states = await read_states(connection)
            found = {
                sink: (count, oldest) for sink, count, oldest in await connection.execute(query)
            }
        overview = []
        for name in names:
            state = states.get(name)
            shown, until = state.shown(now) if state else ("active", None)
            count, oldest = found.get(name, (0, None))
            reason = state.pause_reason if state and shown == "paused" else None
            failures = state.failures if state else 0
            overview.append(SinkOverview(name, shown, until, reason, failures, int(count), oldest))
        return overview

    @translated
    async def resume_sink(self, name: str) -> SinkOverview | None:
        """Clear a sink's pause and close its breaker; how it stood before, or None if active."""
        async with self._engine.begin() as connection:
            now = await database_now(connection)
            before = await resume(connection, name, now)
        if before is None:
            return None
        shown, until = before.shown(now)
        return SinkOverview(name, shown, until, before.pause_reason, before.failures, 0, None)

    @translated
    async def release(self, worker: str, ids: Sequence[int]) -> int:
        """Give claims back unfinished (graceful stop): they are due again at once.

        Each released attempt is recorded with the outcome ``released`` and does not count
        against the delivery's attempt budget.
        """
        if not ids:
            return 0
        held = and_(deliveries.c.id.in_(ids), deliveries.c.lease_owner == worker)
        async with self._engine.begin() as connection:
            now = await database_now(connection)
            await connection.execute(_released_rows(worker, held, now))
            result = await connection.execute(
                update(deliveries)
                .where(held)
                .values(
                    status="pending",
                    lease_owner=None,
                    lease_expires_at=None,
                    attempts_base=deliveries.c.attempts_base + 1,
                    next_attempt_at=now,
                    updated_at=now,
                )
            )
            await notify_due(connection)
            return int(result.rowcount)

    @translated
    async def list(
        self,
        status: str | None = None,
        limit: int | None = 100,
        ids: Sequence[int] | None = None,
        filters: Filters | None = None,
    ) -> builtins.list[DeliveryRecord]:
        """Deliveries newest first (of ``status``, ``ids``, ``filters``); ``limit=None``: all."""
        if status is not None:
            filters = evolve(filters or Filters(), status=status)
        return await list_deliveries(self._engine, filters, limit, ids)

    @translated
    async def show(self, delivery_id: int) -> DeliveryDetail | None:
        """One delivery in full (``hookyard deliveries show``); None if it does not exist."""
        return await show_delivery(self._engine, delivery_id)

    @translated
    async def matching(self, filters: Filters) -> builtins.list[int]:
        """The ids of every delivery ``filters`` pick, oldest first."""
        return await delivery_ids(self._engine, filters)

    @translated
    async def replay(self, ids: Sequence[int]) -> Replayed:
        """Make deliveries in any state but ``delivering`` due now, with a fresh attempt
        budget and the same idempotency key (``hookyard deliveries replay``)."""
        return await replay_deliveries(self._engine, ids)

    @translated
    async def counts(self) -> dict[str, int]:
        query = select(deliveries.c.status, func.count()).group_by(deliveries.c.status)
        async with self._engine.connect() as connection:
            found = {status: count for status, count in await connection.execute(query)}
        return {status: int(found.get(status, 0)) for status in STATUSES}

    @translated
    async def retry(self, ids: Sequence[int] | None = None) -> builtins.list[int]:
        """Make dead deliveries due now with a fresh attempt budget; returns their ids.

        Their attempts so far are kept, and the next one is numbered on from them.
        ``ids=None`` retries every dead delivery.
        """
        where = [deliveries.c.status == "dead"]
        if ids is not None:
            where.append(deliveries.c.id.in_(ids))
        async with self._engine.begin() as connection:
            return await due_again(connection, where)

    @translated
    async def attempts_of(self, delivery_id: int) -> builtins.list[dict[str, Any]]:
        query = select(attempts).where(attempts.c.delivery_id == delivery_id)
        async with self._engine.connect() as connection:
            rows = await connection.execute(query.order_by(attempts.c.id))
            return [dict(row._mapping) for row in rows]


def _released_rows(worker: str, held: Any, now: datetime) -> Any:
    """Attempt rows for the claims ``held`` by ``worker``, which it gives back unfinished.

    A claim stamps ``updated_at``, so that is when the released attempt started.
    """
    columns = ["delivery_id", "number", "worker", "started_at", "finished_at", "outcome", "error"]
    released = select(
        deliveries.c.id,
        deliveries.c.attempts,
        literal(worker),
        deliveries.c.updated_at,
        literal(now, attempts.c.finished_at.type),
        literal("released"),
        literal(RELEASED),
    ).where(held, deliveries.c.status == "delivering")
    return attempts.insert().from_select(columns, released)
