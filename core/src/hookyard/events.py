"""The normalized chat event: one model for every vendor.

Public through :mod:`hookyard`: plugins import these names from there, not from here.

Every vendor parser turns a webhook into zero or more :class:`Event` objects. The model is
frozen attrs; its JSON form (the host's cattrs converter unstructures it once, at intake)
is what the store keeps, what the http and file sinks emit and what routing templates see
as ``event``. docs/events.md documents that form field by field.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from attrs import field, frozen

__all__ = [
    "EVENT_TYPES",
    "Attachment",
    "Chat",
    "Event",
    "Message",
    "Person",
    "Rating",
    "stable_event_id",
]

#: The closed vocabulary of normalized event types. A parser that cannot map a vendor
#: event uses ``unknown`` and keeps the vendor's name in ``vendor_type``.
EVENT_TYPES: frozenset[str] = frozenset(
    {
        "chat.started",
        "chat.message",
        "chat.message_updated",
        "chat.message_deleted",
        "chat.seen",
        "chat.requested",
        "chat.assigned",
        "chat.transferred",
        "chat.participant_added",
        "chat.participant_removed",
        "chat.status_changed",
        "chat.updated",
        "chat.tagged",
        "chat.untagged",
        "chat.snoozed",
        "chat.unsnoozed",
        "chat.rated",
        "chat.closed",
        "chat.wrapped_up",
        "chat.missed",
        "chat.callback_requested",
        "offline_message.received",
        "customer.created",
        "customer.updated",
        "customer.deleted",
        "agent.created",
        "agent.updated",
        "agent.deleted",
        "agent.status_changed",
        "config.changed",
        "webhook.test",
        "webhook.status_changed",
        "unknown",
    }
)

AUTHOR_ROLES: frozenset[str] = frozenset({"customer", "agent", "bot", "system"})


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"timestamp {value.isoformat()} has no time zone")
    return value.astimezone(UTC)


def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else _utc(value)


def _check_type(_instance: object, _attribute: object, value: str) -> None:
    if value not in EVENT_TYPES:
        raise ValueError(f"{value!r} is not a normalized event type")


def _check_role(_instance: object, _attribute: object, value: str | None) -> None:
    if value is not None and value not in AUTHOR_ROLES:
        raise ValueError(f"{value!r} is not an author role ({', '.join(sorted(AUTHOR_ROLES))})")


@frozen
class Person:
    """A customer or an agent as the vendor describes them."""

    id: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    company: str | None = None


@frozen
class Rating:
    """A chat rating in the vendor's own scale (``good``, ``great``, ``5`` ...)."""

    value: str | None = None
    comment: str | None = None


@frozen
class Attachment:
    name: str | None = None
    url: str | None = None
    content_type: str | None = None
    size: int | None = None


@frozen
class Message:
    """One message in a chat. ``author_role`` is customer, agent, bot or system."""

    id: str | None = None
    text: str | None = None
    author_id: str | None = None
    author_role: str | None = field(default=None, validator=_check_role)
    created_at: datetime | None = field(default=None, converter=_utc_or_none)
    attachments: tuple[Attachment, ...] = ()


@frozen
class Chat:
    id: str | None = None
    thread_id: str | None = None
    status: str | None = None
    department: str | None = None
    tags: tuple[str, ...] = ()
    rating: Rating | None = None


@frozen
class Event:
    """A normalized event.

    ``id`` is the de-duplication key within a source: the vendor's event id where one
    exists, else :func:`stable_event_id` over what identifies the event.

    ``dedup_group`` is for ids that cannot tell a retry from a real repeat, because the
    vendor sends the same body both times (the same tag added, removed and added again).
    It names what the event reports on (``tag:<chat>:<thread>:<tag>``, an agent's status):
    an event whose id is that of the group's latest stored event is a retry, a duplicate;
    one whose id is only that of an earlier event of the group happened again, and is
    stored as a new event with ``id`` ``<id>~2``, ``<id>~3`` …. None (the default): an
    event with a stored event's id is always a duplicate. It is not part of the JSON form.
    """

    id: str
    source: str
    vendor: str
    type: str = field(validator=_check_type)
    vendor_type: str
    occurred_at: datetime = field(converter=_utc)
    received_at: datetime = field(converter=_utc)
    chat: Chat | None = None
    customer: Person | None = None
    agent: Person | None = None
    message: Message | None = None
    changes: dict[str, Any] = field(factory=dict)
    data: dict[str, Any] = field(factory=dict)
    raw: Any = None
    dedup_group: str | None = field(default=None, metadata={"in_json_form": False})


def stable_event_id(*parts: object) -> str:
    """A short, stable id from the values that identify an event (for vendors with none)."""
    text = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]
