"""Chat actions: started, closed, access, transfers, participants, tags, properties, summary."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import evolve

from hookyard import Chat, Message, Person
from hookyard_livechat._fields import ROLES, Obj, person
from hookyard_livechat._messages import to_message

if TYPE_CHECKING:
    from hookyard import Event
    from hookyard_livechat._delivery import Delivery

__all__ = [
    "chat_access_updated",
    "chat_deactivated",
    "chat_properties_deleted",
    "chat_properties_updated",
    "chat_transferred",
    "incoming_chat",
    "thread_properties_deleted",
    "thread_properties_updated",
    "thread_summary_set",
    "thread_tagged",
    "thread_untagged",
    "user_added_to_chat",
    "user_removed_from_chat",
]


def incoming_chat(delivery: Delivery) -> Event:
    """``chat.started``: the chat's customer, agent, group, tags and first message."""
    chat = delivery.fields().obj("chat")
    thread = chat.opt_obj("thread") or Obj({}, chat.at("thread"))
    users = chat.objs("users")
    customers = [user for user in users if user.opt_str("type") == "customer"]
    agents = [user for user in users if user.opt_str("type") == "agent"]
    access = thread.opt_obj("access") or chat.opt_obj("access")
    group_ids = access.ints("group_ids") if access is not None else ()
    normalized = Chat(
        id=chat.opt_str("id"),
        thread_id=thread.opt_str("id"),
        status="closed" if thread.opt_bool("active") is False else "open",
        department=_department(group_ids),
        tags=thread.strs("tags"),
    )
    return delivery.event(
        "chat.started",
        delivery.stable_id(normalized.id, normalized.thread_id),
        occurred_at=thread.opt_time("created_at"),
        chat=normalized,
        customer=person(customers[0]) if customers else None,
        agent=person(agents[0]) if agents else None,
        message=_first_message(thread, users),
        data={"group_ids": list(group_ids)},
    )


def _first_message(thread: Obj, users: list[Obj]) -> Message | None:
    for event in thread.objs("events"):
        if event.opt_str("type") == "message":
            return to_message(event, _roles(users))
    return None


def _roles(users: list[Obj]) -> dict[str, str]:
    """Author role by user id, from the chat's User objects."""
    roles: dict[str, str] = {}
    for user in users:
        user_id, role = user.opt_str("id"), ROLES.get(user.opt_str("type") or "")
        if user_id is not None and role is not None:
            roles[user_id] = role
    return roles


def _department(group_ids: tuple[int, ...]) -> str | None:
    """The LiveChat group as department, when there is exactly one."""
    return str(group_ids[0]) if len(group_ids) == 1 else None


def chat_deactivated(delivery: Delivery) -> Event:
    """``chat.closed``; ``user_id`` is missing when the router closed the thread."""
    chat = delivery.chat_ids()
    user_id = delivery.fields().opt_str("user_id")
    return delivery.event(
        "chat.closed",
        delivery.stable_id(chat.id, chat.thread_id, user_id),
        chat=evolve(chat, status="closed"),
        data={"closed_by": "user" if user_id else "router", "user_id": user_id},
    )


def chat_access_updated(delivery: Delivery) -> Event:
    """``chat.updated``: the chat's groups (``payload.id`` is the chat id)."""
    fields = delivery.fields()
    group_ids = fields.obj("access").ints("group_ids")
    chat = Chat(id=fields.opt_str("id"), department=_department(group_ids))
    access = {"group_ids": list(group_ids)}
    return delivery.event(
        "chat.updated",
        delivery.stable_id(chat.id, access),
        chat=chat,
        changes={"access": access},
        data={"group_ids": list(group_ids)},
        dedup_group=delivery.group("access", chat.id),
    )


def chat_transferred(delivery: Delivery) -> Event:
    """``chat.transferred``; ``data.transferred_to`` holds the target groups and agents."""
    fields, chat = delivery.fields(), delivery.chat_ids()
    target = fields.opt_obj("transferred_to") or Obj({}, fields.at("transferred_to"))
    group_ids, agent_ids = target.ints("group_ids"), target.strs("agent_ids")
    data: dict[str, Any] = {
        "transferred_to": {"group_ids": list(group_ids), "agent_ids": list(agent_ids)},
        "reason": fields.opt_str("reason"),
        "requester_id": fields.opt_str("requester_id"),
    }
    queue = fields.opt_obj("queue")
    if queue is not None:
        queue.opt_int("position")
        queue.opt_int("wait_time")
        queue.opt_time("queued_at")
        queue.opt_time("queued_at_us")
        data["queue"] = queue.value
    return delivery.event(
        "chat.transferred",
        delivery.stable_id(chat.id, chat.thread_id, data),
        chat=evolve(chat, department=_department(group_ids)),
        agent=Person(id=agent_ids[0]) if len(agent_ids) == 1 else None,
        data=data,
        dedup_group=delivery.group("transfer", chat.id, chat.thread_id),
    )


