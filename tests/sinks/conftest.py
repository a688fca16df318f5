"""Fixtures for sink tests: delivery requests and an address nobody listens on.

The recording HTTP server is hookyard's own ``recording_server`` fixture
(:mod:`hookyard.testing`).
"""

from __future__ import annotations

import copy
import socket
from collections.abc import Callable
from typing import Any

import pytest

from hookyard.sinks import DeliveryRequest

#: An event in its JSON form, as the host hands it to sinks.
EVENT: dict[str, Any] = {
    "id": "evt-0001",
    "source": "livechat-main",
    "vendor": "livechat",
    "type": "chat.started",
    "vendor_type": "incoming_chat",
    "occurred_at": "2025-03-04T10:11:12Z",
    "received_at": "2025-03-04T10:11:13Z",
    "chat": {
        "id": "chat-42",
        "thread_id": "thread-7",
        "status": "open",
        "department": "sales",
        "tags": ["vip"],
        "rating": None,
    },
    "customer": {
        "id": "cust-1",
        "name": "Zoë Ångström",
        "email": "zoe@example.com",
        "phone": None,
        "company": None,
    },
    "agent": None,
    "message": None,
    "changes": {},
    "data": {"note": "naïve café ✓"},
    "raw": {"action": "incoming_chat"},
}


@pytest.fixture
def refused_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/in"


MakeRequest = Callable[..., DeliveryRequest]


@pytest.fixture
def make_request() -> MakeRequest:
    """Build a :class:`DeliveryRequest` for :data:`EVENT`; keyword arguments override."""

    def make(**overrides: Any) -> DeliveryRequest:
        values: dict[str, Any] = {
            "delivery_id": 17,
            "event": copy.deepcopy(EVENT),
            "action": "post",
            "params": {},
            "idempotency_key": "evt-0001:route-a:post",
            "attempt": 1,
            "route": "route-a",
        }
        values.update(overrides)
        return DeliveryRequest(**values)

    return make
