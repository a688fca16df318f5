"""Retention: old finished work goes in batches; nothing still owed to a sink ever does."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from hookyard.host import Host, setup_from_text
from hookyard.store.deliveries import Outcome
from hookyard.store.intake import EventRow
from hookyard.store.retention import Ages, Purged

from ._support import batch, event_row

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hookyard.store import Store

    from ._support import BlockingReader

DAY = 24 * 3600.0
#: Ten days from now: everything the tests record now is ten days old then.
LATER = datetime.now(UTC) + timedelta(days=10)


def unparsed_row(event_id: str, received_at: datetime | None = None) -> EventRow:
    return EventRow(
        source="lc",
        event_id=event_id,
        vendor="livechat",
        type="unknown",
        status="unparsed",
        received_at=received_at or datetime.now(UTC),
        payload=b"{}",
        headers="{}",
        error="KeyError: 'chat'",
    )


async def finish(store: Store, results: Mapping[tuple[str, str], str]) -> None:
    """Claim every due delivery and record ``results[(event id, route)]`` for each named one
    (``delivered`` or ``dead``); the others stay claimed (delivering)."""
    for delivery in await store.deliveries.claim("w1", 10_000, 60.0):
        result = results.get((delivery.event["id"], delivery.route))
        if result is not None:
            assert await store.deliveries.record("w1", delivery, Outcome(result, LATER))


def left(reader: BlockingReader) -> list[str]:
    return [row[0] for row in reader.rows("SELECT event_id FROM events ORDER BY event_id")]


async def test_old_delivered_events_go_with_their_deliveries_and_attempts(
    store: Store, reader: BlockingReader
) -> None:
    rows = [event_row("done", ("a", "b")), event_row("half", ("a", "b")), event_row("open")]
    await store.intake.write(batch(*rows, event_row("unrouted", ())))
    done = {("done", "a"): "delivered", ("done", "b"): "delivered"}
    await finish(store, {**done, ("half", "a"): "delivered"})

    purged = await store.retention.purge(Ages(delivered=DAY), now=LATER)

    assert purged == Purged(events=2, deliveries=2, attempts=2)
    assert left(reader) == ["half", "open"]
    assert (reader.count("deliveries"), reader.count("attempts")) == (3, 1)


async def test_young_delivered_events_are_kept(store: Store, reader: BlockingReader) -> None:
    await store.intake.write(batch(event_row("done")))
    await finish(store, {("done", "to-ops"): "delivered"})

    assert not await store.retention.purge(Ages(delivered=30 * DAY), now=LATER)
    assert not await store.retention.purge(Ages(delivered=DAY))  # now: a second old
    assert left(reader) == ["done"]
    assert reader.count("attempts") == 1


async def test_dead_deliveries_are_kept_until_dead_and_hold_their_event(
    store: Store, reader: BlockingReader
) -> None:
    rows = [event_row("dead-only"), event_row("mixed", ("a", "b"))]
    await store.intake.write(batch(*rows))
    results = {("dead-only", "to-ops"): "dead", ("mixed", "a"): "delivered"}
    await finish(store, {**results, ("mixed", "b"): "dead"})

    young = Ages(delivered=DAY, dead=30 * DAY)
    assert not await store.retention.purge(young, now=LATER)
    assert left(reader) == ["dead-only", "mixed"]

    # Dead past its age: the dead deliveries go, and the events with nothing else kept.
    purged = await store.retention.purge(Ages(dead=DAY), now=LATER)
    assert purged == Purged(dead=2, dead_attempts=2, dead_events=1)
    assert left(reader) == ["mixed"]
    assert reader.rows("SELECT status FROM deliveries") == [("delivered",)]

    purged = await store.retention.purge(Ages(delivered=DAY, dead=DAY), now=LATER)
    assert purged == Purged(events=1, deliveries=1, attempts=1)
    assert reader.count("events") == 0


async def test_unparsed_payloads_go_after_unparsed_only(
    store: Store, reader: BlockingReader
) -> None:
    old = datetime.now(UTC) - timedelta(days=3)
    rows = [unparsed_row("unparsed:old", old), unparsed_row("unparsed:new"), event_row("e0")]
    await store.intake.write(batch(*rows))

    assert not await store.retention.purge(Ages(delivered=DAY, dead=DAY))
    purged = await store.retention.purge(Ages(unparsed=DAY))

    assert purged == Purged(unparsed=1)
    assert left(reader) == ["e0", "unparsed:new"]


async def test_a_dry_run_counts_what_a_purge_removes_and_removes_nothing(
    store: Store, reader: BlockingReader
) -> None:
    rows = [event_row("done", ("a", "b")), event_row("dead"), event_row("mixed", ("a", "b"))]
    await store.intake.write(batch(*rows, event_row("open"), unparsed_row("unparsed:x")))
    await finish(
        store,
        {
            ("done", "a"): "delivered",
            ("done", "b"): "delivered",
            ("dead", "to-ops"): "dead",
            ("mixed", "a"): "delivered",
            ("mixed", "b"): "dead",
        },
    )
    ages = Ages(delivered=DAY, dead=DAY, unparsed=DAY)

    counted = await store.retention.purge(ages, dry_run=True, now=LATER)

    assert reader.count("events") == 5
    assert reader.count("attempts") == 5
    purged = await store.retention.purge(ages, now=LATER)
    assert purged == counted
    assert purged == Purged(
        events=2,
        deliveries=3,
        attempts=3,
        dead=2,
        dead_attempts=2,
        dead_events=1,
        unparsed=1,
    )
    assert left(reader) == ["open"]


async def test_a_purge_larger_than_a_batch_takes_several_transactions(
    store: Store, reader: BlockingReader
) -> None:
    ids = [f"e{n:02}" for n in range(25)]
    await store.intake.write(batch(*(event_row(i) for i in ids), event_row("open")))
    await finish(store, {(i, "to-ops"): "delivered" for i in ids})
    reported: list[int] = []

    purged = await store.retention.purge(
        Ages(delivered=DAY), batch=10, progress=reported.append, now=LATER
    )

    assert purged == Purged(events=25, deliveries=25, attempts=25)
    assert reported == [10, 10, 5]
    assert left(reader) == ["open"]


async def test_a_host_with_workers_purges_every_interval(
    database_url: str, reader: BlockingReader
) -> None:
    setup = setup_from_text(
        f"database: {database_url}\nretention: {{unparsed: 1d, interval: 0.1s}}\n"
    )
    host = Host(setup)
    await host.start(intake=True, workers=True)
    try:
        old = datetime.now(UTC) - timedelta(days=3)
        for name in ("unparsed:first", "unparsed:second"):
            await host.store.intake.write(batch(unparsed_row(name, old)))
            async with asyncio.timeout(10):
                while reader.count("events"):
                    await asyncio.sleep(0.05)
    finally:
        await host.stop()


async def test_a_host_without_retention_or_workers_purges_nothing(
    database_url: str, reader: BlockingReader
) -> None:
    old = datetime.now(UTC) - timedelta(days=3)
    for text in ("", "retention: {unparsed: 1d, interval: 0.1s}\n"):
        host = Host(setup_from_text(f"database: {database_url}\n{text}"))
        await host.start(intake=True, workers=not text)
        try:
            await host.store.intake.write(batch(unparsed_row(f"unparsed:{len(text)}", old)))
            await asyncio.sleep(0.3)
        finally:
            await host.stop()
    assert reader.count("events") == 2
