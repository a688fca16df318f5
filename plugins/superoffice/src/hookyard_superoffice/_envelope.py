"""SuperOffice's notification body: ``{EventId, Timestamp, Changes, Event, PrimaryKey, ...}``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from attrs import frozen

from hookyard import Event, PayloadRejected, WebhookRequest, stable_event_id
from hookyard_superoffice._fields import Fields, compact

__all__ = ["EVENT_HEADER", "RETRY_HEADER", "TEST_HEADER", "VENDOR", "Envelope", "open_envelope"]

VENDOR = "superoffice"
#: The event name as the header spells it: ``webhook123.errors`` where the body says
#: ``webhook.errors``.
EVENT_HEADER = "x-superoffice-event"
#: ``true`` on the test delivery SuperOffice sends when a webhook is saved or tested.
TEST_HEADER = "x-hook-test"
#: How many times SuperOffice has retried this delivery so far.
RETRY_HEADER = "x-superoffice-retry"


@frozen
class Envelope:
    """One notification, checked: its top-level keys and its ``FieldValues``, both read
    case-insensitively, and its ``Changes``."""

    request: WebhookRequest
    body: dict[str, Any]
    top: Fields
    name: str
    values: Fields
    changed: tuple[str, ...]
    occurred_at: datetime | None

    @property
    def kind(self) -> str:
        """The event name in lower case, what the parser dispatches on (``vendor_type``
        keeps it as sent; SuperOffice's docs title events ``ChatSession.Created``)."""
        return self.name.lower()

    @property
    def test_header(self) -> bool:
        """Whether ``X-Hook-Test: true`` (in any case) came with the delivery."""
        return self.request.headers.get(TEST_HEADER, "").strip().lower() == "true"

    @property
    def is_test(self) -> bool:
        """The test delivery: ``X-Hook-Test: true``, or the body's ``test`` event."""
        return self.test_header or self.kind == "test"

    def event_id(self) -> str:
        """The body's ``EventId`` (the same on every attempt of one cycle; the header's may
        differ); without one, a hash of what identifies the notification."""
        vendor_id = self.top.opt_str("EventId")
        if vendor_id:
            return vendor_id
        return stable_event_id(
            self.name,
            self.top.get("Timestamp"),
            self.top.get("PrimaryKey"),
            self.top.get("ContextIdentifier"),
            self.changed,
            self.values.values,
        )

    def common_data(self) -> dict[str, Any]:
        """What every event's ``data`` holds: the tenant, the webhook, who made the change."""
        return compact(
            {
                "context_identifier": self.top.opt_str("ContextIdentifier"),
                "webhook_name": self.top.opt_str("WebhookName"),
                "entity": self.top.opt_str("Entity"),
                "changed_by_associate_id": self.top.opt_ref("ChangedByAssociateId"),
                "header_event": self.request.headers.get(EVENT_HEADER),
                "retry": _retry(self.request.headers.get(RETRY_HEADER)),
            }
        )

    def event(self, event_type: str, **fields: Any) -> Event:
        """The normalized event; ``occurred_at`` is the body's ``Timestamp``, ``changes``
        starts with ``fields``: the body's ``Changes`` as sent, when it lists any."""
        changes = {"fields": list(self.changed)} if self.changed else {}
        changes.update(fields.pop("changes", {}))
        return Event(
            id=self.event_id(),
            source=self.request.source,
            vendor=VENDOR,
            type=event_type,
            vendor_type=self.name,
            occurred_at=self.occurred_at or self.request.received_at,
            received_at=self.request.received_at,
            changes=changes,
            data={**self.common_data(), **fields.pop("data", {})},
            raw=self.body,
            **fields,
        )


def open_envelope(request: WebhookRequest) -> Envelope:
    """The checked notification; raises :class:`~hookyard.PayloadRejected` when the body
    is not one (not JSON, not an object, no ``Event`` name, a field of the wrong type)."""
    body = request.json()
    if not isinstance(body, dict):
        raise PayloadRejected("SuperOffice body is not a JSON object")
    top = Fields.of("body", body)
    name = top.opt_str("Event")
    if not name:
        raise PayloadRejected("SuperOffice body has no Event name")
    return Envelope(
        request=request,
        body=body,
        top=top,
        name=name,
        values=Fields.of("FieldValues", top.get("FieldValues")),
        changed=top.str_list("Changes"),
        occurred_at=top.opt_time("Timestamp"),
    )


def _retry(header: str | None) -> int | None:
    """``X-SuperOffice-Retry`` as a number; a header that is not one is left out."""
    text = (header or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None
