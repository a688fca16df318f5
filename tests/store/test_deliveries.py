"""The delivery queue: claims under a lease, outcomes, release, listing and retrying."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from alembic import command
from alembic.script import ScriptDirectory

from hookyard.store import Store
from hookyard.store.deliveries import Outcome
from hookyard.store.engine import MIGRATIONS, _alembic_config, current_revision, upgrade

from ._support import batch, event_json, event_row

if TYPE_CHECKING:
    from hookyard.store.deliveries import ClaimedDelivery

LEASE = 30.0
#: No delivery is held back by a route's gate in these tests.
NONE_HELD = {"suppressed": 0, "grouped": 0}


async def _fill(store: Store, count: int) -> None:
    await store.intake.write(batch(*(event_row(f"e{n}") for n in range(count))))


async def _claim_one(store: Store, worker: str = "w1", lease: float = LEASE) -> ClaimedDelivery:
    claimed = await store.deliveries.claim(worker, 1, lease)
    assert len(claimed) == 1
    return claimed[0]


def _retry_in(seconds: float, **details: Any) -> Outcome:
    return Outcome("retry", datetime.now(UTC), retry_in=seconds, **details)


def _dead() -> Outcome:
    return Outcome("dead", datetime.now(UTC), error="HTTP 404 from ops", status_code=404)


async def test_a_claim_returns_due_deliveries_with_their_event(store: Store) -> None:
    await store.intake.write(batch(event_row("e1", ["a", "b"])))

    claimed = await store.deliveries.claim("w1", 10, LEASE)

    assert sorted(c.route for c in claimed) == ["a", "b"]
    assert all(c.event == event_json("e1") for c in claimed)
    assert all((c.attempt, c.budget_attempt) == (1, 1) for c in claimed)
    assert all(c.sink == "ops" and c.action == "post" for c in claimed)
    assert {c.route: c.params for c in claimed} == {"a": {"n": 0}, "b": {"n": 1}}
    assert {c.idempotency_key for c in claimed} == {"lc/e1/a", "lc/e1/b"}
    assert await store.deliveries.claim("w2", 10, LEASE) == []
    assert (await store.deliveries.counts())["delivering"] == 2


async def test_a_delivery_is_not_claimed_before_it_is_due(store: Store) -> None:
    await _fill(store, 2)
    later = await _claim_one(store)
    assert await store.deliveries.record("w1", later, _retry_in(3600))

    claimed = await store.deliveries.claim("w1", 10, LEASE)

    assert [c.id for c in claimed] != [later.id]
    assert len(claimed) == 1
    assert await store.deliveries.claim("w1", 10, LEASE) == []
    assert (await store.deliveries.counts())["pending"] == 1


async def _drain(deliveries: Store, worker: str, taken: list[int]) -> None:
    while claimed := await deliveries.deliveries.claim(worker, 3, LEASE):
        assert len(claimed) <= 3
        taken.extend(c.id for c in claimed)
        await asyncio.sleep(0)


async def test_concurrent_claimers_never_get_the_same_delivery(
    store: Store, database_url: str
) -> None:
    await _fill(store, 60)
    other = Store(database_url)  # its own engine: separate connections, as another replica
    try:
        taken: dict[str, list[int]] = {f"w{n}": [] for n in range(4)}
        stores = [store, other, store, other]
        await asyncio.gather(*(_drain(s, w, taken[w]) for s, w in zip(stores, taken, strict=True)))
    finally:
        await other.close()

    everything = [i for ids in taken.values() for i in ids]
    assert len(everything) == 60
    assert len(set(everything)) == 60
    assert sum(1 for ids in taken.values() if ids) >= 2  # they really competed


async def test_an_expired_lease_is_claimed_by_another_worker(store: Store) -> None:
    await _fill(store, 1)
    first = await _claim_one(store, "w1", lease=0.2)
    assert await store.deliveries.claim("w2", 1, LEASE) == []

    await asyncio.sleep(0.3)
    second = await _claim_one(store, "w2")

    assert second.id == first.id
    assert (second.attempt, second.budget_attempt) == (2, 2)  # the lost attempt counts
    delivered = Outcome("delivered", datetime.now(UTC), response="HTTP 200")
    assert await store.deliveries.record("w1", first, delivered) is False
    assert await store.deliveries.record("w2", second, delivered) is True
    rows = await store.deliveries.attempts_of(first.id)
    assert [(a["number"], a["worker"]) for a in rows] == [(2, "w2")]
    assert (await store.deliveries.list(ids=[first.id]))[0].status == "delivered"


async def test_release_records_the_attempt_and_makes_claims_due_again(store: Store) -> None:
    await _fill(store, 2)
    claimed = await store.deliveries.claim("w1", 2, LEASE)

    assert await store.deliveries.release("w2", [c.id for c in claimed]) == 0
    assert await store.deliveries.release("w1", [c.id for c in claimed]) == 2

    records = await store.deliveries.list()
    assert [(r.status, r.attempts) for r in records] == [("pending", 1), ("pending", 1)]
    for delivery in claimed:
        (row,) = await store.deliveries.attempts_of(delivery.id)
        assert (row["number"], row["worker"], row["outcome"]) == (1, "w1", "released")
        assert (
            row["error"]
            == "the worker stopped before the sink answered; released for another worker"
        )
        assert row["started_at"] <= row["finished_at"]
    again = await store.deliveries.claim("w2", 10, LEASE)
    assert sorted(c.id for c in again) == sorted(c.id for c in claimed)
    assert all((c.attempt, c.budget_attempt) == (2, 1) for c in again)  # numbered on, not counted


async def _kill(store: Store, count: int) -> list[int]:
    claimed = await store.deliveries.claim("w1", count, LEASE)
    for delivery in claimed:
        assert await store.deliveries.record("w1", delivery, _dead())
    return sorted(c.id for c in claimed)


async def test_retry_revives_named_dead_deliveries(store: Store) -> None:
    await _fill(store, 3)
    dead = await _kill(store, 3)

    assert await store.deliveries.retry([dead[0], 9999]) == [dead[0]]

    revived = (await store.deliveries.list(ids=[dead[0]]))[0]
    assert (revived.status, revived.attempts) == ("pending", 1)
    assert sorted(r.id for r in await store.deliveries.list(status="dead")) == dead[1:]
    again = await _claim_one(store, "w2")
    assert (again.id, again.attempt, again.budget_attempt) == (dead[0], 2, 1)
    assert await store.deliveries.retry([again.id]) == []  # not dead: left alone
    assert await store.deliveries.record("w2", again, _dead())
    assert await store.deliveries.retry([again.id]) == [again.id]
    third = await _claim_one(store, "w1")
    assert (third.id, third.attempt, third.budget_attempt) == (dead[0], 3, 1)
    rows = await store.deliveries.attempts_of(dead[0])
    assert [(r["number"], r["worker"], r["outcome"]) for r in rows] == [
        (1, "w1", "dead"),
        (2, "w2", "dead"),
    ]


async def test_retry_all_revives_every_dead_delivery(store: Store) -> None:
    await _fill(store, 4)
    dead = await _kill(store, 3)

    assert await store.deliveries.retry(None) == dead

    counts = await store.deliveries.counts()
    assert counts == {"pending": 4, "delivering": 0, "delivered": 0, "dead": 0, **NONE_HELD}
    assert sorted(r.attempts for r in await store.deliveries.list()) == [0, 1, 1, 1]
    again = await store.deliveries.claim("w2", 10, LEASE)
    assert sorted((c.attempt, c.budget_attempt) for c in again) == [(1, 1), (2, 1), (2, 1), (2, 1)]


async def test_list_filters_by_status_and_counts_every_status(store: Store) -> None:
    await _fill(store, 4)
    dead = await _kill(store, 1)
    delivering = await _claim_one(store)

    listed = await store.deliveries.list(status="dead")

    assert [r.id for r in listed] == dead
    assert listed[0].last_status_code == 404
    assert listed[0].last_error == "HTTP 404 from ops"
    assert (listed[0].source, listed[0].event_type) == ("lc", "chat.started")
    assert [r.id for r in await store.deliveries.list(status="delivering")] == [delivering.id]
    assert len(await store.deliveries.list(limit=2)) == 2
    counts = await store.deliveries.counts()
    assert counts == {"pending": 2, "delivering": 1, "delivered": 0, "dead": 1, **NONE_HELD}


async def test_attempts_of_records_every_attempt(store: Store) -> None:
    await _fill(store, 1)
    first = await _claim_one(store)
    failed = _retry_in(0, error="HTTP 429", status_code=429, retry_after=1.5, response="slow")
    assert await store.deliveries.record("w1", first, failed)
    second = await _claim_one(store, "w2")
    timed_out = _retry_in(0, error="timed out after 1s")
    assert await store.deliveries.record("w2", second, timed_out)
    third = await _claim_one(store, "w1")
    delivered = Outcome("delivered", datetime.now(UTC), response="HTTP 200")
    assert await store.deliveries.record("w1", third, delivered)

    rows = await store.deliveries.attempts_of(first.id)

    assert [r["number"] for r in rows] == [1, 2, 3]
    assert [r["worker"] for r in rows] == ["w1", "w2", "w1"]
    assert [r["outcome"] for r in rows] == ["retry", "retry", "delivered"]
    assert [r["status_code"] for r in rows] == [429, None, None]
    assert [r["retry_after"] for r in rows] == [1.5, None, None]
    assert rows[1]["error"] == "timed out after 1s"
    assert all(r["started_at"] <= r["finished_at"] for r in rows)
    record = (await store.deliveries.list(ids=[first.id]))[0]
    assert (record.status, record.attempts, record.last_response) == ("delivered", 3, "HTTP 200")
    assert record.delivered_at is not None


async def _downgrade(store: Store, revision: str) -> None:
    async with store.engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(_alembic_config(sync), revision))


async def test_deliveries_stored_before_revision_0002_number_on_after_it(store: Store) -> None:
    await _fill(store, 2)
    dead = await _kill(store, 1)
    await _downgrade(store, "0001")
    assert await current_revision(store.engine) == "0001"

    await upgrade(store.engine)

    assert (
        await current_revision(store.engine) == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    )
    assert await store.deliveries.retry(None) == dead
    claimed = await store.deliveries.claim("w2", 10, LEASE)
    numbers = {c.id: (c.attempt, c.budget_attempt) for c in claimed}
    assert numbers[dead[0]] == (2, 1)
    assert sorted(numbers.values()) == [(1, 1), (2, 1)]
