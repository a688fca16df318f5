"""Helpers for the LiveChat plugin tests: fixture bodies and webhook requests.

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
SECRET = "test-secret"
RECEIVED_AT = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)

Body = dict[str, Any]


def fixture_names() -> list[str]:
    return sorted(path.stem for path in FIXTURES.glob("*.json"))


def load(name: str) -> Body:
    """A fixture body as a dict (a fresh copy every call, safe to modify)."""
    body: Body = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    return body


def changed(name: str, *path: str | int, value: object) -> Body:
    """Fixture ``name`` with the value at ``path`` (keys and indexes from the top) set to
    ``value``."""
    body = load(name)
    target: Any = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


def request_for(body: Body | bytes, received_at: datetime = RECEIVED_AT) -> WebhookRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"content-type": "application/json"}
    return WebhookRequest(
        source="livechat-main", body=raw, headers=headers, received_at=received_at
    )
