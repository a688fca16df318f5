"""Wake-ups across processes on PostgreSQL: a transaction that makes deliveries due sends
``NOTIFY hookyard_deliveries`` (delivered when it commits), and every worker LISTENs on a
connection of its own, so another replica's workers start at once instead of at their next
poll. SQLite has no such channel: its workers poll (``workers.poll_interval``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from hookyard.store.engine import CONNECT_TIMEOUT

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["CHANNEL", "DueListener", "notify_due"]

CHANNEL = "hookyard_deliveries"
_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', '')")
#: Seconds between attempts to listen again after the connection was lost, at most.
RECONNECT_MAX = 30.0

log = logging.getLogger("hookyard.store")


async def notify_due(connection: AsyncConnection) -> None:
    """Tell every listening worker, when this transaction commits, that deliveries are due."""
    if connection.dialect.name == "postgresql":
        await connection.execute(_NOTIFY)


class DueListener:
    """Calls ``wake`` whenever another process's transaction made deliveries due.

    Listens on one connection outside the pool and listens again after it is lost (then
    wakes once, for what it may have missed). Does nothing on SQLite.
    """

    def __init__(self, engine: AsyncEngine, wake: Callable[[], None]) -> None:
        self._engine = engine
        self._wake = wake
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._engine.dialect.name == "postgresql":
            self._task = asyncio.create_task(self._listen(), name="hookyard-listen")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _listen(self) -> None:
        import asyncpg  # type: ignore[import-untyped]

        _, params = self._engine.dialect.create_connect_args(self._engine.url)
        delay = 1.0
        while True:
            connection: Any = None
            try:
                connection = await asyncpg.connect(**params, timeout=CONNECT_TIMEOUT)
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _connection, lost=lost: lost.set())
                await connection.add_listener(CHANNEL, self._notified)
                self._wake()  # what was made due while this process was not listening
                delay = 1.0
                await lost.wait()
                log.warning("lost the connection listening for due deliveries; listening again")
            except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
                log.warning(
                    "cannot listen for due deliveries (%s); polling until listening again in %gs",
                    exc,
                    delay,
                )
            finally:
                if connection is not None:
                    with contextlib.suppress(Exception):
                        await asyncio.shield(connection.close(timeout=1))
            await asyncio.sleep(delay)
            delay = min(delay * 2, RECONNECT_MAX)

    def _notified(self, *_args: object) -> None:
        self._wake()
