"""Event.dedup_group: a retry of a group's latest event is a duplicate, a repeat is stored.

The same tag added, removed and added again is three events, though the vendor sends the
same body for both adds; a retry of either is still dropped. On SQLite and PostgreSQL, in
one group commit or in several.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

from ._support import batch, event_row

if TYPE_CHECKING:
    from hookyard.store import Store
    from hookyard.store.intake import EventRow, IntakeOutcome

    from ._support import BlockingReader

GROUP = "tag:chat-1:thread-1:vip"


def tagged() -> EventRow:
    return event_row("tagged-vip", dedup_group=GROUP, key="k-tagged")


def untagged() -> EventRow:
    return event_row("untagged-vip", dedup_group=GROUP, key="k-untagged")


async def _write(store: Store, *rows: EventRow) -> list[IntakeOutcome]:
    return [await store.intake.write(batch(row)) for row in rows]


def _stored(reader: BlockingReader) -> list[tuple[str, str]]:
    rows = reader.rows("SELECT event_id, body FROM events ORDER BY pk")
    return [(event_id, json.loads(body)["id"]) for event_id, body in rows]


async def test_tag_untag_tag_is_three_events_and_retries_are_dropped(
    store: Store, reader: BlockingReader
) -> None:
    outcomes = await _write(
        store, tagged(), tagged(), untagged(), untagged(), tagged(), tagged(), untagged()
    )

    assert [o.stored for o in outcomes] == [1, 0, 1, 0, 1, 0, 1]
    assert [o.duplicates for o in outcomes] == [0, 1, 0, 1, 0, 1, 0]
    # The repeats' ids, in the store and in the event JSON sinks get, tell them apart.
    assert _stored(reader) == [
        ("tagged-vip", "tagged-vip"),
        ("untagged-vip", "untagged-vip"),
        ("tagged-vip~2", "tagged-vip~2"),
        ("untagged-vip~2", "untagged-vip~2"),
    ]


async def test_a_repeats_deliveries_get_their_own_idempotency_keys(
    store: Store, reader: BlockingReader
) -> None:
    await _write(store, tagged(), untagged(), tagged())

    keys = [k for (k,) in reader.rows("SELECT idempotency_key FROM deliveries ORDER BY id")]
    assert len(keys) == 3 and len(set(keys)) == 3
    assert keys[:2] == ["k-tagged", "k-untagged"]


async def test_within_one_group_commit(store: Store, reader: BlockingReader) -> None:
    rows = [tagged(), untagged(), tagged(), tagged(), untagged()]
    outcomes = await asyncio.gather(*(store.intake.write(batch(row)) for row in rows))

    assert sum(o.stored for o in outcomes) == 4
    assert [event_id for event_id, _ in _stored(reader)] == [
        "tagged-vip",
        "untagged-vip",
        "tagged-vip~2",
        "untagged-vip~2",
    ]


async def test_groups_are_apart_and_per_source(store: Store, reader: BlockingReader) -> None:
    other_tag = event_row("tagged-sales", dedup_group="tag:chat-1:thread-1:sales", key="s1")
    other_source = event_row("tagged-vip", dedup_group=GROUP, source="lc2", key="o1")
    outcomes = await _write(store, tagged(), other_tag, tagged(), other_source)

    assert [o.stored for o in outcomes] == [1, 1, 0, 1]  # the second vip tag is a retry


async def test_without_a_group_the_same_id_is_always_a_duplicate(store: Store) -> None:
    plain = [event_row("e1"), event_row("e2"), event_row("e1")]
    outcomes = await _write(store, *plain)

    assert [o.stored for o in outcomes] == [1, 1, 0]


async def test_an_event_stored_before_it_had_a_group_is_not_overwritten(
    store: Store, reader: BlockingReader
) -> None:
    await _write(store, event_row("tagged-vip", key="old"))
    outcomes = await _write(store, tagged(), tagged())

    assert [o.stored for o in outcomes] == [1, 0]
    assert [event_id for event_id, _ in _stored(reader)] == ["tagged-vip", "tagged-vip~2"]
