"""Retention: removing finished work older than its age, a bounded batch per transaction.

Five kinds go, each under its own age (None keeps that kind forever):

- **dead** deliveries whose last attempt is older than ``dead``, with their attempts; an
  event left with no delivery at all goes with them;
- **delivered** events: stored events older than ``delivered`` whose every delivery was
  delivered before then (dead ones past ``dead`` aside), or that made no delivery, with
  those deliveries and their attempts;
- **unparsed** payloads kept longer than ``unparsed``;
- **old attempts** of the deliveries kept: attempt rows finished longer than ``attempts``
  ago, except each delivery's latest (the one with the highest id, whatever its age); the
  delivery rows stay as they are;
- **links**: conversation links (store/links.py) unchanged for longer than ``links``
  whose sink has no pending or delivering delivery of that conversation.

An event with a pending or delivering delivery, or a dead one younger than ``dead``, is
never removed: each statement re-checks the rule on the rows it deletes, so a delivery
retried meanwhile keeps its event. Attempts go before deliveries before events (foreign
keys). Old attempts are trimmed last, from the deliveries the other kinds left. No
transaction removes more than :data:`BATCH` events, deliveries or attempts, so a large
purge never holds SQLite's write lock for long.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from attrs import frozen

from hookyard.store import _purge
from hookyard.store.errors import translated

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["BATCH", "Ages", "Purged", "Retention"]

#: Events (or dead deliveries, unparsed payloads, old attempts) removed per transaction.
BATCH = 1000


@frozen
class Ages:
    """How old (in seconds) each kind must be to go; None keeps it forever."""

    delivered: float | None = None
    dead: float | None = None
    unparsed: float | None = None
    attempts: float | None = None
    links: float | None = None


@frozen
class Purged:
    """What a purge removed (or, on a dry run, would remove)."""

    events: int = 0
    deliveries: int = 0
    attempts: int = 0
    dead: int = 0
    dead_attempts: int = 0
    dead_events: int = 0
    unparsed: int = 0
    #: Attempts trimmed from the deliveries kept (``Ages.attempts``).
    old_attempts: int = 0
    links: int = 0

    @property
    def items(self) -> int:
        """Delivered events, dead deliveries, unparsed payloads, old attempts and links:
        what progress counts."""
        return self.events + self.dead + self.unparsed + self.old_attempts + self.links

    def describe(self) -> str:
        """``1,204 delivered events (3,611 deliveries, 4,002 attempts), 12 dead deliveries
        (12 attempts, 3 events), 3 unparsed payloads, 5,210 old attempts, 40 conversation
        links``."""
        delivered = _many(self.events, "delivered event")
        theirs = f"{_many(self.deliveries, 'delivery', 'deliveries')}, "
        theirs += _many(self.attempts, "attempt")
        dead = _many(self.dead, "dead delivery", "dead deliveries")
        with_dead = f"{_many(self.dead_attempts, 'attempt')}, {_many(self.dead_events, 'event')}"
        unparsed = _many(self.unparsed, "unparsed payload")
        old = _many(self.old_attempts, "old attempt")
        links = _many(self.links, "conversation link")
        return f"{delivered} ({theirs}), {dead} ({with_dead}), {unparsed}, {old}, {links}"

    def __add__(self, other: Purged) -> Purged:
        return Purged(*(a + b for a, b in zip(_values(self), _values(other), strict=True)))

    def __bool__(self) -> bool:
        return any(_values(self))


def _many(count: int, one: str, several: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else several or one + 's'}"


def _values(purged: Purged) -> tuple[int, ...]:
    return (
        purged.events,
        purged.deliveries,
        purged.attempts,
        purged.dead,
        purged.dead_attempts,
        purged.dead_events,
        purged.unparsed,
        purged.old_attempts,
        purged.links,
    )


class Retention:
    """``store.retention``: removing what the retention ages let go."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @translated
    async def purge(
        self,
        ages: Ages,
        *,
        dry_run: bool = False,
        batch: int = BATCH,
        progress: Callable[[int], None] | None = None,
        now: datetime | None = None,
    ) -> Purged:
        """Remove what ``ages`` let go, or only count it (``dry_run``).

        :param progress: called after each transaction with the events, dead deliveries,
            unparsed payloads and old attempts it removed.
        """
        rule = _purge.Rule(now or datetime.now(UTC), ages)
        if dry_run:
            async with self._engine.connect() as connection:
                return Purged(**await _purge.count(connection, rule))
        report = progress or (lambda _n: None)
        purged = Purged()
        if ages.dead is not None:
            purged += await self._batches(rule, batch, report, _purge.dead_batch)
        if ages.delivered is not None:
            purged += await self._batches(rule, batch, report, _purge.delivered_batch)
        if ages.unparsed is not None:
            purged += await self._batches(rule, batch, report, _purge.unparsed_batch)
        if ages.links is not None:
            purged += await self._batches(rule, batch, report, _purge.links_batch)
        if ages.attempts is not None:  # last: what the kinds above removed is not trimmed
            purged += await self._batches(rule, batch, report, _purge.attempts_batch)
        return purged

    async def _batches(
        self,
        rule: _purge.Rule,
        size: int,
        report: Callable[[int], None],
        one: Callable[[AsyncConnection, _purge.Rule, int, int], Awaitable[_purge.Batch]],
    ) -> Purged:
        total, after = Purged(), 0
        while True:
            async with self._engine.begin() as connection:
                counts, last = await one(connection, rule, after, size)
            purged = Purged(**counts)
            total += purged
            if purged.items:
                report(purged.items)
            if last is None:
                return total
            after = last
