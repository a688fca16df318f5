"""What replay reads and writes in the store, on SQLite and PostgreSQL: events of a window
in primary key order with their deliveries, backfill keys equal to intake's (repeats of a
dedup group and ids too long to store as they are included), and a backfill that adds a
delivery once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from hookyard.intake import idempotency_key
from hookyard.replay import backfill_key
from hookyard.store._schema import deliveries
from hookyard.store.backfill import Backfill, Window, add_backfill, event_batch, span
from hookyard.store.intake import (
    EventRow,
    IntakeBatch,
    PlannedRow,
    conversation_key,
    stored_event_id,
)

if TYPE_CHECKING:
    from hookyard.store import Store

ROUTES = ("to ops", "to archive")
LONG_ID = "x" * 300


def row(
    parser_id: str,
    source: str = "chats",
    *,
    received_at: datetime | None = None,
    group: str | None = None,
    chat: str | None = None,
) -> EventRow:
    """An event as intake makes its row: keys from the parser's id, one delivery per route."""
    body = {"id": parser_id, "source": source, "type": "chat.started", "chat": {"id": chat}}
    planned = [
        PlannedRow(route, "ops", "post", {}, idempotency_key(source, parser_id, route, "post"))
        for route in ROUTES
    ]
    return EventRow(
        source=source,
        event_id=stored_event_id(parser_id),
        vendor="generic",
        type="chat.started",
        status="stored",
        received_at=received_at or datetime.now(UTC),
        body=json.dumps(body),
        deliveries=planned,
        dedup_group=group,
        conversation=conversation_key(source, chat, None),
    )


async def _everything(store: Store, window: Window, limit: int = 2) -> list[object]:
    found = await span(store.engine, window)
    events, after = [], 0
    while batch := await event_batch(store.engine, window, after, found.last_pk, limit):
        events += batch
        after = batch[-1].pk
    return events


async def test_backfill_keys_are_the_keys_intake_gave(store: Store) -> None:
    rows = [row("plain"), row(LONG_ID), row("tagged", group="g"), row("other", group="g")]
    rows.append(row("tagged", group="g"))  # a repeat, stored as tagged~2
    for each in rows:
        assert (await store.intake.write(IntakeBatch([each]))).stored == 1
    keys = {d.id: d.idempotency_key for d in await store.deliveries.list(limit=None)}

    events = await event_batch(store.engine, Window(datetime.now(UTC) - timedelta(hours=1)), 0, 99)
    assert [e.id for e in events] == [
        "plain",
        stored_event_id(LONG_ID),
        "tagged",
        "other",
        "tagged~2",
    ]
    for stored in events:
        assert [d.route for d in stored.deliveries] == list(ROUTES)
        for made in stored.deliveries:
            assert backfill_key(stored, made.route, made.action) == keys[made.id], stored.id


async def test_a_window_is_walked_in_batches_from_what_was_stored_when_it_began(
    store: Store,
) -> None:
    now = datetime.now(UTC)
    for number, (source, hours) in enumerate([("chats", 3), ("chats", 1), ("desk", 1)] * 2):
        made = row(f"e{number}", source, received_at=now - timedelta(hours=hours))
        await store.intake.write(IntakeBatch([made]))
    since = now - timedelta(hours=2)

    assert [e.id for e in await _everything(store, Window(since))] == ["e1", "e2", "e4", "e5"]
    desk = Window(since, source="desk")
    assert [e.id for e in await _everything(store, desk)] == ["e2", "e5"]
    early = Window(now - timedelta(hours=4), until=now - timedelta(hours=2))
    assert [e.id for e in await _everything(store, early)] == ["e0", "e3"]
    assert (await span(store.engine, Window(since))).count == 4

    found = await span(store.engine, Window(since))
    await store.intake.write(IntakeBatch([row("late")]))  # after the replay began
    walked = await event_batch(store.engine, Window(since), 0, found.last_pk, 10)
    assert [e.id for e in walked] == ["e1", "e2", "e4", "e5"]


async def test_a_backfill_adds_a_pending_delivery_once(store: Store) -> None:
    await store.intake.write(IntakeBatch([row("e1", chat="c-1")]))
    [stored] = await event_batch(store.engine, Window(datetime.now(UTC) - timedelta(hours=1)), 0, 9)
    key = backfill_key(stored, "to slack", "post")
    added = Backfill(stored, PlannedRow("to slack", "slack", "post", {"text": "hi"}, key))
    intake_made = stored.deliveries[0]
    again = Backfill(
        stored, PlannedRow("to ops", "ops", "post", {}, backfill_key(stored, "to ops", "post"))
    )

    assert await add_backfill(store.engine, [added, again]) == 1  # intake made "to ops"
    assert await add_backfill(store.engine, [added]) == 0
    made = [d for d in await store.deliveries.list(limit=None) if d.route == "to slack"]
    [delivery] = made
    assert (delivery.status, delivery.sink, delivery.idempotency_key) == ("pending", "slack", key)
    detail = await store.deliveries.show(delivery.id)
    assert detail is not None and detail.params == {"text": "hi"}
    # In the event's conversation, as intake would have put it: held in its chat's order.
    query = select(deliveries.c.route, deliveries.c.conversation).order_by(deliveries.c.id)
    async with store.engine.connect() as connection:
        conversations = dict((await connection.execute(query)).all())
    assert conversations["to slack"] == conversations[intake_made.route] is not None
