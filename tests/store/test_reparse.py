"""Replacing an unparsed payload by its events: one transaction, never twice, nothing lost."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from hookyard.store import StoreError
from hookyard.store.intake import EventRow

from ._support import batch, event_row

if TYPE_CHECKING:
    from hookyard.store import Store
    from hookyard.store.events import UnparsedPayload

    from ._support import BlockingReader

RECEIVED = datetime(2024, 5, 1, 12, 0, 3, tzinfo=UTC)


def unparsed_row(event_id: str = "unparsed:abc", source: str = "lc") -> EventRow:
    return EventRow(
        source=source,
        event_id=event_id,
        vendor="livechat",
        type="unknown",
        status="unparsed",
        received_at=RECEIVED,
        payload=b'{"secret": "[redacted]"}',
        headers='{"content-type": "application/json"}',
        error="KeyError: 'chat'",
    )


async def kept(store: Store, *rows: EventRow) -> list[UnparsedPayload]:
    await store.intake.write(batch(*rows))
    return await store.events.unparsed()


async def test_an_unparsed_payload_reads_back_as_it_was_kept(store: Store) -> None:
    [payload] = await kept(store, unparsed_row(), event_row("e0"))
    assert (payload.id, payload.source, payload.received_at) == ("unparsed:abc", "lc", RECEIVED)
    assert payload.payload == b'{"secret": "[redacted]"}'
    assert payload.headers == {"content-type": "application/json"}
    assert payload.error == "KeyError: 'chat'"


async def test_replacing_stores_the_events_and_deliveries_and_removes_the_payload(
    store: Store, reader: BlockingReader
) -> None:
    await store.intake.write(batch(event_row("e0")))
    [payload] = await kept(store, unparsed_row())
    rows = [event_row("e1", ("a", "b")), event_row("e0"), event_row("e2")]
    replaced = await store.events.replace(payload, rows)
    assert replaced is not None
    assert (replaced.stored, replaced.duplicates, replaced.deliveries) == (2, 1, 3)
    assert reader.count("events WHERE status = 'unparsed'") == 0
    assert reader.count("events") == 3
    assert reader.count("deliveries") == 4  # e0's one and the three new ones
    assert await store.events.unparsed() == []


async def test_a_payload_is_replaced_once_however_many_reparses_race(
    store: Store, reader: BlockingReader
) -> None:
    [payload] = await kept(store, unparsed_row())
    rows = [event_row("e1")]
    outcomes = await asyncio.gather(*(store.events.replace(payload, rows) for _ in range(3)))
    assert sorted(o is None for o in outcomes) == [False, True, True]
    assert (reader.count("events"), reader.count("deliveries")) == (1, 1)


async def test_a_failure_mid_way_keeps_the_payload_and_stores_nothing(
    store: Store, reader: BlockingReader
) -> None:
    await store.intake.write(batch(event_row("e0", key="taken")))
    [payload] = await kept(store, unparsed_row())
    # The second event's delivery collides with a stored one: the insert fails after the
    # payload's row was deleted and the first event was inserted, in the same transaction.
    with pytest.raises(StoreError):
        await store.events.replace(payload, [event_row("e1"), event_row("e2", key="taken")])
    assert [p.id for p in await store.events.unparsed()] == ["unparsed:abc"]
    assert (reader.count("events"), reader.count("deliveries")) == (2, 1)


async def test_a_payload_that_still_fails_keeps_its_latest_error(store: Store) -> None:
    [payload] = await kept(store, unparsed_row())
    assert await store.events.keep_failing(payload, "PayloadRejected: chat.id: missing")
    [again] = await store.events.unparsed()
    assert again.error == "PayloadRejected: chat.id: missing"
    assert await store.events.replace(again, []) is not None  # parses into nothing now
    assert not await store.events.keep_failing(payload, "too late")


async def test_unparsed_payloads_by_source_and_id_oldest_first_in_pages(store: Store) -> None:
    rows = [unparsed_row(f"unparsed:{n}", "lc" if n % 2 else "hc") for n in range(5)]
    everything = await kept(store, *rows, event_row("e0"))
    assert [p.id for p in everything] == [f"unparsed:{n}" for n in range(5)]
    assert await store.events.count_unparsed() == 5
    assert await store.events.count_unparsed("lc", ["unparsed:1", "unparsed:2", "e0"]) == 1
    first = await store.events.unparsed(limit=2)
    rest = await store.events.unparsed(after=first[-1].pk)
    assert [p.id for p in [*first, *rest]] == [p.id for p in everything]
    assert [p.id for p in await store.events.unparsed("hc")] == [
        "unparsed:0",
        "unparsed:2",
        "unparsed:4",
    ]


async def test_the_event_log_lists_newest_first_with_filters(store: Store) -> None:
    await store.intake.write(batch(event_row("e0"), unparsed_row(), event_row("h1", source="hc")))
    assert [r.id for r in await store.events.list()] == ["h1", "unparsed:abc", "e0"]
    assert [r.id for r in await store.events.list(status="stored", source="lc")] == ["e0"]
    [record] = await store.events.list(status="unparsed", limit=1)
    assert (record.status, record.error, record.received_at) == (
        "unparsed",
        "KeyError: 'chat'",
        RECEIVED,
    )
