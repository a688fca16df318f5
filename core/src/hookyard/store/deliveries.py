"""Deliveries after intake: claiming under a lease, recording outcomes, listing, retrying."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, literal, or_, select, update

from hookyard.store._delivery_rows import (
    ClaimedDelivery,
    DeliveryRecord,
    Outcome,
    attempt_row,
    to_claimed,
    to_record,
)
from hookyard.store._schema import attempts, deliveries, events
from hookyard.store.errors import translated

if TYPE_CHECKING:
    import builtins
    from collections.abc import Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine

__all__ = ["ClaimedDelivery", "DeliveryRecord", "DeliveryStore", "Outcome"]

STATUSES = ("pending", "delivering", "delivered", "dead")
RELEASED = "the worker stopped before the sink answered; released for another worker"


def _now() -> datetime:
    return datetime.now(UTC)


class DeliveryStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @translated
    async def claim(self, worker: str, limit: int, lease: float) -> list[ClaimedDelivery]:
        """Take up to ``limit`` due deliveries (or ones whose lease ran out) for ``worker``."""
        now = _now()
        due = or_(
            and_(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= now),
            and_(deliveries.c.status == "delivering", deliveries.c.lease_expires_at < now),
        )
        candidates = (
            select(deliveries.c.id)
            .where(due)
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
                lease_expires_at=now + timedelta(seconds=lease),
                attempts=deliveries.c.attempts + 1,
                updated_at=now,
            )
            .returning(deliveries.c.id)
        )
        async with self._engine.begin() as connection:
            ids = [row.id for row in await connection.execute(claim)]
            if not ids:
                return []
            rows = await connection.execute(
                select(deliveries, events.c.body)
                .join(events, events.c.pk == deliveries.c.event_pk)
                .where(deliveries.c.id.in_(ids))
                .order_by(deliveries.c.next_attempt_at)
            )
            return [to_claimed(row) for row in rows]

    @translated
    async def renew(self, worker: str, ids: Sequence[int], lease: float) -> None:
        if not ids:
            return
        async with self._engine.begin() as connection:
            await connection.execute(
                update(deliveries)
                .where(deliveries.c.id.in_(ids), deliveries.c.lease_owner == worker)
                .where(deliveries.c.status == "delivering")
                .values(lease_expires_at=_now() + timedelta(seconds=lease))
            )

    @translated
    async def record(self, worker: str, delivery: ClaimedDelivery, outcome: Outcome) -> bool:
        """Store an attempt's outcome; False if the lease was lost to another worker."""
        now = _now()
        values: dict[str, Any] = {
            "status": {"retry": "pending"}.get(outcome.result, outcome.result),
            "lease_owner": None,
            "lease_expires_at": None,
            "updated_at": now,
            "last_error": outcome.error,
            "last_status_code": outcome.status_code,
            "last_response": outcome.response,
        }
        if outcome.result == "retry":
            values["next_attempt_at"] = outcome.next_attempt_at
        if outcome.result == "delivered":
            values["delivered_at"] = now
        async with self._engine.begin() as connection:
            result = await connection.execute(
                update(deliveries)
                .where(deliveries.c.id == delivery.id, deliveries.c.lease_owner == worker)
                .values(**values)
            )
            if result.rowcount != 1:
                return False
            await connection.execute(attempts.insert(), attempt_row(worker, delivery, outcome))
        return True

    @translated
    async def release(self, worker: str, ids: Sequence[int]) -> int:
        """Give claims back unfinished (graceful stop): they are due again at once.

        Each released attempt is recorded with the outcome ``released`` and does not count
        against the delivery's attempt budget.
        """
        if not ids:
            return 0
        now = _now()
        held = and_(deliveries.c.id.in_(ids), deliveries.c.lease_owner == worker)
        async with self._engine.begin() as connection:
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
            return int(result.rowcount)

    @translated
    async def list(
        self, status: str | None = None, limit: int = 100, ids: Sequence[int] | None = None
    ) -> list[DeliveryRecord]:
        query = (
            select(deliveries, events.c.event_id, events.c.type, events.c.source)
            .join(events, events.c.pk == deliveries.c.event_pk)
            .order_by(deliveries.c.id.desc())
            .limit(limit)
        )
        if status is not None:
            query = query.where(deliveries.c.status == status)
        if ids is not None:
            query = query.where(deliveries.c.id.in_(ids))
        async with self._engine.connect() as connection:
            return [to_record(row) for row in await connection.execute(query)]

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
            result = await connection.execute(
                update(deliveries)
                .where(*where)
                .values(
                    status="pending",
                    attempts_base=deliveries.c.attempts,
                    next_attempt_at=_now(),
                    updated_at=_now(),
                )
                .returning(deliveries.c.id)
            )
            return sorted(row.id for row in result)

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
