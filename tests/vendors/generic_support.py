"""Shared by the ``generic`` vendor's tests: a platform that is not hookyard, its deliveries,
and signing them as senders do (the Standard Webhooks reference library, plain ``hmac``)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from standardwebhooks.webhooks import Webhook

if TYPE_CHECKING:
    from hookyard.testing import TestHost

#: Every installed plugin, blocked: generic is built in and needs none of them.
INSTALLED_PLUGINS = tuple(sorted({ep.name for ep in entry_points(group="hookyard")}))
SOURCE = "acme-chat"
SW_SECRET = "whsec_" + base64.b64encode(b"generic-vendor-tests-key-01").decode()
NEW_SW_SECRET = "whsec_" + base64.b64encode(b"generic-vendor-tests-key-02").decode()
HMAC_SECRET = "acme-signing-secret"

#: How the made-up platform "Acme Chat" is read: every kind of field a mapping fills.
ACME_MAPPING: dict[str, Any] = {
    "type": {
        "path": "event_name",
        "values": {
            "conversation.created": "chat.started",
            "message.new": "chat.message",
            "conversation.closed": "chat.closed",
            "ping": "webhook.test",
        },
    },
    "id": "delivery_id",
    "occurred_at": "created_at",
    "chat.id": "conversation.id",
    "chat.status": "conversation.state",
    "chat.tags": "conversation.labels",
    "customer.email": "conversation.contact.email",
    "customer.name": "conversation.contact.name",
    "agent.id": "conversation.assignee.id",
    "message.id": "message.id",
    "message.text": "message.body",
    "message.author_role": {
        "path": "message.sender",
        "values": {"visitor": "customer", "operator": "agent"},
    },
    "message.created_at": "message.sent_at_ms",
    "data": {"plan": "account.plan", "first_item": "items.0.sku"},
}
ACME_SIGNATURE = {"header": "X-Acme-Signature", "prefix": "sha256="}


def acme_delivery(event_name: str = "message.new") -> dict[str, Any]:
    """One delivery as Acme Chat sends it."""
    return {
        "delivery_id": "dlv_1",
        "event_name": event_name,
        "created_at": "2025-03-04T10:11:12+01:00",
        "conversation": {
            "id": 4711,
            "state": "open",
            "labels": ["vip", 7],
            "contact": {"email": "zoe@example.com", "name": "Zoë"},
            "assignee": {"id": "op-3"},
        },
        "message": {"id": "m-9", "body": "Hi!", "sender": "visitor", "sent_at_ms": 1741083072500},
        "account": {"plan": "pro"},
        "items": [{"sku": "A-1"}, {"sku": "B-2"}],
    }


def encoded(body: dict[str, Any] | bytes) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


def standard_headers(
    secret: str, body: bytes, *, msg_id: str = "msg_1", age: float = 0
) -> dict[str, str]:
    """The headers a Standard Webhooks sender signs ``body`` with, ``age`` seconds ago."""
    when = datetime.now(UTC) - timedelta(seconds=age)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, when, body.decode()),
        "content-type": "application/json",
    }


def hmac_signature(
    secret: str, body: bytes, algorithm: str = "sha256", encoding: str = "hex", prefix: str = ""
) -> str:
    """A header value as a platform that signs the raw body writes it."""
    digest = hmac.new(secret.encode(), body, getattr(hashlib, algorithm)).digest()
    return prefix + (digest.hex() if encoding == "hex" else base64.b64encode(digest).decode())


def acme_headers(body: bytes, secret: str = HMAC_SECRET) -> dict[str, str]:
    return {"X-Acme-Signature": hmac_signature(secret, body, prefix="sha256=")}


def generic_source(**options: Any) -> dict[str, Any]:
    """A configuration with one ``generic`` source named :data:`SOURCE`."""
    return {"sources": {SOURCE: {"vendor": "generic", **options}}}


async def stored_events(host: TestHost) -> list[dict[str, Any]]:
    """The stored events' JSON forms, oldest first."""
    rows = await host.host.store.events(limit=1000)
    return [json.loads(row["body"]) for row in reversed(rows) if row["status"] == "stored"]


async def stored_rows(host: TestHost) -> list[dict[str, Any]]:
    """Every row the store holds, parsed or not."""
    return await host.host.store.events(limit=1000)
