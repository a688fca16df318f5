"""HelpCrunch's envelope: ``{event, eventData, attempts, lastAttemptAt, createdAt, id}``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from attrs import frozen

from hookyard import Event, PayloadRejected, WebhookRequest, stable_event_id
from hookyard_helpcrunch._fields import iso, opt_int, opt_str, opt_time

__all__ = ["VENDOR", "Envelope", "open_envelope"]

VENDOR = "helpcrunch"


@frozen
class Envelope:
    """One delivery's envelope, checked; ``data`` is ``eventData`` as an object."""

    request: WebhookRequest
    body: dict[str, Any]
    name: str
    data: dict[str, Any]
    vendor_id: str | None
    created_at: datetime | None

    def event_id(self, *identity: object) -> str:
        """HelpCrunch's own event id (a UUID, the same on every retry); without one,
        ``stable_event_id(event name, envelope createdAt, *identity)``."""
        if self.vendor_id:
            return self.vendor_id
        return stable_event_id(self.name, self.body.get("createdAt"), *identity)

    def delivery_data(self) -> dict[str, Any]:
        """``attempts`` and ``lastAttemptAt`` (as ISO 8601), when HelpCrunch sent them."""
        found = {
            "attempts": opt_int(self.body, "attempts"),
            "last_attempt_at": iso(opt_time(self.body, "lastAttemptAt")),
        }
        return {key: value for key, value in found.items() if value is not None}

    def event(self, event_type: str, identity: tuple[object, ...], **fields: Any) -> Event:
        """The normalized event; ``occurred_at`` is the envelope's ``createdAt``."""
        data = {**fields.pop("data", {}), **self.delivery_data()}
        return Event(
            id=self.event_id(*identity),
            source=self.request.source,
            vendor=VENDOR,
            type=event_type,
            vendor_type=self.name,
            occurred_at=self.created_at or self.request.received_at,
            received_at=self.request.received_at,
            data=data,
            raw=self.body,
            **fields,
        )


def open_envelope(request: WebhookRequest) -> Envelope:
    """The checked envelope; raises :class:`~hookyard.PayloadRejected` when it is not one."""
    body = request.json()
    if not isinstance(body, dict):
        raise PayloadRejected("HelpCrunch body is not a JSON object")
    name = body.get("event")
    if not isinstance(name, str) or not name:
        raise PayloadRejected("HelpCrunch body has no event name")
    return Envelope(
        request=request,
        body=body,
        name=name,
        data=_event_data(request, body.get("eventData")),
        vendor_id=opt_str(body, "id"),
        created_at=opt_time(body, "createdAt"),
    )


def _event_data(request: WebhookRequest, value: object) -> dict[str, Any]:
    """``eventData``, decoded first when it arrives as a JSON string (seen in public code)."""
    if isinstance(value, str):
        inner = WebhookRequest(
            source=request.source,
            body=value.encode("utf-8", "surrogatepass"),
            headers={},
            received_at=request.received_at,
        )
        value = inner.json()
    if not isinstance(value, dict):
        raise PayloadRejected("HelpCrunch eventData is not an object")
    return value
