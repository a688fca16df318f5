"""The rows intake writes, and their column values: one definition for every backend."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from attrs import frozen

from hookyard._json import dumps

__all__ = [
    "EVENT_ID_LENGTH",
    "EventRow",
    "Key",
    "PlannedRow",
    "delivery_params",
    "event_params",
    "stored_event_id",
]

#: The longest event id the ``events`` table keeps as it is (``VARCHAR(200)``).
EVENT_ID_LENGTH = 200

#: An event's identity within the store: (source, event id).
Key = tuple[str, str]


@frozen
class PlannedRow:
    route: str
    sink: str
    action: str
    params: dict[str, Any]
    idempotency_key: str
    error: str | None = None


@frozen
class EventRow:
    """One event (or one unparsed payload) and the deliveries routing planned for it."""

    source: str
    event_id: str
    vendor: str
    type: str
    status: str
    received_at: datetime
    occurred_at: datetime | None = None
    body: str | None = None
    payload: bytes | None = None
    headers: str | None = None
    error: str | None = None
    deliveries: Sequence[PlannedRow] = ()


def event_params(row: EventRow) -> dict[str, Any]:
    """Column values of the ``events`` row for ``row``."""
    return {
        "source": row.source,
        "event_id": row.event_id,
        "vendor": row.vendor,
        "type": row.type,
        "status": row.status,
        "received_at": row.received_at,
        "occurred_at": row.occurred_at,
        "body": row.body,
        "payload": row.payload,
        "headers": row.headers,
        "error": row.error,
    }


def delivery_params(event_pk: int, planned: PlannedRow, now: datetime) -> dict[str, Any]:
    """Column values of the ``deliveries`` row for ``planned``."""
    return {
        "event_pk": event_pk,
        "route": planned.route,
        "sink": planned.sink,
        "action": planned.action,
        "params": dumps(planned.params),
        "idempotency_key": planned.idempotency_key,
        "status": "dead" if planned.error else "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": planned.error,
        "created_at": now,
        "updated_at": now,
    }


def stored_event_id(event_id: str) -> str:
    """``event_id`` as the store keys it: as it is, or ``sha256:<hex>`` when it is longer
    than :data:`EVENT_ID_LENGTH` (a sender's id of any length is still stored once)."""
    if len(event_id) <= EVENT_ID_LENGTH:
        return event_id
    return "sha256:" + hashlib.sha256(event_id.encode("utf-8", "surrogatepass")).hexdigest()
