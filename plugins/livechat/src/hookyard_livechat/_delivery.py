"""The LiveChat envelope: checking its shape and building events from it."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard import Chat, Event, PayloadRejected, WebhookRequest, stable_event_id
from hookyard_livechat._fields import Obj, rejected

if TYPE_CHECKING:
    from datetime import datetime


__all__ = ["REPEATABLE", "VENDOR", "Delivery", "open_delivery"]

VENDOR = "livechat"

#: The ``dedup_window`` of events whose id cannot tell a retry from a real repeat (the same
#: tag added again): LiveChat retries up to 3 times within about a minute, so a body seen
#: again within 90 s of the stored one is a retry, and later it is a new event.
REPEATABLE = timedelta(seconds=90)


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
