"""The console's queries: events and deliveries picked by filters, one delivery in full,
replays of delivered, dead and pending deliveries (store/console.py)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from hookyard.store.console import Filters
from hookyard.store.deliveries import Outcome
from hookyard.store.intake import PlannedRow

from ._support import batch, event_json, event_row

if TYPE_CHECKING:
    from hookyard.store import Store

    from ._support import BlockingReader

HOUR = timedelta(hours=1)


def _row(event_id: str, *, source: str = "lc", chat: str | None = None, **extra: Any) -> Any:
    """An event of ``source`` in ``chat`` with one delivery of route ``to-<sink>``."""
    sink = extra.pop("sink", "ops")
    body = {**event_json(event_id, source), "type": extra.get("type", "chat.started")}
    if chat is not None:
        body["chat"] = {"id": chat}
    planned = [PlannedRow(f"to-{sink}", sink, "post", {"id": event_id}, f"{source}/{event_id}")]
    return event_row(event_id, source=source, body=json.dumps(body), deliveries=planned, **extra)


async def _story(store: Store) -> datetime:
    """Five events, two hours apart in reception; returns when the last two were made."""
    now = datetime.now(UTC)
    await store.intake.write(
        batch(
            _row("a", chat="c-1", received_at=now - 5 * HOUR),
            _row("b", chat="c-2", type="chat.message", received_at=now - 3 * HOUR),
            _row("c", source="zd", chat="c-1", sink="slack", received_at=now - HOUR),
        )
    )
    await asyncio.sleep(0.05)
    cut = datetime.now(UTC)
    await asyncio.sleep(0.05)
    await store.intake.write(
        batch(_row("d", type="chat.message", sink="slack"), _row("e", source="zd", chat="c-2"))
    )
    return cut


async def _ids(store: Store, **filters: Any) -> list[str]:
    found = await store.deliveries.list(filters=Filters(**filters))
    return [record.event_id for record in found]


async def _events(store: Store, **filters: Any) -> list[str]:
    return [record.id for record in await store.events.list(filters=Filters(**filters))]


async def test_each_filter_picks_deliveries_newest_first(store: Store) -> None:
    cut = await _story(store)
    now = datetime.now(UTC)

    assert await _ids(store) == ["e", "d", "c", "b", "a"]
    assert await _ids(store, source="zd") == ["e", "c"]
    assert await _ids(store, type="chat.message") == ["d", "b"]
    assert await _ids(store, chat="c-1") == ["c", "a"]
    assert await _ids(store, chat="c-1", source="lc") == ["a"]
    assert await _ids(store, sink="slack") == ["d", "c"]
    assert await _ids(store, route="to-ops") == ["e", "b", "a"]
    assert await _ids(store, since=cut) == ["e", "d"]
    assert await _ids(store, until=cut) == ["c", "b", "a"]
    assert await _ids(store, since=now) == []
    assert await _ids(store, chat="nobody") == []


async def test_the_status_filter_and_the_matching_ids(store: Store) -> None:
    await _story(store)
    claimed = {c.idempotency_key: c for c in await store.deliveries.claim("w1", 5, 30.0)}
    dead = Outcome("dead", datetime.now(UTC), error="HTTP 404", status_code=404)
    assert await store.deliveries.record("w1", claimed["zd/c"], dead)
    done = Outcome("delivered", datetime.now(UTC), response="HTTP 200")
    assert await store.deliveries.record("w1", claimed["lc/a"], done)

    assert await _ids(store, status="dead") == ["c"]
    assert await _ids(store, status="delivered") == ["a"]
    assert await _ids(store, status="delivering") == ["e", "d", "b"]
    assert await _ids(store, status="pending") == []
    everything = await store.deliveries.matching(Filters())
    assert everything == sorted(c.id for c in claimed.values())  # oldest first
    assert await store.deliveries.matching(Filters(source="zd", status="dead")) == [
        claimed["zd/c"].id
    ]
    assert await store.deliveries.matching(Filters(source="lc", status="dead")) == []


async def test_events_are_picked_by_the_same_filters(store: Store) -> None:
    await _story(store)
    now = datetime.now(UTC)
    assert await _events(store) == ["e", "d", "c", "b", "a"]
    assert await _events(store, source="zd", chat="c-2") == ["e"]
    assert await _events(store, type="chat.message", status="stored") == ["d", "b"]
    # Events are picked by when they were received.
    assert await _events(store, since=now - 4 * HOUR, until=now - HOUR / 2) == ["c", "b"]
    assert await _events(store, status="unparsed") == []


async def test_a_delivery_shown_in_full_with_its_attempts(store: Store) -> None:
    await store.intake.write(batch(_row("a", chat="c-1")))
    started = datetime.now(UTC) - timedelta(seconds=2)
    [first] = await store.deliveries.claim("w1", 1, 30.0)
    failed = Outcome("retry", started, error="HTTP 503 from ops", status_code=503, retry_in=0)
    assert await store.deliveries.record("w1", first, failed)
    [second] = await store.deliveries.claim("w1", 1, 30.0)
    answered = Outcome("delivered", datetime.now(UTC), status_code=200, response="HTTP 200")
    assert await store.deliveries.record("w1", second, answered)

    detail = await store.deliveries.show(first.id)

    assert detail is not None
    assert (detail.delivery.status, detail.delivery.attempts) == ("delivered", 2)
    assert detail.params == {"id": "a"}
    assert detail.event["chat"] == {"id": "c-1"}
    assert [(a.number, a.outcome, a.status_code) for a in detail.attempts] == [
        (1, "retry", 503),
        (2, "delivered", 200),
    ]
    assert [(a.error, a.response) for a in detail.attempts] == [
        ("HTTP 503 from ops", None),
        (None, "HTTP 200"),
    ]
    assert detail.attempts[0].latency_ms >= 2000
    assert 0 <= detail.attempts[1].latency_ms < 2000
    assert await store.deliveries.show(first.id + 100) is None


async def test_a_replay_makes_delivered_and_dead_deliveries_due_with_a_fresh_budget(
    store: Store, reader: BlockingReader
) -> None:
    await store.intake.write(batch(_row("a"), _row("b"), _row("c")))
    claimed = await store.deliveries.claim("w1", 3, 30.0)
    by_event = {c.idempotency_key: c for c in claimed}
    done = Outcome("delivered", datetime.now(UTC), response="HTTP 200")
    dead = Outcome("dead", datetime.now(UTC), error="HTTP 404")
    assert await store.deliveries.record("w1", by_event["lc/a"], done)
    assert await store.deliveries.record("w1", by_event["lc/b"], dead)
    delivering = by_event["lc/c"].id

    wanted = [by_event["lc/a"].id, by_event["lc/b"].id, delivering, 999]
    replayed = await store.deliveries.replay(wanted)

    assert replayed.replayed == sorted([by_event["lc/a"].id, by_event["lc/b"].id])
    assert replayed.in_flight == [delivering]
    rows = reader.rows(
        "SELECT idempotency_key, status, attempts, attempts_base FROM deliveries ORDER BY id"
    )
    assert rows == [
        ("lc/a", "pending", 1, 1),
        ("lc/b", "pending", 1, 1),
        ("lc/c", "delivering", 1, 0),
    ]
    again = await store.deliveries.claim("w2", 3, 30.0)
    assert sorted((c.idempotency_key, c.attempt, c.budget_attempt) for c in again) == [
        ("lc/a", 2, 1),  # the same key, numbered on, the first of a fresh budget
        ("lc/b", 2, 1),
    ]


async def test_events_shown_by_id_in_every_source_that_has_it(store: Store) -> None:
    payload = b'{"broken": tru'
    await store.intake.write(
        batch(
            _row("a", chat="c-1"),
            _row("a", source="zd"),
            event_row(
                "unparsed:1",
                status="unparsed",
                body=None,
                payload=payload,
                error="ValueError: no",
                deliveries=[],
            ),
        )
    )
    both = await store.events.show("a")
    assert [d.event.source for d in both] == ["lc", "zd"]
    [lc] = await store.events.show("a", source="lc")
    assert lc.body is not None and lc.body["chat"] == {"id": "c-1"}
    assert lc.payload is None
    assert [(d.event_id, d.route) for d in lc.deliveries] == [("a", "to-ops")]
    [unparsed] = await store.events.show("unparsed:1")
    assert (unparsed.body, unparsed.payload, unparsed.deliveries) == (None, payload.decode(), [])
    assert await store.events.show("nope") == []
