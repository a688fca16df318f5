"""Helpers for the DeskDirector plugin tests: fixture bodies, signatures and requests.

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
from hookyard_deskdirector import DeskDirectorConfig

__all__ = [
    "CONFIG",
    "FIXTURES",
    "RECEIVED_AT",
    "SECRET",
    "STATUSES",
    "load",
    "raw",
    "request_for",
    "signed",
]

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "kfA18wgZKW30F7dL1JtlHq2judcJ0uoB"
CONFIG = DeskDirectorConfig(secret=SECRET)
RECEIVED_AT = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
#: Every DeskDirector status and its fixture's name.
STATUSES = ("created", "handled", "missed", "completed", "callback")


def raw(name: str) -> bytes:
    """A fixture's exact bytes, as DeskDirector would sign them."""
    return (FIXTURES / f"{name}.json").read_bytes()


def load(name: str) -> list[dict[str, Any]]:
    """A fixture body as a list of sessions (a fresh copy every call, safe to modify)."""
    body: list[dict[str, Any]] = json.loads(raw(name))
    return body


def signed(body: bytes, secret: str = SECRET, encoding: str = "hex") -> dict[str, str]:
    """Headers carrying the ``x-dd-signature`` DeskDirector would send for ``body``."""
    digest = hmac_digest(secret, body, encoding=encoding)
    return {"content-type": "application/json", "x-dd-signature": f"sha256={digest}"}


def request_for(
    body: bytes | list[Any] | object,
    headers: dict[str, str] | None = None,
    received_at: datetime = RECEIVED_AT,
) -> WebhookRequest:
    """A request for ``body`` (bytes as they are, anything else as JSON), signed by default."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return WebhookRequest(
        source="deskdirector-main",
        body=data,
        headers=signed(data) if headers is None else headers,
        received_at=received_at,
    )
