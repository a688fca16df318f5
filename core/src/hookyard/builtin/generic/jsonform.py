"""The JSON-form mode: a body that is already an event in hookyard's JSON form.

What one hookyard's ``http`` sink posts (docs/events.md); ``type`` is required.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import cattrs
from cattrs.v import format_exception

from hookyard import (
    EVENT_TYPES,
    Chat,
    Event,
    Message,
    PayloadRejected,
    Person,
    stable_event_id,
)

__all__ = ["json_form_event", "sample"]

_PARTS: dict[str, type[Any]] = {
    "chat": Chat,
    "customer": Person,
    "agent": Person,
    "message": Message,
}


def json_form_event(
    converter: cattrs.Converter,
    body: dict[str, Any],
    source: str,
    received_at: datetime,
    webhook_id: str | None,
) -> Event:
    """The event ``body`` holds; :class:`PayloadRejected` says what is wrong with it.

    :param webhook_id: the ``webhook-id`` header, the event's id when the body has none.
    """
    event_type = body.get("type")
    if not isinstance(event_type, str) or event_type not in EVENT_TYPES:
        raise PayloadRejected(f"type must be a normalized event type, got {event_type!r}")
    return Event(
        id=_event_id(body, webhook_id),
        source=source,
        vendor="generic",
        type=event_type,
        vendor_type=str(body.get("vendor_type") or event_type),
        occurred_at=_occurred_at(body.get("occurred_at"), received_at),
        received_at=received_at,
        changes=_object(body, "changes"),
        data=_object(body, "data"),
        raw=body,
        **{name: _part(converter, body, name, cls) for name, cls in _PARTS.items()},
    )


def _event_id(body: dict[str, Any], webhook_id: str | None) -> str:
    given = body.get("id")
    if isinstance(given, bool) or not isinstance(given, str | int | None):
        raise PayloadRejected("id must be a string")
    if given is not None and given != "":
        return str(given)
    return webhook_id or stable_event_id(body)


def _occurred_at(value: Any, received_at: datetime) -> datetime:
    if value is None:
        return received_at
    try:
        when = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise PayloadRejected(f"occurred_at is not an ISO 8601 timestamp: {value!r}") from None
    if when.tzinfo is None:
        raise PayloadRejected("occurred_at has no time zone")
    try:
        return when.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+01:00, before the first UTC instant
        raise PayloadRejected(f"occurred_at is out of range: {value!r}") from None


def _object(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PayloadRejected(f"{name} must be a JSON object")
    return value


def _format(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, ValueError) and type_ is None:
        return str(exc)  # an attrs validator's message, e.g. a bad author_role
    return format_exception(exc, type_)


def _part(converter: cattrs.Converter, body: dict[str, Any], name: str, cls: type[Any]) -> Any:
    value = body.get(name)
    if value is None:
        return None
    try:
        return converter.structure(value, cls)
    except Exception as exc:  # cattrs raises many kinds; each becomes one short reason
        problems = cattrs.transform_error(exc, path=name, format_exception=_format)
        raise PayloadRejected("; ".join(problems)) from None


def sample(action: str, now: datetime) -> dict[str, Any]:
    """A realistic event of type ``action`` in the JSON form, with a fresh id."""
    stamp = now.isoformat(timespec="seconds").replace("+00:00", "Z")
    event: dict[str, Any] = {"id": f"evt_{uuid.uuid4().hex}", "type": action, "occurred_at": stamp}
    if action == "webhook.test":
        return event
    status = "closed" if action == "chat.closed" else "open"
    event["chat"] = {"id": "chat-1001", "status": status, "tags": ["simulated"]}
    event["customer"] = {"id": "customer-1", "name": "Ada Lovelace", "email": "ada@example.com"}
    event["agent"] = {"id": "agent-7", "name": "Grace Hopper", "email": "grace@example.com"}
    if action == "chat.message":
        event["message"] = {
            "id": f"msg_{uuid.uuid4().hex[:12]}",
            "text": "Hello! Where is my order?",
            "author_id": "customer-1",
            "author_role": "customer",
            "created_at": stamp,
        }
    event["data"] = {"simulated": True}
    return event
