"""Chat events: ``chat.new`` ... ``chat.rated``; ``eventData`` is HelpCrunch's chat model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hookyard import Chat, Message, PayloadRejected, Rating
from hookyard_helpcrunch._fields import (
    iso,
    opt_id,
    opt_int,
    opt_obj,
    opt_str,
    opt_time,
    person,
    tag_names,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hookyard import Event
    from hookyard_helpcrunch._envelope import Envelope

__all__ = ["CHAT_TYPES", "chat_event"]

#: HelpCrunch chat event -> normalized type.
CHAT_TYPES: dict[str, str] = {
    "chat.new": "chat.started",
    "chat.status_updated": "chat.status_changed",
    "chat.assigned": "chat.assigned",
    "chat.snoozed": "chat.snoozed",
    "chat.unsnoozed": "chat.unsnoozed",
    "chat.closed": "chat.closed",
    "chat.rated": "chat.rated",
}


def chat_event(envelope: Envelope) -> Event:
    """One chat event: chat, customer, assignee (as ``agent``), the vendor's extras in
    ``data`` and, per event, what changed in ``changes``; ``chat.new`` also carries the
    chat's last (so far: first) message."""
    data = envelope.data
    chat = _chat(data)
    assignee = opt_obj(data, "assignee")
    customer = opt_obj(data, "customer")
    last = _last_message(data)
    return envelope.event(
        CHAT_TYPES[envelope.name],
        (chat.id,),
        chat=chat,
        customer=None if customer is None else person(customer),
        agent=None if assignee is None else person(assignee),
        message=last if envelope.name == "chat.new" else None,
        changes=_changes(envelope.name, chat, data),
        data=_extras(data, customer, assignee, last),
    )


def _chat(data: Mapping[str, Any]) -> Chat:
    chat_id = opt_id(data, "chat_id")
    if chat_id is None:
        raise PayloadRejected("HelpCrunch chat event has no chat_id")
    department = opt_obj(data, "department")
    rating = opt_str(data, "rating")
    return Chat(
        id=chat_id,
        status=opt_str(data, "status"),
        department=None if department is None else opt_id(department, "id"),
        tags=tag_names(data),
        rating=None if rating is None else Rating(value=rating),
    )


def _last_message(data: Mapping[str, Any]) -> Message | None:
    last = opt_obj(data, "lastMessage")
    if last is None:
        return None
    return Message(
        id=opt_id(last, "id"), text=opt_str(last, "text"), created_at=opt_time(last, "createdAt")
    )


def _changes(name: str, chat: Chat, data: Mapping[str, Any]) -> dict[str, Any]:
    if name == "chat.status_updated":
        return {"status": chat.status}
    if name == "chat.assigned":
        assignee = opt_obj(data, "assignee")
        return {"assignee_id": None if assignee is None else opt_id(assignee, "id")}
    if name == "chat.snoozed":
        return {"snoozed": True, "snoozed_until": iso(opt_time(data, "snoozedUntil"))}
    if name == "chat.unsnoozed":
        return {"snoozed": False}
    if name == "chat.rated":
        return {"rating": chat.rating.value if chat.rating else None}
    return {}


def _extras(
    data: Mapping[str, Any],
    customer: Mapping[str, Any] | None,
    assignee: Mapping[str, Any] | None,
    last: Message | None,
) -> dict[str, Any]:
    """The chat model's fields without a common home, snake_cased; absent ones are left out."""
    department = opt_obj(data, "department") or {}
    found: dict[str, Any] = {
        "closed_by": opt_str(data, "closedBy"),
        "closed_at": iso(opt_time(data, "closedAt")),
        "chat_created_at": iso(opt_time(data, "createdAt")),
        "snoozed_until": iso(opt_time(data, "snoozedUntil")),
        "last_customer_message_at": iso(opt_time(data, "lastCustomerMessageAt")),
        "application_id": opt_int(data, "applicationId"),
        "applications": _int_list(data, "applications"),
        "communicated_agents": _int_list(data, "communicatedAgents"),
        "department_name": opt_str(department, "name"),
        "customer_user_id": None if customer is None else opt_str(customer, "userId"),
        "assignee_role": None if assignee is None else opt_str(assignee, "role"),
        "last_message": None if last is None else _message_data(last),
    }
    return {key: value for key, value in found.items() if value is not None}


def _message_data(last: Message) -> dict[str, Any]:
    return {"id": last.id, "text": last.text, "created_at": iso(last.created_at)}


def _int_list(data: Mapping[str, Any], key: str) -> list[int] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        raise PayloadRejected(f"HelpCrunch {key} is not a list of integers")
    return value
