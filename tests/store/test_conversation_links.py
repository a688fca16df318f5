"""Conversation links in the store: a result's link is merged into what its sink keeps for
the conversation, in the outcome's transaction, and handed to the conversation's next claim."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from hookyard.store.deliveries import Outcome, SinkRoom

from ._support import batch, event_row

if TYPE_CHECKING:
    from hookyard.store import Store
    from hookyard.store.deliveries import ClaimedDelivery

START = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
ROOM = [SinkRoom("ops", 10, ordered=True)]


async def _queue(store: Store, event_id: str, conversation: str | None, second: int) -> None:
    at = START + timedelta(seconds=second)
    await store.intake.write(batch(event_row(event_id, conversation=conversation, occurred_at=at)))


async def _deliver_next(
    store: Store, link: dict[str, object] | None, result: str = "delivered"
) -> ClaimedDelivery:
    (claimed,) = await store.deliveries.claim("w1", 10, 30.0, ROOM)
    retry_in = 0.0 if result == "retry" else None
    outcome = Outcome(result, datetime.now(UTC), link=link, retry_in=retry_in)
    assert await store.deliveries.record("w1", claimed, outcome)
    return claimed


async def test_the_next_delivery_of_a_conversation_gets_what_the_first_kept(store: Store) -> None:
    await _queue(store, "first", "chat-1", 1)
    await _queue(store, "second", "chat-1", 2)
    await _queue(store, "third", "chat-1", 3)

    first = await _deliver_next(store, {"ts": "1700.01", "channel": "C1"})
    second = await _deliver_next(store, {"ts": None, "reply": "1700.02"})
    third = await _deliver_next(store, None)

    assert first.link == {}
    assert second.link == {"ts": "1700.01", "channel": "C1"}
    assert third.link == {"channel": "C1", "reply": "1700.02"}  # ts removed, reply added
    assert await store.links.of("ops", "chat-1") == {"channel": "C1", "reply": "1700.02"}


async def test_a_failed_attempt_keeps_what_it_created(store: Store) -> None:
    await _queue(store, "first", "chat-2", 1)
    await _deliver_next(store, {"ticket": 41}, result="retry")

    retried = await _deliver_next(store, None)

    assert retried.link == {"ticket": 41}


async def test_conversations_and_sinks_keep_links_apart(store: Store) -> None:
    await _queue(store, "a", "chat-a", 1)
    await _queue(store, "b", "chat-b", 2)
    claimed = await store.deliveries.claim("w1", 10, 30.0, ROOM)
    by_event = {str(d.event["id"]): d for d in claimed}
    outcomes = [
        (by_event["a"], Outcome("delivered", datetime.now(UTC), link={"id": "A"}), None),
        (by_event["b"], Outcome("delivered", datetime.now(UTC), link={"id": "B"}), None),
    ]
    assert await store.deliveries.record_many("w1", outcomes) == [True, True]

    listed = await store.links.list()
    assert sorted((link.conversation, link.link["id"]) for link in listed) == [
        ("chat-a", "A"),
        ("chat-b", "B"),
    ]
    assert await store.links.list(sink="other") == []
    assert [link.link for link in await store.links.list(conversations=["chat-b"])] == [{"id": "B"}]


async def test_an_event_of_no_conversation_keeps_no_link(store: Store) -> None:
    await _queue(store, "lonely", None, 1)
    claimed = await _deliver_next(store, {"ts": "1"})

    assert claimed.conversation is None
    assert await store.links.list() == []


async def test_two_merges_into_one_link_at_once_keep_both(store: Store) -> None:
    """Two processes recording into one conversation's link (ordering: none) at once."""
    from hookyard.store.links import merge_links

    first_started = asyncio.Event()

    async def merge(link: dict[str, object], hold: float) -> None:
        async with store.engine.begin() as connection:
            await merge_links(connection, [("ops", "chat-9", link)], datetime.now(UTC))
            first_started.set()
            await asyncio.sleep(hold)  # commits later than the other starts

    async def second() -> None:
        await first_started.wait()
        await merge({"b": 2}, 0)

    await asyncio.gather(merge({"a": 1}, 0.3), second())

    assert await store.links.of("ops", "chat-9") == {"a": 1, "b": 2}
