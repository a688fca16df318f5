"""Retention: old finished work goes in batches; nothing still owed to a sink ever does."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from hookyard.config import ConfigError
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


#: One attempt's result in :func:`tries`: tried again at once, in an hour, or finished.
OUTCOMES = {
    "retry": lambda: Outcome("retry", datetime.now(UTC), error="503", retry_in=0),
    "retry later": lambda: Outcome("retry", datetime.now(UTC), error="503", retry_in=3600),
    "delivered": lambda: Outcome("delivered", datetime.now(UTC)),
    "dead": lambda: Outcome("dead", datetime.now(UTC), error="410"),
}


async def tries(store: Store, results: Mapping[str, str]) -> None:
    """One attempt of each due delivery, recorded as ``results[its event id]``
    (:data:`OUTCOMES`); ``results`` names every event with a delivery due."""
    claimed = await store.deliveries.claim("w1", 10_000, 60.0)
    assert sorted(d.event["id"] for d in claimed) == sorted(results)
    for delivery in claimed:
        outcome = OUTCOMES[results[delivery.event["id"]]]()
        assert await store.deliveries.record("w1", delivery, outcome)


def attempts_left(reader: BlockingReader) -> dict[str, list[tuple[int, str]]]:
    """Each event's attempts (number, outcome), in order."""
    found: dict[str, list[tuple[int, str]]] = {}
    query = (
        "SELECT e.event_id, a.number, a.outcome FROM attempts a"
        " JOIN deliveries d ON d.id = a.delivery_id JOIN events e ON e.pk = d.event_pk"
        " ORDER BY a.id"
    )
    for event_id, number, outcome in reader.rows(query):
        found.setdefault(event_id, []).append((number, outcome))
    return found


def delivery_rows(reader: BlockingReader) -> list[tuple[object, ...]]:
    return reader.rows(
        "SELECT id, status, attempts, last_error, updated_at, delivered_at FROM deliveries"
        " ORDER BY id"
    )


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


async def test_old_attempts_go_but_each_deliverys_latest_stays(
    store: Store, reader: BlockingReader
) -> None:
    rows = [event_row("retried"), event_row("waiting"), event_row("once"), event_row("gave-up")]
    await store.intake.write(batch(*rows))
    await tries(
        store, {"retried": "retry", "waiting": "retry", "once": "delivered", "gave-up": "dead"}
    )
    await tries(store, {"retried": "retry", "waiting": "retry later"})
    await tries(store, {"retried": "delivered"})
    before = delivery_rows(reader)

    purged = await store.retention.purge(Ages(attempts=DAY), now=LATER)

    assert purged == Purged(old_attempts=3)
    assert purged.describe().endswith(", 0 unparsed payloads, 3 old attempts, 0 conversation links")
    # What each delivery's last try came to stays; the deliveries and events stay whole.
    assert attempts_left(reader) == {
        "retried": [(3, "delivered")],
        "waiting": [(2, "retry")],
        "once": [(1, "delivered")],
        "gave-up": [(1, "dead")],
    }
    assert delivery_rows(reader) == before
    assert left(reader) == ["gave-up", "once", "retried", "waiting"]
    assert not await store.retention.purge(Ages(attempts=DAY), now=LATER)


async def test_attempts_younger_than_their_age_are_kept(
    store: Store, reader: BlockingReader
) -> None:
    await store.intake.write(batch(event_row("flaky")))
    await tries(store, {"flaky": "retry"})
    await asyncio.sleep(0.01)
    between = datetime.now(UTC)
    await asyncio.sleep(0.01)
    await tries(store, {"flaky": "retry"})
    await tries(store, {"flaky": "retry later"})

    # A day after the first attempt and before the second: only the first is old.
    purged = await store.retention.purge(Ages(attempts=DAY), now=between + timedelta(days=1))
    assert purged == Purged(old_attempts=1)
    assert attempts_left(reader) == {"flaky": [(2, "retry"), (3, "retry")]}

    assert not await store.retention.purge(Ages(attempts=30 * DAY), now=LATER)
    assert await store.retention.purge(Ages(attempts=DAY), now=LATER) == Purged(old_attempts=1)
    assert attempts_left(reader) == {"flaky": [(3, "retry")]}


