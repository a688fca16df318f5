"""The intake writer: events and deliveries in one commit, deduplicated, group-committed."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import event

from hookyard.store import StoreError, StoreUnavailable
from hookyard.store.intake import IntakeOutcome

from ._support import batch, event_row

if TYPE_CHECKING:
    from collections.abc import Iterator

    from hookyard.store import Store
    from hookyard.store.intake import EventRow

    from ._support import BlockingReader


@pytest.fixture
def commits(store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """One entry per transaction intake commits (on SQLite, on its own connection)."""
    seen: list[int] = []
    sqlite = store.intake._sqlite
    if sqlite is not None:
        transaction = sqlite._transaction

        def counted(rows: Any) -> Any:
            inserted = transaction(rows)
            seen.append(1)
            return inserted

        monkeypatch.setattr(sqlite, "_transaction", counted)
        yield seen
        return

    def on_commit(_connection: Any) -> None:
        seen.append(1)

    event.listen(store.engine.sync_engine, "commit", on_commit)
    yield seen
    event.remove(store.engine.sync_engine, "commit", on_commit)


async def test_an_event_and_its_deliveries_are_committed_together(
    store: Store, reader: BlockingReader
) -> None:
    outcome = await store.intake.write(batch(event_row("e1", ["a", "b"])))

    assert outcome == IntakeOutcome(stored=1, duplicates=0, deliveries=2)
    assert reader.count("events") == 1
    pk = reader.scalar("SELECT pk FROM events WHERE event_id = ?", "e1")
    assert reader.scalar("SELECT count(*) FROM deliveries WHERE event_pk = ?", pk) == 2
    assert reader.scalar("SELECT min(status) FROM deliveries") == "pending"


async def test_an_event_whose_delivery_cannot_be_stored_is_not_stored_either(
    store: Store, reader: BlockingReader
) -> None:
    await store.intake.write(batch(event_row("e1", key="shared-key")))

    with pytest.raises(StoreError):
        await store.intake.write(batch(event_row("e2", key="shared-key")))

    assert reader.scalar("SELECT count(*) FROM events WHERE event_id = ?", "e2") == 0
    assert reader.count("deliveries") == 1


async def test_a_duplicate_event_is_stored_once_and_routed_once(
    store: Store, reader: BlockingReader
) -> None:
    first = await store.intake.write(batch(event_row("e1", ["a", "b"])))
    second = await store.intake.write(batch(event_row("e1", ["a", "b", "c"])))

    assert first == IntakeOutcome(stored=1, duplicates=0, deliveries=2)
    assert second == IntakeOutcome(stored=0, duplicates=1, deliveries=0)
    assert reader.count("events") == 1
    assert reader.count("deliveries") == 2


async def test_duplicates_inside_one_burst_are_stored_once(
    store: Store, reader: BlockingReader
) -> None:
    writes = [store.intake.write(batch(event_row(f"e{n % 10}"))) for n in range(60)]

    outcomes = await asyncio.gather(*writes)

    assert sum(o.stored for o in outcomes) == 10
    assert sum(o.duplicates for o in outcomes) == 50
    assert sum(o.deliveries for o in outcomes) == 10
    assert reader.count("events") == 10
    assert reader.count("deliveries") == 10
    for n in range(10):
        assert reader.scalar("SELECT count(*) FROM events WHERE event_id = ?", f"e{n}") == 1


async def test_concurrent_writes_share_commits_and_return_only_once_visible(
    store: Store, reader: BlockingReader, commits: list[int]
) -> None:
    invisible: list[str] = []

    async def write(event_id: str) -> IntakeOutcome:
        outcome = await store.intake.write(batch(event_row(event_id)))
        # Blocks the loop: the writer cannot commit anything between here and the read.
        if reader.scalar("SELECT count(*) FROM events WHERE event_id = ?", event_id) != 1:
            invisible.append(event_id)
        return outcome

    outcomes = await asyncio.gather(*(write(f"e{n}") for n in range(200)))

    assert all(o == IntakeOutcome(stored=1, duplicates=0, deliveries=1) for o in outcomes)
    assert invisible == []
    assert 1 <= len(commits) < 200
    assert reader.count("deliveries") == 200


def _null_vendor(event_id: str) -> EventRow:
    return event_row(event_id, vendor=None)  # a NOT NULL column: the database refuses it


@pytest.mark.parametrize("kind", ["colliding idempotency key", "null vendor"])
async def test_a_failing_write_fails_alone_and_its_neighbours_are_stored(
    store: Store, reader: BlockingReader, kind: str
) -> None:
    await store.intake.write(batch(event_row("earlier", key="taken")))
    bad = event_row("bad", key="taken") if kind.startswith("colliding") else _null_vendor("bad")
    rows = [event_row(f"ok{n}") for n in range(20)]
    rows.insert(10, bad)

    results = await asyncio.gather(
        *(store.intake.write(batch(row)) for row in rows), return_exceptions=True
    )

    assert isinstance(results[10], StoreError)
    neighbours = results[:10] + results[11:]
    assert all(o == IntakeOutcome(stored=1, duplicates=0, deliveries=1) for o in neighbours)
    assert reader.scalar("SELECT count(*) FROM events WHERE event_id = ?", "bad") == 0
    assert reader.count("events") == 21
    assert reader.count("deliveries") == 21


async def test_stopping_commits_the_writes_already_queued(
    store: Store, reader: BlockingReader
) -> None:
    writes = [
        asyncio.ensure_future(store.intake.write(batch(event_row(f"e{n}")))) for n in range(50)
    ]
    await asyncio.sleep(0)  # every write is queued

    await store.intake.stop()

    outcomes = await asyncio.wait_for(asyncio.gather(*writes), 10)
    assert all(o.stored == 1 for o in outcomes)
    assert reader.count("events") == 50
    with pytest.raises(StoreUnavailable, match="not running"):
        await store.intake.write(batch(event_row("late")))
