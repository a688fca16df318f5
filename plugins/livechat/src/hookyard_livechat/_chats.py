"""Chat lifecycle actions: started, closed, transferred, participants and tags."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import evolve

from hookyard import Chat, Message, Person
from hookyard_livechat._fields import (
    ROLES,
    obj,
    opt_list,
    opt_obj,
    opt_str,
    opt_time,
    person,
    str_list,
    users_of_type,
)
from hookyard_livechat._messages import to_message

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hookyard import Event
    from hookyard_livechat._delivery import Delivery

__all__ = [
    "chat_deactivated",
    "chat_transferred",
    "incoming_chat",
    "thread_tagged",
    "thread_untagged",
    "user_added_to_chat",
    "user_removed_from_chat",
]


def incoming_chat(delivery: Delivery) -> Event:
    """``chat.started``: the chat's customer, agent, group, tags and first message."""
    chat = obj(delivery.fields(), "chat")
    thread = opt_obj(chat, "thread") or {}
    users = opt_list(chat, "users")
    customers, agents = users_of_type(users, "customer"), users_of_type(users, "agent")
    group_ids = _group_ids(opt_obj(thread, "access") or opt_obj(chat, "access") or {})
    normalized = Chat(
        id=opt_str(chat, "id"),
        thread_id=opt_str(thread, "id"),
        status="closed" if thread.get("active") is False else "open",
        department=_department(group_ids),
        tags=str_list(thread, "tags"),
    )
    return delivery.event(
        "chat.started",
        delivery.stable_id(normalized.id, normalized.thread_id),
        occurred_at=opt_time(thread, "created_at"),
        chat=normalized,
        customer=person(customers[0]) if customers else None,
        agent=person(agents[0]) if agents else None,
        message=_first_message(thread, users),
        data={"group_ids": list(group_ids)},
    )


def _first_message(thread: Mapping[str, Any], users: list[dict[str, Any]]) -> Message | None:
    for event in opt_list(thread, "events"):
        if isinstance(event, dict) and event.get("type") == "message":
            return to_message(event, _roles(users))
    return None


def _roles(users: list[dict[str, Any]]) -> dict[str, str]:
    """Author role by user id, from the chat's User objects."""
    roles: dict[str, str] = {}
    for user in users:
        user_id, role = user.get("id"), ROLES.get(str(user.get("type")))
        if isinstance(user_id, str) and role is not None:
            roles[user_id] = role
    return roles


def _group_ids(access: Mapping[str, Any]) -> tuple[int, ...]:
    value = opt_list(access, "group_ids")
    if not all(type(item) is int for item in value):
        raise TypeError("access.group_ids is not a list of integers")
    return tuple(value)


def _department(group_ids: tuple[int, ...]) -> str | None:
    """The LiveChat group as department, when there is exactly one."""
    return str(group_ids[0]) if len(group_ids) == 1 else None


def chat_deactivated(delivery: Delivery) -> Event:
    """``chat.closed``; ``user_id`` is missing when the router closed the thread."""
    chat = delivery.chat_ids()
    user_id = opt_str(delivery.fields(), "user_id")
    return delivery.event(
        "chat.closed",
        delivery.stable_id(chat.id, chat.thread_id, user_id),
        chat=evolve(chat, status="closed"),
        data={"closed_by": "user" if user_id else "router", "user_id": user_id},
    )


def chat_transferred(delivery: Delivery) -> Event:
    """``chat.transferred``; ``data.transferred_to`` holds the target groups and agents."""
    fields, chat = delivery.fields(), delivery.chat_ids()
    target = opt_obj(fields, "transferred_to") or {}
    group_ids, agent_ids = _group_ids(target), str_list(target, "agent_ids")
    data: dict[str, Any] = {
        "transferred_to": {"group_ids": list(group_ids), "agent_ids": list(agent_ids)},
        "reason": opt_str(fields, "reason"),
        "requester_id": opt_str(fields, "requester_id"),
    }
    queue = opt_obj(fields, "queue")
    if queue is not None:
        data["queue"] = queue
    return delivery.event(
        "chat.transferred",
        delivery.stable_id(chat.id, chat.thread_id, data),
        chat=evolve(chat, department=_department(group_ids)),
        agent=Person(id=agent_ids[0]) if len(agent_ids) == 1 else None,
        data=data,
    )


def user_added_to_chat(delivery: Delivery) -> Event:
    """``chat.participant_added``: the added User as customer or agent."""
    fields = delivery.fields()
    user = obj(fields, "user")
    user_type = opt_str(fields, "user_type") or opt_str(user, "type")
    return _participant(delivery, "chat.participant_added", person(user), user_type)


def user_removed_from_chat(delivery: Delivery) -> Event:
    """``chat.participant_removed``: only the user's id (and maybe type) is sent."""
    fields = delivery.fields()
    who = Person(id=opt_str(fields, "user_id"))
    return _participant(delivery, "chat.participant_removed", who, opt_str(fields, "user_type"))


def _participant(delivery: Delivery, event_type: str, who: Person, user_type: str | None) -> Event:
    fields, chat = delivery.fields(), delivery.chat_ids()
    data = {
        "user_id": who.id,
        "user_type": user_type,
        "reason": opt_str(fields, "reason"),
        "requester_id": opt_str(fields, "requester_id"),
    }
    return delivery.event(
        event_type,
        delivery.stable_id(chat.id, chat.thread_id, data),
        chat=chat,
        customer=who if user_type == "customer" else None,
        agent=who if user_type == "agent" else None,
        data=data,
    )


def thread_tagged(delivery: Delivery) -> Event:
    """``chat.tagged`` with ``changes.tag_added``."""
    return _tag_event(delivery, "chat.tagged", "tag_added")


def thread_untagged(delivery: Delivery) -> Event:
    """``chat.untagged`` with ``changes.tag_removed``."""
    return _tag_event(delivery, "chat.untagged", "tag_removed")


def _tag_event(delivery: Delivery, event_type: str, change: str) -> Event:
    tag = opt_str(delivery.fields(), "tag")
    if tag is None:
        raise ValueError(f"{delivery.action} payload has no tag")
    chat = delivery.chat_ids()
    return delivery.event(
        event_type,
        delivery.stable_id(chat.id, chat.thread_id, tag),
        chat=evolve(chat, tags=(tag,) if event_type == "chat.tagged" else ()),
        changes={change: tag},
    )
