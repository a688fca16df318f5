"""Message events: ``eventData`` is ``{chat_id, agent, customer, message}`` (snake ``chat_id``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard import Chat, Message, PayloadRejected
from hookyard_helpcrunch._fields import (
    iso,
    obj,
    opt_bool,
    opt_id,
    opt_int,
    opt_obj,
    opt_str,
    opt_time,
    person,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hookyard import Event, Person
    from hookyard_helpcrunch._envelope import Envelope

__all__ = ["MESSAGE_KINDS", "MessageKind", "message_event"]


@frozen
class MessageKind:
    """Who wrote a message event's message, over which channel, and whether it is a note."""

    author_role: str
    channel: str
    private: bool = False


#: HelpCrunch message event -> what it says about the message; all are ``chat.message``.
MESSAGE_KINDS: dict[str, MessageKind] = {
    "message.chat.customer": MessageKind("customer", "chat"),
    "message.email.customer": MessageKind("customer", "email"),
    "message.private": MessageKind("agent", "chat", private=True),
    "message.chat.agent": MessageKind("agent", "chat"),
    "message.email.agent": MessageKind("agent", "email"),
}


def message_event(envelope: Envelope) -> Event:
    """``chat.message``: the message (author from the event name), chat, customer, agent."""
    kind = MESSAGE_KINDS[envelope.name]
    data = envelope.data
    chat_id = opt_id(data, "chat_id")
    if chat_id is None:
        raise PayloadRejected("HelpCrunch message event has no chat_id")
    raw_message = obj(data, "message")
    customer, agent = _people(data)
    author = customer if kind.author_role == "customer" else agent
    message = Message(
        id=opt_id(raw_message, "id"),
        text=opt_str(raw_message, "text"),
        author_id=None if author is None else author.id,
        author_role=kind.author_role,
        created_at=opt_time(raw_message, "createdAt"),
    )
    return envelope.event(
        "chat.message",
        (chat_id, message.id),
        chat=Chat(id=chat_id),
        customer=customer,
        agent=agent,
        message=message,
        data=_extras(kind, data, raw_message),
    )


def _people(data: Mapping[str, Any]) -> tuple[Person | None, Person | None]:
    customer, agent = opt_obj(data, "customer"), opt_obj(data, "agent")
    return (
        None if customer is None else person(customer),
        None if agent is None else person(agent),
    )


def _extras(
    kind: MessageKind, data: Mapping[str, Any], message: Mapping[str, Any]
) -> dict[str, Any]:
    customer, agent = opt_obj(data, "customer") or {}, opt_obj(data, "agent") or {}
    found: dict[str, Any] = {
        "channel": kind.channel,
        "private": kind.private,
        "application_id": opt_int(message, "applicationId"),
        "broadcast_type": opt_str(message, "broadcastType"),
        "edited": opt_bool(message, "edited"),
        "read": opt_bool(message, "read"),
        "updated_at": iso(opt_time(message, "updatedAt")),
        "customer_user_id": opt_str(customer, "userId"),
        "agent_role": opt_str(agent, "role"),
    }
    return {key: value for key, value in found.items() if value is not None}
