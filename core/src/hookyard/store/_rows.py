"""The rows intake writes, and their column values: one definition for every backend."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from attrs import evolve, frozen

from hookyard._json import dumps
from hookyard.routing.gates import Gate

__all__ = [
    "EVENT_ID_LENGTH",
    "EventRow",
    "Key",
    "Latest",
    "PlannedRow",
    "conversation_key",
    "delivery_params",
    "event_params",
    "first_of_each",
    "storable_text",
    "stored_event_id",
    "stored_flags",
    "stored_gate_key",
    "tell_repeats_apart",
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
    #: Its route's gate (routing/gates.py): intake decides it with what is stored.
    gate: Gate | None = None
    why: str = ""


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
    #: ``Event.dedup_group`` (as stored); None for an event whose id alone dedups it.
    dedup_group: str | None = None
    #: The id the parser gave a grouped event, before a repeat got its ``~n``.
    dedup_id: str | None = None
    #: Its conversation (:func:`conversation_key`): a sink's deliveries of one conversation
    #: are attempted in the order the events occurred.
    conversation: str | None = None

    @property
    def key(self) -> Key:
        return (self.source, self.event_id)


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
        "dedup_group": row.dedup_group,
        "dedup_id": row.dedup_id,
    }


def delivery_params(
    event_pk: int, row: EventRow, planned: PlannedRow, now: datetime
) -> dict[str, Any]:
    """Column values of the ``deliveries`` row for ``planned``, one of ``row``'s."""
    return {
        "event_pk": event_pk,
        "conversation": row.conversation,
        "occurred_at": row.occurred_at or row.received_at,
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
        "why": planned.why or None,
        "gate": None if planned.gate is None else planned.gate.kind,
        "gate_key": None if planned.gate is None else stored_gate_key(planned.gate.key),
        "group_id": None,
    }


def conversation_key(source: str, chat_id: str | None, customer_id: str | None) -> str | None:
    """The conversation an event belongs to, as deliveries store it: its chat, else its
    customer, within its source; None for an event with neither (it is never held)."""
    if chat_id:
        return stored_event_id(f"{source}/chat/{chat_id}")
    if customer_id:
        return stored_event_id(f"{source}/customer/{customer_id}")
    return None


def stored_event_id(event_id: str) -> str:
    """``event_id`` as the store keys it: as it is, or ``sha256:<hex>`` when it is longer
    than :data:`EVENT_ID_LENGTH` or is not UTF-8 (a lone surrogate a sender wrote as
    ``\\ud800``): a sender's id of any length or text is still stored once."""
    if len(event_id) <= EVENT_ID_LENGTH and _is_utf8(event_id):
        return event_id
    return "sha256:" + _digest(event_id)


def stored_gate_key(key: str) -> str:
    """A gate's rendered key as the store keys it: as :func:`stored_event_id`, and
    ``sha256:<hex>`` for a key with a NUL too (text columns of PostgreSQL refuse NUL)."""
    return "sha256:" + _digest(key) if "\x00" in key else stored_event_id(key)


def storable_text(text: str) -> str:
    """``text`` as a text column holds it: a lone surrogate as its ``\\uXXXX`` escape."""
    return text if _is_utf8(text) else text.encode("utf-8", "backslashreplace").decode()


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


#: Per (source, dedup group): the ``dedup_id`` and ``event_id`` of its latest stored event.
Latest = dict[tuple[str, str], tuple[str, str]]


def tell_repeats_apart(
    rows: Sequence[EventRow], latest: Latest, seen: dict[Key, int]
) -> list[EventRow]:
    """``rows`` in order, each grouped one with the id it is stored under (Event.dedup_group).

    :param latest: each group's latest stored event (updated as rows are taken).
    :param seen: per (source, id the parser gave), how many events are stored with it.

    The id of its group's latest event: a retry, given that event's stored id (so it is
    skipped as a duplicate). Else a new event: its own id the first time, ``<id>~n`` for
    the n-th time; its deliveries get idempotency keys of their own.
    """
    told = []
    for row in rows:
        if row.dedup_group is None:
            told.append(row)
            continue
        group, base = (row.source, row.dedup_group), row.event_id
        last = latest.get(group)
        if last is not None and last[0] == base:
            final = last[1]
        else:
            count = seen.get((row.source, base), 0) + 1
            seen[(row.source, base)] = count
            final = base if count == 1 else stored_event_id(f"{base}~{count}")
        latest[group] = (base, final)
        told.append(_stored_as(row, final) if final != base else evolve(row, dedup_id=base))
    return told


def _stored_as(row: EventRow, event_id: str) -> EventRow:
    """``row`` as the repeat stored under ``event_id``: the JSON form and keys say so too."""
    body = row.body
    if body is not None:
        form = json.loads(body)
        form["id"] = event_id
        body = dumps(form)
    deliveries = [
        evolve(p, idempotency_key=_digest(f"{p.idempotency_key}\x00{event_id}")[:40])
        for p in row.deliveries
    ]
    return evolve(row, event_id=event_id, dedup_id=row.event_id, body=body, deliveries=deliveries)


def first_of_each(rows: Sequence[EventRow]) -> dict[Key, EventRow]:
    """One row per (source, event id), the first: later ones are duplicates."""
    unique: dict[Key, EventRow] = {}
    for row in rows:
        unique.setdefault(row.key, row)
    return unique


def stored_flags(rows: Sequence[EventRow], inserted: dict[Key, int]) -> list[bool]:
    """Whether each of ``rows`` was stored: the first row of each key that was inserted."""
    left = dict(inserted)
    return [left.pop(row.key, None) is not None for row in rows]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
