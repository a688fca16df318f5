"""A shadow replay: a configuration's routes run over stored events, batch by batch,
compared with what was stored and, with ``apply``, the added deliveries enqueued."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from attrs import frozen

from hookyard.replay.backfill import Applied, backfills
from hookyard.replay.compare import compare_event
from hookyard.replay.report import Report
from hookyard.store.backfill import add_backfill, event_batch, span

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from contextlib import AbstractContextManager

    from hookyard.routing import Router
    from hookyard.store import Store
    from hookyard.store.backfill import StoredEvent, Window

    #: ``bar(total)``: a context whose value ``advance(n)`` moves a progress bar n events on.
    Bar = Callable[[int], AbstractContextManager[Callable[[int], None]]]

__all__ = ["Replayed", "shadow_replay"]


@frozen
class Replayed:
    """The difference, and what ``apply`` enqueued (None without it)."""

    report: Report
    applied: Applied | None


async def shadow_replay(
    store: Store,
    router: Router,
    window: Window,
    *,
    apply: bool = False,
    bar: Bar | None = None,
) -> Replayed:
    """Compare every stored event of ``window`` that was stored when the replay began, one
    batch in memory at a time; ``bar`` shows the progress.

    Nothing is delivered: with ``apply``, each batch's added deliveries are inserted in one
    transaction, pending, for the running workers to deliver.
    """
    report = Report([route.name for route in router.routes])
    applied = Applied() if apply else None
    found = await span(store.engine, window)
    with (bar or _no_bar)(found.count) as advance:
        after = 0
        while batch := await event_batch(store.engine, window, after, found.last_pk):
            await _compare_batch(store, router, batch, report, applied)
            after = batch[-1].pk
            advance(len(batch))
    return Replayed(report, applied)


async def _compare_batch(
    store: Store,
    router: Router,
    batch: Sequence[StoredEvent],
    report: Report,
    applied: Applied | None,
) -> None:
    """Count what ``router`` does with each event of ``batch``; with ``applied``, enqueue
    the added deliveries of the batch in one transaction."""
    added = []
    for event in batch:
        changes = compare_event(router.plan(event.body), event.deliveries)
        report.add(event, changes)
        if applied is not None:
            added += backfills(event, changes, applied)
    if applied is not None:
        inserted = await add_backfill(store.engine, added)
        applied.enqueued += inserted
        applied.already += len(added) - inserted


@contextlib.contextmanager
def _no_bar(total: int) -> Iterator[Callable[[int], None]]:
    yield lambda done: None
