"""Receiving one webhook: authenticate, parse, route, store, answer.

This module knows nothing of HTTP frameworks; the Litestar edge in :mod:`hookyard.web.app`
hands it the source name, headers and body and turns the :class:`Answer` into a response.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections import Counter
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard._json import dumps
from hookyard.events import Event
from hookyard.intake.access import Caller, refusal
from hookyard.intake.redact import redacted, redacted_text
from hookyard.observability.sentry import report_unparsed
from hookyard.store.intake import (
    EventRow,
    IntakeBatch,
    PlannedRow,
    conversation_key,
    storable_text,
    stored_event_id,
)
from hookyard.vendors import AuthenticationFailed, PayloadRejected, WebhookRequest

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    import cattrs

    from hookyard.config import Config, SourceConfig
    from hookyard.observability.metrics import Metrics
    from hookyard.plugins import Registry
    from hookyard.routing import Router
    from hookyard.store import Store

__all__ = ["Answer", "Intake", "idempotency_key"]

log = logging.getLogger("hookyard.intake")
#: Bodies larger than this are authenticated, parsed and routed in a worker thread, so
#: a burst of large payloads does not stall every other request (and ``/ready``).
THREAD_BODY_BYTES = 64 * 1024
#: Headers never stored with an unparsed payload.
SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization", "x-api-key"})


#: A caller whose address and URL are not known (a source with allow_ips or token refuses it).
UNKNOWN_CALLER = Caller()


@frozen
class Answer:
    status: int
    body: dict[str, Any]


@frozen
class Form:
    """An event's JSON form: the value routes see, and its text as stored."""

    value: dict[str, Any]
    text: str


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
        *,
        metrics: Metrics,
    ) -> None:
        self.metrics = metrics
        self._on_stored = on_stored
        self._config = config
        self._registry = registry
        self._router = router
        self._store = store
        self._converter = converter
        self.counters: Counter[str] = Counter()

    def reconfigured(
        self, config: Config, registry: Registry, router: Router, converter: cattrs.Converter
    ) -> Intake:
        """An intake for ``config`` with this one's store, metrics and counters: the host
        answers the next webhooks with it, while those in flight finish with this one."""
        intake = Intake(
            config, registry, router, self._store, converter, self._on_stored, metrics=self.metrics
        )
        intake.counters = self.counters
        return intake

    def _count(self, source: str, outcome: str, webhook: str | None = None) -> None:
        """One webhook answered: ``counters[outcome]``, and the metric by source and
        ``webhook`` (``outcome`` unless told; empty ``source`` for one not configured)."""
        self.counters[outcome] += 1
        self.metrics.received(source, webhook or outcome)

    def body_limit(self, source: str) -> int | None:
        """The body size limit of ``source``, None when there is no such source."""
        found = self._config.sources.get(source)
        return None if found is None else found.max_body_bytes

    def unknown_source(self, source: str) -> Answer:
        """The answer to a webhook for a source that is not configured (counted)."""
        self._count("", "unknown_source")
        shown = source if len(source) <= 64 else source[:64] + "…"
        return Answer(404, {"error": f"no source named {shown!r}"})

    def body_timeout(self, source: str) -> Answer:
        """The answer to a sender whose body did not arrive in time (counted)."""
        self._count(source, "body_timeout")
        log.warning("source %s: the body did not arrive in time", source)
        return Answer(408, {"error": "the body did not arrive in time"})

    def too_large(self, source: str) -> Answer:
        """The answer to a body over ``source``'s limit (counted); the source must exist."""
        self._count(source, "too_large")
        limit = self._config.sources[source].max_body_bytes
        return Answer(413, {"error": f"body over {limit} bytes"})

    def unavailable(self, source: str) -> Answer:
        """The answer when the store failed (counted): the sender should retry."""
        self._count(source, "unavailable")
        return Answer(503, {"error": "storage unavailable, please retry"})

    def internal_error(self, source: str) -> Answer:
        """The answer when hookyard itself failed (counted)."""
        self._count(source, "internal_error")
        return Answer(500, {"error": "internal error"})

    async def receive(
        self, source: str, headers: Mapping[str, str], body: bytes, caller: Caller = UNKNOWN_CALLER
    ) -> Answer:
        """Answer one webhook from ``caller``; ``headers`` have lower-case names."""
        config = self._config.sources.get(source)
        if config is None:
            return self.unknown_source(source)
        if len(body) > config.max_body_bytes:
            return self.too_large(source)
        request = WebhookRequest(source, body, headers, datetime.now(UTC))
        if len(body) > THREAD_BODY_BYTES:  # its parsing would hold up every other answer
            prepared = await asyncio.to_thread(self._prepare, config, request, caller)
        else:
            prepared = self._prepare(config, request, caller)
        if isinstance(prepared, Answer):
            return prepared
        if isinstance(prepared, Exception):
            return await self._keep_unparsed(config, request, prepared)
        outcome = await self._store.intake.write(IntakeBatch(prepared))
        self.counters += Counter(stored=outcome.stored, duplicates=outcome.duplicates)
        only_seen = outcome.duplicates and not outcome.stored
        self.metrics.received(source, "duplicate" if only_seen else "stored")
        if outcome.deliveries:
            self._on_stored()
        return Answer(200, {"stored": outcome.stored, "duplicates": outcome.duplicates})

    def _prepare(
        self, config: SourceConfig, request: WebhookRequest, caller: Caller
    ) -> Answer | Exception | list[EventRow]:
        """Authenticate, parse and route: the answer, the parser's exception, or the rows."""
        refused = self._authenticate(config, request, caller)
        if refused is not None:
            return refused
        try:
            parsed = self._parse(config, request)
        except PayloadRejected as exc:
            return self._rejected(config, exc)
        except Exception as exc:
            return exc
        return [self._row(event, form) for event, form in parsed]

    def _authenticate(
        self, config: SourceConfig, request: WebhookRequest, caller: Caller
    ) -> Answer | None:
        """401 unless the source's own rules and then the vendor's scheme let it in."""
        if config.auth == "none":
            return None
        proxy = self._config.server.trusted_proxy
        if (refused := refusal(config.access, caller, request.headers, proxy)) is not None:
            log.warning("source %s: authentication failed: %s", config.name, refused)
            self._count(config.name, "unauthenticated")
            return Answer(401, {"error": "authentication failed"})
        vendor = self._registry.vendors[config.vendor]
        given = [getattr(config.options, name, None) for name in vendor.auth_fields]
        if given and not any(given):  # the source relies on its own rules alone (a token, say)
            return None
        try:
            vendor.verify(config.options, request)
        except AuthenticationFailed as exc:
            reason = redacted_text(str(exc), self._secrets(config))
            log.warning("source %s: authentication failed: %s", config.name, reason)
        except PayloadRejected as exc:
            return self._rejected(config, exc)
        except Exception as exc:  # a plugin bug must not read as "storage unavailable"
            owner = self._registry.owners.get(f"vendor:{config.vendor}", config.vendor)
            error = redacted_text(f"{type(exc).__name__}: {exc}", self._secrets(config))
            log.error(  # one line: the sender may control what made verify raise
                "source %s: authentication failed: plugin %r (vendor %s) verify raised %s",
                *(config.name, owner, config.vendor, error.splitlines()[0][:300]),
            )
        else:
            return None
        self._count(config.name, "unauthenticated")
        return Answer(401, {"error": "authentication failed"})

    def _rejected(self, config: SourceConfig, error: PayloadRejected) -> Answer:
        """400 with the parser's reason: without the source's credentials (a parser may quote
        a field of the body, and the sender may have put a secret there)."""
        self._count(config.name, "rejected")
        reason = redacted_text(str(error), self._secrets(config))
        log.warning("source %s: payload rejected: %s", config.name, reason)
        return Answer(400, {"error": reason})

    def _parse(self, config: SourceConfig, request: WebhookRequest) -> list[tuple[Event, Form]]:
        """The parser's events, each with its JSON form: any exception here keeps the payload."""
        events = self._registry.vendors[config.vendor].parse(config.options, request)
        parsed = []
        for event in events:
            if not isinstance(event, Event) or event.source != config.name:
                raise TypeError(f"parser returned {event!r}, not an Event of this source")
            form = self._converter.unstructure(event)
            parsed.append((event, Form(form, dumps(form))))
        return parsed

    def _row(self, event: Event, form: Form) -> EventRow:
        deliveries = [
            PlannedRow(
                p.route,
                p.sink,
                p.action,
                p.params,
                idempotency_key(event.source, event.id, p.route, p.action),
                p.error,
                p.gate,
                p.why,
            )
            for p in self._router.plan(form.value)
        ]
        return EventRow(
            source=event.source,
            event_id=stored_event_id(event.id),
            vendor=event.vendor,
            type=event.type,
            status="stored",
            received_at=event.received_at,
            occurred_at=event.occurred_at,
            body=form.text,
            deliveries=deliveries,
            dedup_group=None if event.dedup_group is None else stored_event_id(event.dedup_group),
            conversation=conversation_key(
                event.source,
                None if event.chat is None else event.chat.id,
                None if event.customer is None else event.customer.id,
            ),
        )

    def parse_kept(self, config: SourceConfig, request: WebhookRequest) -> list[EventRow]:
        """The routed rows of a kept payload, parsed by the vendor plugin installed now.

        Never verified: the payload was authenticated when it was received, and its stored
        form has the credentials redacted. Raises whatever the parser raises.
        """
        return [self._row(event, form) for event, form in self._parse(config, request)]

    def kept_error(self, config: SourceConfig, error: Exception) -> str:
        """``error`` as an unparsed payload keeps it: without the source's credentials."""
        text = redacted_text(f"{type(error).__name__}: {error}", self._secrets(config))
        return storable_text(text)

    def _unparsed_row(
        self, config: SourceConfig, request: WebhookRequest, error: Exception
    ) -> EventRow:
        """The payload as kept for re-parsing: without any spelling of the credentials."""
        secrets = self._secrets(config)
        headers = {
            k: redacted_text(v, secrets)
            for k, v in request.headers.items()
            if k not in SECRET_HEADERS
        }
        return EventRow(
            source=config.name,
            event_id="unparsed:" + hashlib.sha256(request.body).hexdigest()[:40],
            vendor=config.vendor,
            type="unknown",
            status="unparsed",
            received_at=request.received_at,
            payload=redacted(request.body, secrets),
            headers=dumps(headers),
            error=self.kept_error(config, error),
        )

    def _secrets(self, config: SourceConfig) -> list[str]:
        """The values of the source's credentials (LiveChat echoes its secret in the body)."""
        return [*self._vendor_secrets(config), *config.access.secrets()]

    def _vendor_secrets(self, config: SourceConfig) -> list[str]:
        names = self._registry.vendors[config.vendor].auth_fields
        found = (getattr(config.options, name, None) for name in names)
        return [secret for secret in found if isinstance(secret, str) and secret]

    async def _keep_unparsed(
        self, config: SourceConfig, request: WebhookRequest, error: Exception
    ) -> Answer:
        row = self._unparsed_row(config, request, error)
        event_id = row.event_id
        outcome = await self._store.intake.write(IntakeBatch([row]))
        if outcome.stored:
            self._count(config.name, "unparsed")
        else:
            self._count(config.name, "duplicates", "duplicate")
        # A warning, not an error: the payload is kept, and report_unparsed is its one Sentry
        # event (sentry-sdk's logging integration would make an ERROR record a second one).
        log.warning(
            "source %s: parser failed, payload kept as %s: %s", config.name, event_id, row.error
        )
        if outcome.stored:
            report_unparsed(
                source=config.name,
                vendor=config.vendor,
                event_id=event_id,
                error=error,
                message=redacted_text(str(error), self._secrets(config)),
            )
        return Answer(200, {"stored": 0, "unparsed": event_id})
