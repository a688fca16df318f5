"""Helpers for the Comm100 plugin tests: fixture bodies and requests.

A uniquely named module (not conftest) so that it cannot collide with other plugins' test
helpers when the whole workspace is tested at once.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hookyard import WebhookRequest

FIXTURES = Path(__file__).parent / "fixtures"
SOURCE = "comm100-main"
RECEIVED_AT = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
#: A source for host tests: Comm100 has nothing to verify, so ``auth: none``.
HOST_CONFIG = {"sources": {SOURCE: {"vendor": "comm100", "auth": "none"}}}

Body = dict[str, Any]


def fixture_names() -> list[str]:
    return sorted(path.stem for path in FIXTURES.glob("*.json"))


def raw(name: str) -> bytes:
    """A fixture exactly as Comm100 sends it (``\\/Date(…)\\/`` escapes included)."""
    return (FIXTURES / f"{name}.json").read_bytes()


def load(name: str) -> Body:
    """A fixture body as a dict (a fresh copy every call, safe to modify)."""
    body: Body = json.loads(raw(name))
    return body


def request_for(body: Body | bytes) -> WebhookRequest:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return WebhookRequest(
        source=SOURCE,
        body=data,
        headers={"content-type": "application/json"},
        received_at=RECEIVED_AT,
    )
