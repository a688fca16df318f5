"""The LiveChat envelope: checking its shape and building events from it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard import Chat, Event, PayloadRejected, WebhookRequest, stable_event_id

if TYPE_CHECKING:
    from datetime import datetime


__all__ = ["VENDOR", "Delivery", "open_delivery"]

VENDOR = "livechat"


@frozen
class Delivery:
    """One checked LiveChat delivery: ``{webhook_id, secret_key, action, payload, ...}``.

    ``raw`` is the body without ``secret_key``: the secret is never stored.
    """

    request: WebhookRequest
    action: str
    payload: Any
    organization_id: str | None
    raw: dict[str, Any]

    def stable_id(self, *parts: object) -> str:
        """A dedup id from what identifies this delivery (LiveChat retries send equal bodies)."""
        return stable_event_id(VENDOR, self.action, self.organization_id, *parts)

    def fields(self) -> dict[str, Any]:
        """``payload`` for the actions whose payload must be an object."""
        if not isinstance(self.payload, dict):
            raise TypeError(f"payload of {self.action} is not an object")
        return self.payload

    def chat_ids(self) -> Chat:
        """The chat and thread this delivery is about, from ``payload.chat_id/thread_id``."""
        chat_id, thread_id = self.fields().get("chat_id"), self.fields().get("thread_id")
        for name, value in (("chat_id", chat_id), ("thread_id", thread_id)):
            if value is not None and not isinstance(value, str):
                raise TypeError(f"payload.{name} is not a string")
        return Chat(id=chat_id, thread_id=thread_id)

    def event(
        self, event_type: str, event_id: str, *, occurred_at: datetime | None = None, **fields: Any
    ) -> Event:
        """An :class:`~hookyard.events.Event` with this delivery's common fields filled in."""
        received_at = self.request.received_at
        return Event(
            id=event_id,
            source=self.request.source,
            vendor=VENDOR,
            type=event_type,
            vendor_type=self.action,
            occurred_at=received_at if occurred_at is None else occurred_at,
            received_at=received_at,
            raw=self.raw,
            **fields,
        )


def open_delivery(request: WebhookRequest) -> Delivery:
    """Check the envelope; :class:`~hookyard.vendors.PayloadRejected` if it is not LiveChat's.

    ``payload`` is normally an object; ``auto_accesses_updated`` sends an array, so arrays
    pass here and only the actions that need an object reject them (as unparsed).
    """
    body = request.json()
    if not isinstance(body, dict):
        raise PayloadRejected("LiveChat body is not a JSON object")
    action = body.get("action")
    if not isinstance(action, str) or not action:
        raise PayloadRejected("LiveChat body has no action string")
    payload = body.get("payload")
    if not isinstance(payload, dict | list):
        raise PayloadRejected("LiveChat body has no payload object or array")
    organization_id = body.get("organization_id")
    raw = {key: value for key, value in body.items() if key != "secret_key"}
    return Delivery(
        request=request,
        action=action,
        payload=payload,
        organization_id=organization_id if isinstance(organization_id, str) else None,
        raw=raw,
    )
