"""Helpers for the SuperOffice plugin tests: fixture bodies, their headers, signatures.

A uniquely named module (not conftest) so that it cannot collide with other plugins' test
helpers when the whole workspace is tested at once.

The fixtures are corrected copies of SuperOffice's samples (``reference/chat-events.md``,
``test-event.md``, ``state-events.md``): trailing commas removed, and each given its own
``EventId`` (the docs reuse one). The ``chatsession_changed_*`` variants have no vendor
sample; they use the camelCase keys of the documented field list.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hookyard import WebhookRequest
from hookyard.signing import hmac_digest

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "Something Super Secret"
SOURCE = "superoffice-main"
RECEIVED_AT = datetime(2025, 7, 7, 12, 0, 0, tzinfo=UTC)
#: The header event id of SuperOffice's test sample, which differs from its body's.
TEST_HEADER_EVENT_ID = "f0a473ae-6194-4701-8fd1-49caf355067a"

Body = dict[str, Any]


def fixture_names() -> list[str]:
    return sorted(path.stem for path in FIXTURES.glob("*.json"))


def raw(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def load(name: str) -> Body:
    """A fixture body as a dict (a fresh copy every call, safe to modify)."""
    body: Body = json.loads(raw(name))
    return body


def delivery_headers(name: str) -> dict[str, str]:
    """The unsigned headers SuperOffice sends with fixture ``name``, lower-cased."""
    body = load(name)
    event = body["Event"]
    headers = {
        "content-type": "application/json; charset=utf-8",
        "user-agent": "NetServer-Webhook/8.8.6684.1719",
        "x-superoffice-event": event.replace("webhook.", f"webhook{body['PrimaryKey']}."),
        "x-superoffice-eventid": body["EventId"],
    }
    if event == "test":
        headers.update({"x-hook-test": "true", "x-superoffice-eventid": TEST_HEADER_EVENT_ID})
    return headers


def signature(body: bytes, secret: str = SECRET) -> str:
    """``X-SuperOffice-Signature``: base64 HMAC-SHA256 of the raw body."""
    return hmac_digest(secret, body, algorithm="sha256", encoding="base64")


def signed(body: bytes, secret: str = SECRET, **extra: str) -> dict[str, str]:
    """Headers with the signature of ``body`` (and ``extra``, ``_`` for ``-``)."""
    headers = {"content-type": "application/json; charset=utf-8"}
    headers.update({key.replace("_", "-"): value for key, value in extra.items()})
    headers["x-superoffice-signature"] = signature(body, secret)
    return headers


def request_for(body: Body | bytes, headers: dict[str, str] | None = None) -> WebhookRequest:
    """A request for ``body``, signed with :data:`SECRET` unless ``headers`` are given."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return WebhookRequest(
        source=SOURCE,
        body=data,
        headers=signed(data) if headers is None else headers,
        received_at=RECEIVED_AT,
    )


def fixture_request(name: str) -> WebhookRequest:
    """Fixture ``name`` with the headers SuperOffice sends with it, signed."""
    body = raw(name)
    return request_for(body, {**delivery_headers(name), **signed(body)})
