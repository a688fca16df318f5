"""Receiving one webhook: authenticate, parse, route, store, answer.

This module knows nothing of HTTP frameworks; the Litestar edge in :mod:`hookyard.web.app`
hands it the source name, headers and body and turns the :class:`Answer` into a response.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec
from attrs import frozen

from hookyard.events import Event
from hookyard.observability.sentry import report_unparsed
from hookyard.store.intake import EventRow, IntakeBatch, PlannedRow
from hookyard.vendors import AuthenticationFailed, PayloadRejected, WebhookRequest

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    import cattrs

    from hookyard.config import Config, SourceConfig
    from hookyard.plugins import Registry
    from hookyard.routing import Router
    from hookyard.store import Store

__all__ = ["Answer", "Intake", "idempotency_key"]

log = logging.getLogger("hookyard.intake")
_encoder = msgspec.json.Encoder()
#: Headers never stored with an unparsed payload.
SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization", "x-api-key"})


@frozen
class Answer:
    status: int
    body: dict[str, Any]


def idempotency_key(source: str, event_id: str, route: str, action: str) -> str:
    """Stable for one (event, route, action): the same on every attempt and replay."""
    text = "\x00".join((source, event_id, route, action))
    return hashlib.sha256(text.encode()).hexdigest()[:40]


class Intake:
    def __init__(
        self,
        config: Config,
        registry: Registry,
        router: Router,
        store: Store,
        converter: cattrs.Converter,
        on_stored: Callable[[], None] = lambda: None,
    ) -> None:
        self._on_stored = on_stored
        self._config = config
        self._registry = registry
        self._router = router
        self._store = store
        self._converter = converter
        self.counters: Counter[str] = Counter()

    def body_limit(self, source: str) -> int | None:
        """The body size limit of ``source``, None when there is no such source."""
        found = self._config.sources.get(source)
        return None if found is None else found.max_body_bytes

    async def receive(self, source: str, headers: Mapping[str, str], body: bytes) -> Answer:
        config = self._config.sources.get(source)
        if config is None:
            self.counters["unknown_source"] += 1
            return Answer(404, {"error": f"no source named {source!r}"})
        if len(body) > config.max_body_bytes:
            self.counters["too_large"] += 1
            return Answer(413, {"error": f"body over {config.max_body_bytes} bytes"})
        request = WebhookRequest(source, body, headers, datetime.now(UTC))
        rejected = self._authenticate(config, request)
        if rejected is not None:
            return rejected
        try:
            events = self._parse(config, request)
        except PayloadRejected as exc:
            self.counters["rejected"] += 1
            return Answer(400, {"error": str(exc)})
        except Exception as exc:
            return await self._keep_unparsed(config, request, exc)
        outcome = await self._store.intake.write(IntakeBatch([self._row(e) for e in events]))
        self.counters["stored"] += outcome.stored
        self.counters["duplicates"] += outcome.duplicates
        if outcome.deliveries:
            self._on_stored()
        return Answer(200, {"stored": outcome.stored, "duplicates": outcome.duplicates})

    def _authenticate(self, config: SourceConfig, request: WebhookRequest) -> Answer | None:
        if config.auth == "none":
            return None
        vendor = self._registry.vendors[config.vendor]
        try:
            vendor.verify(config.options, request)
        except AuthenticationFailed as exc:
            self.counters["unauthenticated"] += 1
            log.warning("source %s: authentication failed: %s", config.name, exc)
            return Answer(401, {"error": "authentication failed"})
        except PayloadRejected as exc:
            self.counters["rejected"] += 1
            return Answer(400, {"error": str(exc)})
        return None

    def _parse(self, config: SourceConfig, request: WebhookRequest) -> Sequence[Event]:
        events = self._registry.vendors[config.vendor].parse(config.options, request)
        for event in events:
            if not isinstance(event, Event) or event.source != config.name:
                raise TypeError(f"parser returned {event!r}, not an Event of this source")
        return events

    def _row(self, event: Event) -> EventRow:
        form = self._converter.unstructure(event)
        deliveries = [
            PlannedRow(
                p.route,
                p.sink,
                p.action,
                p.params,
                idempotency_key(event.source, event.id, p.route, p.action),
                p.error,
            )
            for p in self._router.plan(form)
        ]
        return EventRow(
            source=event.source,
            event_id=event.id,
            vendor=event.vendor,
            type=event.type,
            status="stored",
            received_at=event.received_at,
            occurred_at=event.occurred_at,
            body=_dumps(form),
            deliveries=deliveries,
        )

    def _redacted(self, config: SourceConfig, body: bytes) -> bytes:
        """``body`` without the source's credentials (LiveChat echoes its secret in the body)."""
        for name in self._registry.vendors[config.vendor].auth_fields:
            secret = getattr(config.options, name, None)
            if isinstance(secret, str) and secret:
                for form in {secret, json.dumps(secret)[1:-1]}:
                    body = body.replace(form.encode(), b"[redacted]")
        return body

    async def _keep_unparsed(
        self, config: SourceConfig, request: WebhookRequest, error: Exception
    ) -> Answer:
        event_id = "unparsed:" + hashlib.sha256(request.body).hexdigest()[:40]
        headers = {k: v for k, v in request.headers.items() if k not in SECRET_HEADERS}
        row = EventRow(
            source=config.name,
            event_id=event_id,
            vendor=config.vendor,
            type="unknown",
            status="unparsed",
            received_at=request.received_at,
            payload=self._redacted(config, request.body),
            headers=json.dumps(headers),
            error=f"{type(error).__name__}: {error}",
        )
        outcome = await self._store.intake.write(IntakeBatch([row]))
        self.counters["unparsed"] += 1
        # A warning, not an error: the payload is kept, and report_unparsed is its one Sentry
        # event (sentry-sdk's logging integration would make an ERROR record a second one).
        log.warning(
            "source %s: parser failed, payload kept as %s: %r", config.name, event_id, error
        )
        if outcome.stored:
            report_unparsed(
                source=config.name, vendor=config.vendor, event_id=event_id, error=error
            )
        return Answer(200, {"stored": 0, "unparsed": event_id})


def _dumps(form: dict[str, Any]) -> str:
    """The stored body: compact UTF-8 JSON, the same values ``json.dumps`` would write.

    msgspec is faster. It spells some floats differently (``1e16``, not ``1e+16``) and writes
    NaN and infinities as ``null``, where ``json.dumps`` would write invalid JSON.
    """
    return _encoder.encode(form).decode()
