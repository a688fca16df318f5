"""Internal: durable storage — events, deliveries and attempts, on SQLite or PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from hookyard.store._sqlite_intake import check_writable
from hookyard.store.clock import WaitingClock
from hookyard.store.deliveries import DeliveryStore
from hookyard.store.engine import create_engine, upgrade
from hookyard.store.errors import StoreError, StoreUnavailable, display_url, translated
from hookyard.store.events import EventStore
from hookyard.store.feed import Feed
from hookyard.store.intake import IntakeWriter
from hookyard.store.links import LinkStore
from hookyard.store.notify import DueListener
from hookyard.store.retention import Retention

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["READY_TIMEOUT", "Store", "StoreError", "StoreUnavailable", "display_url"]

#: Seconds :meth:`Store.ping` (``GET /ready``) waits for the database.
READY_TIMEOUT = 1.0


class Store:
    """One database: the intake writer, the delivery queue, the event log and retention."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        self.engine = create_engine(url, **engine_options)
        self.intake = IntakeWriter(self.engine)
        self.deliveries = DeliveryStore(self.engine)
        self.events = EventStore(self.engine)
        self.links = LinkStore(self.engine)
        self.waiting = WaitingClock(self.engine)
        self.feed = Feed(self.engine)
        self.retention = Retention(self.engine)

    def due_listener(self, wake: Callable[[], None]) -> DueListener:
        """Something to start that calls ``wake`` when another process made deliveries due
        (PostgreSQL LISTEN/NOTIFY; on SQLite it does nothing)."""
        return DueListener(self.engine, wake)

    @property
    def display_url(self) -> str:
        """The database URL with its password hidden."""
        return display_url(self.url)

    @translated
    async def migrate(self) -> None:
        await upgrade(self.engine)

    @translated
    async def ping(self) -> None:
        """Raises :class:`StoreUnavailable` unless the database answers within
        ``READY_TIMEOUT`` seconds; on SQLite, unless its write lock can be taken.

        Never queued behind intake or workers: SQLite is checked on a connection of its own.
        """
        try:
            async with asyncio.timeout(READY_TIMEOUT):
                if self.intake.sqlite_path is not None:
                    path = self.intake.sqlite_path
                    await asyncio.to_thread(check_writable, path, READY_TIMEOUT / 2)
                    return
                async with self.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
        except TimeoutError:
            reason = f"no answer within {READY_TIMEOUT:g}s"
            raise StoreUnavailable(f"database unavailable: {reason}", reason) from None

    async def close(self) -> None:
        await self.intake.stop()
        await self.deliveries.close()
        await self.engine.dispose()
