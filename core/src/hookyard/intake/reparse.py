"""Re-parsing kept unparsed payloads with the vendor plugins installed now.

Each payload is parsed as it was received (credentials redacted, secret headers left out,
the original receive time), never verified again; what parses is routed and stored with
its deliveries in the same transaction that removes the payload.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from attrs import frozen

from hookyard.vendors import WebhookRequest

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

    from hookyard.config import Config, SourceConfig
    from hookyard.intake.receive import Intake
    from hookyard.store import Store
    from hookyard.store.events import UnparsedPayload

__all__ = ["PAGE", "Reparsed", "Reparser"]

log = logging.getLogger("hookyard.intake")
#: Unparsed payloads read from the database at a time (each may be up to 1 MiB).
PAGE = 50


@frozen
class Reparsed:
    """What became of one unparsed payload.

    :param result: ``reparsed`` (its events are stored, the payload is gone), ``unparsed``
        (it still fails, or cannot be parsed here: ``error`` says why) or ``gone`` (another
        reparse took it first).
    """

    id: str
    source: str
    result: str
    events: int = 0
    duplicates: int = 0
    deliveries: int = 0
    error: str | None = None


class Reparser:
    """Parses, routes and stores unparsed payloads through ``intake``'s parser and router."""

    def __init__(self, config: Config, intake: Intake, store: Store) -> None:
        self._config = config
        self._intake = intake
        self._store = store

    async def count(self, source: str | None = None, ids: Sequence[str] | None = None) -> int:
        """How many unparsed payloads (of ``source``, with ``ids``) there are."""
        return await self._store.events.count_unparsed(source, ids)

    async def payloads(
        self, source: str | None = None, ids: Sequence[str] | None = None
    ) -> AsyncIterator[UnparsedPayload]:
        """The unparsed payloads (of ``source``, with ``ids``), oldest first, a page at a time."""
        after = 0
        while page := await self._store.events.unparsed(source, ids, after, PAGE):
            for payload in page:
                yield payload
            after = page[-1].pk

    async def reparse(self, payload: UnparsedPayload) -> Reparsed:
        """Parse ``payload`` again; store its events, or record why it still fails."""
        config = self._config.sources.get(payload.source)
        if config is None:
            return self._left(payload, f"source {payload.source!r} is not in the configuration")
        if config.vendor != payload.vendor:
            reason = f"source {payload.source!r} is now vendor {config.vendor!r}, "
            return self._left(payload, reason + f"the payload came from {payload.vendor!r}")
        return await self._parsed(config, payload)

    async def _parsed(self, config: SourceConfig, payload: UnparsedPayload) -> Reparsed:
        request = WebhookRequest(
            payload.source, payload.payload, payload.headers, payload.received_at
        )
        try:
            rows = self._intake.parse_kept(config, request)
        except Exception as exc:  # a parser bug, PayloadRejected included: the payload stays
            error = self._intake.kept_error(config, exc)
            kept = await self._store.events.keep_failing(payload, error)
            return self._left(payload, error) if kept else self._gone(payload)
        replaced = await self._store.events.replace(payload, rows)
        if replaced is None:
            return self._gone(payload)
        log.info(
            "source %s: %s reparsed into %d event(s), %d duplicate(s)",
            *(payload.source, payload.id, replaced.stored, replaced.duplicates),
        )
        return Reparsed(
            payload.id,
            payload.source,
            "reparsed",
            replaced.stored,
            replaced.duplicates,
            replaced.deliveries,
        )

    def _left(self, payload: UnparsedPayload, error: str) -> Reparsed:
        return Reparsed(payload.id, payload.source, "unparsed", error=error)

    def _gone(self, payload: UnparsedPayload) -> Reparsed:
        return Reparsed(payload.id, payload.source, "gone")
