"""The background purge: ``retention`` applied at start and every ``interval`` after."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from hookyard.store import StoreError
from hookyard.store.retention import Ages

if TYPE_CHECKING:
    from hookyard.config.model import RetentionConfig
    from hookyard.store import Store

__all__ = ["Purger"]

log = logging.getLogger("hookyard.retention")


class Purger:
    """Runs beside the workers; a failed purge is logged and tried again at the next interval."""

    def __init__(self, retention: RetentionConfig, store: Store) -> None:
        self.ages = Ages(
            delivered=retention.delivered,
            dead=retention.dead,
            unparsed=retention.unparsed,
            attempts=retention.attempts,
            links=retention.links,
        )
        self.interval = retention.interval
        self.store = store
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="hookyard-retention")

    async def stop(self) -> None:
        """Cancel the purge: a batch in progress is rolled back whole."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def _run(self) -> None:
        while True:
            await self._once()
            await asyncio.sleep(self.interval)

    async def _once(self) -> None:
        try:
            purged = await self.store.retention.purge(self.ages)
        except StoreError as exc:
            log.warning("retention: the purge failed (%s); trying again in %gs", exc, self.interval)
        except Exception:
            log.exception("retention: the purge failed; trying again in %gs", self.interval)
        else:
            if purged:
                log.info("retention: removed %s", purged.describe())
