"""The LiveChat envelope: checking its shape and building events from it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard import Chat, Event, PayloadRejected, WebhookRequest, stable_event_id
from hookyard_livechat._fields import Obj, rejected

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
    requester: dict[str, Any] | None
    raw: dict[str, Any]

    def stable_id(self, *parts: object) -> str:
        """A dedup id from what identifies this delivery (LiveChat retries send equal bodies)."""
        return stable_event_id(VENDOR, self.action, self.organization_id, *parts)

    def group(self, kind: str, *parts: str | int | None) -> str:
        """The ``dedup_group`` of an event whose id cannot tell a retry from a real repeat:
        ``livechat:<kind>:<organization_id>:<parts>``, naming what the event reports the
        state of (``group("tag", chat_id, thread_id, tag)``).

        The events that change one state, and undo each other (a tag added and removed),
        share it. Every part but the last is an id without ``:``, so no two groups can spell
        the same text; an absent part is empty.
        """
        texts = ("" if part is None else str(part) for part in (self.organization_id, *parts))
        return ":".join((VENDOR, kind, *texts))

    def fields(self) -> Obj:
        """``payload``, for the actions whose payload is an object."""
        return Obj.of(self.payload, "payload")

    def chat_ids(self) -> Chat:
        """The chat and thread this delivery is about (``payload.chat_id``, ``thread_id``)."""
        fields = self.fields()
        return Chat(id=fields.opt_str("chat_id"), thread_id=fields.opt_str("thread_id"))

    def event(
        self,
        event_type: str,
        event_id: str,
        *,
        occurred_at: datetime | None = None,
        data: dict[str, Any] | None = None,
        **fields: Any,
    ) -> Event:
        """An :class:`~hookyard.Event` with this delivery's common fields filled in.

        ``data.requester`` is the v3.6 configuration webhooks' ``requester`` when sent.
        """
        received_at = self.request.received_at
        extra = dict(data or {})
        if self.requester is not None:
            extra["requester"] = self.requester
        return Event(
            id=event_id,
            source=self.request.source,
            vendor=VENDOR,
            type=event_type,
            vendor_type=self.action,
            occurred_at=received_at if occurred_at is None else occurred_at,
            received_at=received_at,
            raw=self.raw,
            data=extra,
            **fields,
        )


def open_delivery(request: WebhookRequest) -> Delivery:
    """Check the envelope; :class:`~hookyard.PayloadRejected` if it is not LiveChat's.

    ``payload`` is normally an object; ``auto_accesses_updated`` sends an array, so arrays
    pass here and the actions that need an object reject them.
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
    return Delivery(
        request=request,
        action=action,
        payload=payload,
        organization_id=organization_id if isinstance(organization_id, str) else None,
        requester=_requester(body),
        raw={key: value for key, value in body.items() if key != "secret_key"},
    )


def _requester(body: dict[str, Any]) -> dict[str, Any] | None:
    """``requester`` (v3.6 configuration webhooks): ``{user_id, account_id, client_id}``."""
    found = body.get("requester")
    if found is None:
        return None
    if not isinstance(found, dict):
        raise rejected("requester", "an object", found)
    requester = Obj(found, "requester")
    for key in ("user_id", "account_id", "client_id"):
        requester.opt_str(key)
    return found
