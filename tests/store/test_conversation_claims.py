"""Claims in order per conversation when a lease runs out: a delivery whose worker died is
taken again in its place in the conversation, and never strands the ones around it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from hookyard.store.deliveries import Outcome, SinkRoom

from ._support import batch, event_row

if TYPE_CHECKING:
    from hookyard.store import Store

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
ORDERED = [SinkRoom("ops", 10, ordered=True)]


async def _queue(store: Store, event_id: str, second: int) -> None:
    row = event_row(event_id, conversation="chat-1", occurred_at=START + timedelta(seconds=second))
    await store.intake.write(batch(row))


async def _claim(store: Store, worker: str, lease: float = 30.0) -> list[str]:
    claimed = await store.deliveries.claim(worker, 10, lease, ORDERED)
    return [str(d.event["id"]) for d in claimed]


async def _deliver_all(store: Store, worker: str) -> list[str]:
    """Claim and deliver until nothing is due; the event ids in the order they went."""
    went: list[str] = []
    while claimed := await store.deliveries.claim(worker, 10, 30.0, ORDERED):
        for delivery in claimed:
            outcome = Outcome("delivered", datetime.now(UTC))
            assert await store.deliveries.record(worker, delivery, outcome)
            went.append(str(delivery.event["id"]))
    return went


async def test_an_earlier_event_goes_first_when_the_later_ones_worker_died(store: Store) -> None:
    await _queue(store, "late", 2)
    assert await _claim(store, "dead-worker", lease=0.3) == ["late"]
    await _queue(store, "early", 1)  # arrives while "late" is in flight
    await _queue(store, "latest", 3)
    assert await _claim(store, "w2") == []  # "late" is still being delivered
    await asyncio.sleep(0.5)  # its worker died: the lease runs out

    went = await _deliver_all(store, "w2")

    assert went == ["early", "late", "latest"]


async def test_a_lost_delivery_is_taken_again_before_the_later_ones(store: Store) -> None:
    await _queue(store, "first", 1)
    await _queue(store, "second", 2)
    assert await _claim(store, "dead-worker", lease=0.3) == ["first"]
    await asyncio.sleep(0.5)

    went = await _deliver_all(store, "w2")

    assert went == ["first", "second"]
