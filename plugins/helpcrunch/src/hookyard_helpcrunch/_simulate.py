"""Realistic, correctly signed sample deliveries for ``hookyard simulate``."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard import SimulatedRequest
from hookyard.signing import hmac_digest
from hookyard_helpcrunch._chats import CHAT_TYPES
from hookyard_helpcrunch._customers import CUSTOMER_TYPES
from hookyard_helpcrunch._messages import MESSAGE_KINDS
from hookyard_helpcrunch._verify import SIGNATURE_HEADER

if TYPE_CHECKING:
    from hookyard_helpcrunch._config import HelpCrunchConfig

__all__ = ["ACTIONS", "simulate"]

#: What ``simulate`` accepts: every documented HelpCrunch event, by its own name.
ACTIONS: tuple[str, ...] = (*CHAT_TYPES, *MESSAGE_KINDS, *CUSTOMER_TYPES)

USER_AGENT = "GuzzleHttp/6.5.5 curl/7.64.0 PHP/7.3.33"
_AGENT = {"id": 2924, "name": "Paula Smith", "email": "paula@example.com", "role": "admin"}
_CHAT_STATUS = {"chat.new": "new", "chat.closed": "closed", "chat.rated": "closed"}


@frozen
class _Sample:
    """The fresh ids and the time one simulated delivery uses."""

    chat_id: int
    customer_id: int
    message_id: int
    now: float

    @classmethod
    def fresh(cls) -> _Sample:
        def number() -> int:
            return 1_000_000 + secrets.randbelow(9_000_000)

        return cls(number(), number(), number(), time.time())

    def stamp(self, offset: float = 0.0) -> str:
        """A time as HelpCrunch writes it inside eventData: ``"1607542030.713"``."""
        return f"{self.now + offset:.3f}"

    def customer(self) -> dict[str, Any]:
        return {
            "id": self.customer_id,
            "name": "Thomas Anderson",
            "email": "t.anderson@example.com",
            "userId": f"shop_{self.customer_id}",
        }


def _chat(sample: _Sample, name: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "communicatedAgents": [_AGENT["id"]],
        "customer": sample.customer(),
        "status": _CHAT_STATUS.get(name, "open"),
        "createdAt": sample.stamp(-600),
        "applicationId": 89,
        "applications": [89],
        "department": {"id": 233231, "name": "Sales"},
        "lastCustomerMessageAt": sample.stamp(-60),
        "chat_id": sample.chat_id,
        "assignee": dict(_AGENT),
        "lastMessage": {
            "id": sample.message_id,
            "text": "Hi, is my order https://shop.example.com/orders/A-10023 on its way?",
            "createdAt": sample.stamp(-60),
        },
    }
    if name == "chat.snoozed":
        data["snoozedUntil"] = sample.stamp(3600)
    if name in {"chat.closed", "chat.rated"}:
        data.update(closedBy="customer", closedAt=sample.stamp(-5))
    if name == "chat.rated":
        data["rating"] = "great"
    return data


def _message(sample: _Sample, name: str) -> dict[str, Any]:
    kind = MESSAGE_KINDS[name]
    text = "Could you check https://shop.example.com/orders/A-10023?"
    if kind.author_role == "agent":
        text = "It left our warehouse this morning." if not kind.private else "Refund if late."
    message = {
        "applicationId": 89,
        "broadcastType": kind.channel,
        "createdAt": sample.stamp(),
        "edited": False,
        "id": sample.message_id,
        "read": False,
        "text": text,
        "updatedAt": sample.stamp(),
    }
    agent = dict(_AGENT) if kind.author_role == "agent" else None
    return {
        "chat_id": sample.chat_id,
        "agent": agent,
        "customer": sample.customer(),
        "message": message,
    }


def _customer(sample: _Sample, name: str) -> dict[str, Any]:
    return {
        **sample.customer(),
        "phone": "+1 555 0100",
        "company": "Example Shop",
        "createdAt": sample.stamp(-86400),
        "lastSeen": sample.stamp(-60),
        "tags": [{"name": "vip", "color": "#ff9800"}] if name == "customer.tags_changed" else [],
        "unsubscribed": name == "customer.unsubscribed",
        "blocked": name == "customer.blocked",
        "customData": {"plan": "pro"},
    }


def _event_data(sample: _Sample, name: str) -> dict[str, Any]:
    if name in CHAT_TYPES:
        return _chat(sample, name)
    if name in MESSAGE_KINDS:
        return _message(sample, name)
    return _customer(sample, name)


def simulate(config: HelpCrunchConfig, action: str) -> SimulatedRequest:
    """A first delivery (``attempts: 0``) HelpCrunch could send for event ``action``.

    The body is written the way HelpCrunch's PHP sender writes it, ``/`` escaped as ``\\/``,
    and signed with the source's secret (unsigned when it has none).
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown HelpCrunch event {action!r}; known: {', '.join(ACTIONS)}")
    sample = _Sample.fresh()
    now = int(sample.now)
    envelope = {
        "event": action,
        "eventData": _event_data(sample, action),
        "attempts": 0,
        "lastAttemptAt": now,
        "createdAt": now,
        "id": str(uuid.uuid4()),
    }
    body = json.dumps(envelope).replace("/", "\\/").encode()
    headers = {"content-type": "application/json", "user-agent": USER_AGENT}
    if config.secret:
        headers[SIGNATURE_HEADER] = hmac_digest(config.secret, body, algorithm="sha1")
    return SimulatedRequest(body=body, headers=headers)
