"""Realistic, correctly signed sample deliveries for ``hookyard simulate``."""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hookyard import SimulatedRequest
from hookyard.signing import hmac_digest

if TYPE_CHECKING:
    from hookyard_superoffice._config import SuperOfficeConfig

__all__ = ["ACTIONS", "simulate"]

#: What ``simulate`` accepts. ``chatsession.changed`` comes in the variants that map to
#: different types: a status change (``UserLast``), queued, closed, rated, other details.
ACTIONS: tuple[str, ...] = (
    "chatsession.created",
    "chatsession.message",
    "chatsession.changed",
    "chatsession.changed:queued",
    "chatsession.changed:closed",
    "chatsession.changed:rated",
    "chatsession.changed:details",
    "test",
    "webhook.started",
    "webhook.stopped",
    "webhook.errors",
)

USER_AGENT = "NetServer-Webhook/10.3.9.1719"
TENANT = "Cust12345"
#: The message event's ``Changes``, as SuperOffice's sample lists them (and no text).
MESSAGE_CHANGES = (
    "chatSession.topicId",
    "chatSession.userId",
    "chatSession.customerId",
    "chatSession.customerName",
    "chatSession.customerEmail",
    "chatSession.companyName",
    "chatSession.customerPhone",
    "chatMessage.sessionId",
    "chatMessage.id",
    "chatMessage.message",
    "chatMessage.type",
    "chatMessage.specialType",
    "chatMessage.specialParam",
    "chatMessage.author",
)
#: ``chatsession.changed`` variant -> (``Changes``, ``FieldValues`` that differ).
_CHANGED: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "chatsession.changed": (("chatSession.status",), {"Status": 6}),
    "chatsession.changed:queued": (("chatSession.status",), {"Status": 4, "UserId": 0}),
    "chatsession.changed:closed": (("chatSession.status",), {"Status": 9}),
    "chatsession.changed:rated": (("chatSession.rating",), {"Status": 9, "Rating": 5}),
    "chatsession.changed:details": (("chatSession.ticketId",), {"Status": 6, "TicketId": 4711}),
}
#: State event -> ``FieldValues.state`` per the docs' legend (0 Active, 1 Stopped, 2 errors).
_STATE_CODES = {"webhook.started": 0, "webhook.stopped": 1, "webhook.errors": 2}


def _timestamp(moment: datetime) -> str:
    """A time as .NET writes it: 7 fractional digits and ``Z``."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f") + str(secrets.randbelow(10)) + "Z"


def _chat_values(name: str) -> dict[str, Any]:
    """``FieldValues`` in the sample's PascalCase and mixed types (``"ContactId": "21"``)."""
    values: dict[str, Any] = {
        "AlertLevel": 0,
        "ChatbotIsactive": False,
        "Consented": True,
        "ContactId": "21",
        "CustomerAlias": "Thomas",
        "CustomerId": "12",
        "ProjectId": 0,
        "Rating": 0,
        "SaleId": 0,
        "Status": 4,
        "TicketId": 0,
        "TopicId": 3,
        "UserId": 316,
    }
    if name == "chatsession.created":
        values["UserId"] = 0
    values.update(_CHANGED.get(name, ((), {}))[1])
    return values


def _body(name: str, event_id: str, now: datetime) -> dict[str, Any]:
    event = name.split(":")[0]
    body: dict[str, Any] = {
        "EventId": event_id,
        "Timestamp": _timestamp(now),
        "Changes": [],
        "Event": event,
        "PrimaryKey": 100_000 + secrets.randbelow(900_000),
        "Entity": "chatsession",
        "ContextIdentifier": TENANT,
        "ChangedByAssociateId": 316,
        "WebhookName": "hookyard chat",
    }
    if event == "chatsession.message":
        body["Changes"] = list(MESSAGE_CHANGES)
    elif event.startswith("chatsession."):
        body["Changes"] = list(_CHANGED.get(name, ((), {}))[0])
        body["FieldValues"] = _chat_values(name)
    elif event == "test":
        body.update(PrimaryKey=0, Entity="test")
    else:
        del body["Entity"]  # the state events' body has none
        webhook_id = 1 + secrets.randbelow(999)
        body.update(PrimaryKey=webhook_id, ChangedByAssociateId=0, FieldValues=_state_values(name))
    return body


def _state_values(name: str) -> dict[str, Any]:
    return {
        "events": 1 + secrets.randbelow(500),
        "registered": "2025-05-14T16:11:02.4593434+02:00",
        "registered_associate_id": 5,
        "state": _STATE_CODES[name],
        "updated": "0001-01-01T00:00:00",
        "updated_associate_id": 0,
    }


def simulate(config: SuperOfficeConfig, action: str) -> SimulatedRequest:
    """A first delivery SuperOffice could send for ``action``, with fresh ids.

    Headers carry SuperOffice's own capitalisation. The test delivery has ``X-Hook-Test:
    true`` and, as in SuperOffice's sample, a header event id that differs from the
    body's. A state event's header names the webhook (``webhook123.errors``). Signed with
    the source's secret (unsigned when it has none).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown SuperOffice action {action!r}; known: {', '.join(ACTIONS)}")
    event_id = str(uuid.uuid4())
    body_value = _body(action, event_id, datetime.now(UTC))
    body = json.dumps(body_value, indent=2).encode()
    header_event = body_value["Event"]
    if action.startswith("webhook."):
        header_event = action.replace("webhook.", f"webhook{body_value['PrimaryKey']}.")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-SuperOffice-Event": header_event,
        "X-SuperOffice-EventId": str(uuid.uuid4()) if action == "test" else event_id,
        "X-SuperOffice-Retry": "0",
    }
    if action == "test":
        headers["X-Hook-Test"] = "true"
    if config.secret:
        headers["X-SuperOffice-Signature"] = hmac_digest(config.secret, body, encoding="base64")
    return SimulatedRequest(body=body, headers=headers)