def user_added_to_chat(delivery: Delivery) -> Event:
    """``chat.participant_added``: the added User as customer or agent."""
    fields = delivery.fields()
    user = fields.obj("user")
    user_type = fields.opt_str("user_type") or user.opt_str("type")
    return _participant(delivery, "chat.participant_added", person(user), user_type)


def user_removed_from_chat(delivery: Delivery) -> Event:
    """``chat.participant_removed``: only the user's id (and maybe type) is sent."""
    fields = delivery.fields()
    who = Person(id=fields.opt_str("user_id"))
    return _participant(delivery, "chat.participant_removed", who, fields.opt_str("user_type"))


def _participant(delivery: Delivery, event_type: str, who: Person, user_type: str | None) -> Event:
    """A user added to or removed from a thread: the two share the user's group there."""
    fields, chat = delivery.fields(), delivery.chat_ids()
    data = {
        "user_id": who.id,
        "user_type": user_type,
        "reason": fields.opt_str("reason"),
        "requester_id": fields.opt_str("requester_id"),
    }
    return delivery.event(
        event_type,
        delivery.stable_id(chat.id, chat.thread_id, data),
        chat=chat,
        customer=who if user_type == "customer" else None,
        agent=who if user_type == "agent" else None,
        data=data,
        dedup_group=delivery.group("participant", chat.id, chat.thread_id, who.id),
    )


def thread_tagged(delivery: Delivery) -> Event:
    """``chat.tagged`` with ``changes.tag_added``."""
    return _tag_event(delivery, "chat.tagged", "tag_added")


def thread_untagged(delivery: Delivery) -> Event:
    """``chat.untagged`` with ``changes.tag_removed``."""
    return _tag_event(delivery, "chat.untagged", "tag_removed")


def _tag_event(delivery: Delivery, event_type: str, change: str) -> Event:
    """A tag added to or removed from a thread: the two share the tag's group there, so the
    same tag added, removed and added again is three events."""
    tag = delivery.fields().req_str("tag")
    chat = delivery.chat_ids()
    return delivery.event(
        event_type,
        delivery.stable_id(chat.id, chat.thread_id, tag),
        chat=evolve(chat, tags=(tag,) if event_type == "chat.tagged" else ()),
        changes={change: tag},
        dedup_group=delivery.group("tag", chat.id, chat.thread_id, tag),
    )


def chat_properties_updated(delivery: Delivery) -> Event:
    """``chat.updated`` with ``changes.properties`` (only the updated ones, by namespace)."""
    return _properties(delivery, "properties", deleted=False, thread=False)


def chat_properties_deleted(delivery: Delivery) -> Event:
    """``chat.updated`` with ``changes.properties_deleted`` (names by namespace)."""
    return _properties(delivery, "properties_deleted", deleted=True, thread=False)


def thread_properties_updated(delivery: Delivery) -> Event:
    """``chat.updated`` with ``changes.thread_properties``."""
    return _properties(delivery, "thread_properties", deleted=False, thread=True)


def thread_properties_deleted(delivery: Delivery) -> Event:
    """``chat.updated`` with ``changes.thread_properties_deleted``."""
    return _properties(delivery, "thread_properties_deleted", deleted=True, thread=True)


def _properties(delivery: Delivery, change: str, *, deleted: bool, thread: bool) -> Event:
    """The chat's (or with ``thread`` the thread's) properties updated or deleted: one
    group for all of them, since a delivery may touch several namespaces."""
    chat = delivery.chat_ids()
    properties = delivery.fields().properties("properties", deleted=deleted)
    group = (
        delivery.group("thread_properties", chat.id, chat.thread_id)
        if thread
        else delivery.group("chat_properties", chat.id)
    )
    return delivery.event(
        "chat.updated",
        delivery.stable_id(chat.id, chat.thread_id, properties),
        chat=chat,
        changes={change: properties},
        dedup_group=group,
    )


def thread_summary_set(delivery: Delivery) -> Event:
    """``chat.updated`` with ``changes.summary``: the thread's summary as LiveChat sent it.

    The vendor docs at hand show no sample of this payload, so only ``chat_id`` and
    ``thread_id`` are read (strings when sent), and the whole payload identifies the event.
    """
    chat = delivery.chat_ids()
    fields = delivery.fields()
    return delivery.event(
        "chat.updated",
        delivery.stable_id(fields.value),
        chat=chat,
        changes={"summary": fields.value.get("summary")},
        dedup_group=delivery.group("summary", chat.id, chat.thread_id),
    )
