"""Helpers for the HelpCrunch plugin tests: fixture bodies, signatures and requests.

A uniquely named module (not conftest) so that it cannot collide with other plugins' test
helpers when the whole workspace is tested at once.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hookyard import WebhookRequest
from hookyard.signing import hmac_digest

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "hc-signing-key"
SOURCE = "helpcrunch-main"
RECEIVED_AT = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)

Body = dict[str, Any]


def fixture_names() -> list[str]:
    return sorted(path.stem for path in FIXTURES.glob("*.json"))


def raw(name: str) -> bytes:
    """A fixture exactly as HelpCrunch sends it (PHP-escaped ``\\/`` included)."""
    return (FIXTURES / f"{name}.json").read_bytes()


def load(name: str) -> Body:
    """A fixture body as a dict (a fresh copy every call, safe to modify)."""
    body: Body = json.loads(raw(name))
    return body


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    """The headers HelpCrunch sends with ``body``, lower-cased as hookyard hands them over."""
    signature = hmac_digest(secret, body, algorithm="sha1")
    return {"content-type": "application/json", "x-helpcrunch-signature": signature}


def request_for(body: Body | bytes, headers: dict[str, str] | None = None) -> WebhookRequest:
    """A request for ``body``, signed with :data:`SECRET` unless ``headers`` are given."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return WebhookRequest(
        source=SOURCE,
        body=data,
        headers=signed(data) if headers is None else headers,
        received_at=RECEIVED_AT,
    )