async def test_old_attempts_are_counted_apart_from_the_deliveries_that_go(
    store: Store, reader: BlockingReader
) -> None:
    rows = [event_row("done"), event_row("dead"), event_row("open"), unparsed_row("unparsed:x")]
    await store.intake.write(batch(*rows))
    await tries(store, {"done": "retry", "dead": "retry", "open": "retry"})
    await tries(store, {"done": "delivered", "dead": "dead", "open": "retry"})
    await tries(store, {"open": "retry later"})
    ages = Ages(delivered=DAY, dead=DAY, unparsed=DAY, attempts=DAY)

    counted = await store.retention.purge(ages, dry_run=True, now=LATER)

    assert (reader.count("events"), reader.count("attempts")) == (4, 7)
    purged = await store.retention.purge(ages, now=LATER)
    assert purged == counted
    assert purged == Purged(
        events=1,
        deliveries=1,
        attempts=2,
        dead=1,
        dead_attempts=2,
        dead_events=1,
        unparsed=1,
        old_attempts=2,
    )
    assert purged.describe() == (
        "1 delivered event (1 delivery, 2 attempts), 1 dead delivery (2 attempts, 1 event), "
        "1 unparsed payload, 2 old attempts, 0 conversation links"
    )
    assert attempts_left(reader) == {"open": [(3, "retry")]}


async def test_old_attempts_go_in_batches(store: Store, reader: BlockingReader) -> None:
    ids = [f"e{n:02}" for n in range(25)]
    await store.intake.write(batch(*(event_row(i) for i in ids)))
    await tries(store, dict.fromkeys(ids, "retry"))
    await tries(store, dict.fromkeys(ids, "retry later"))
    reported: list[int] = []

    purged = await store.retention.purge(
        Ages(attempts=DAY), batch=10, progress=reported.append, now=LATER
    )

    assert purged == Purged(old_attempts=25)
    assert reported == [10, 10, 5]
    assert reader.count("attempts") == 25
    assert all(kept == [(2, "retry")] for kept in attempts_left(reader).values())


async def test_a_host_with_workers_trims_old_attempts(
    database_url: str, store: Store, reader: BlockingReader
) -> None:
    await store.intake.write(batch(event_row("waiting")))
    await tries(store, {"waiting": "retry"})
    await tries(store, {"waiting": "retry later"})  # not due for an hour: no worker takes it
    setup = setup_from_text(
        f"database: {database_url}\nretention: {{attempts: 100ms, interval: 0.1s}}\n"
    )
    assert setup.config.retention.configured
    await asyncio.sleep(0.15)
    host = Host(setup)
    await host.start(intake=True, workers=True)
    try:
        async with asyncio.timeout(10):
            while reader.count("attempts") > 1:
                await asyncio.sleep(0.05)
    finally:
        await host.stop()
    assert attempts_left(reader) == {"waiting": [(2, "retry")]}


def test_a_wrong_attempts_age_is_named_at_its_line() -> None:
    text = "database: sqlite:///h.db\nretention:\n  dead: 90d\n  attempts: {days: 30}\n"
    with pytest.raises(ConfigError) as caught:
        setup_from_text(text)
    assert [p for p in caught.value.problems if "attempts" in p] == [
        "retention.attempts (line 4): expected a duration such as 10s, 5m or 1h, got {'days': 30}"
    ]


async def test_old_conversation_links_go_unless_their_conversation_is_still_delivering(
    store: Store, reader: BlockingReader
) -> None:
    from hookyard.store.deliveries import SinkRoom
    from hookyard.store.links import merge_links

    await store.intake.write(batch(event_row("waiting", conversation="chat-busy")))
    async with store.engine.begin() as connection:
        changes = [("ops", "chat-done", {"ts": "1"}), ("ops", "chat-busy", {"ts": "2"})]
        await merge_links(connection, changes, datetime.now(UTC))

    counted = await store.retention.purge(Ages(links=DAY), dry_run=True, now=LATER)
    purged = await store.retention.purge(Ages(links=DAY), now=LATER)

    assert counted == purged == Purged(links=1)
    assert [link.conversation for link in await store.links.list()] == ["chat-busy"]
    assert await store.retention.purge(Ages(links=DAY)) == Purged()  # young: kept
    (claimed,) = await store.deliveries.claim("w1", 10, 30.0, [SinkRoom("ops", 10)])
    assert claimed.link == {"ts": "2"}
