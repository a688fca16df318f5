"""Turning a LiveChat delivery into normalized events: one event per delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import Chat
from hookyard_livechat import _chats, _events, _people
from hookyard_livechat._account import CONFIG_HANDLERS
from hookyard_livechat._delivery import Delivery, open_delivery

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard import Event, WebhookRequest
    from hookyard_livechat._config import LiveChatConfig

__all__ = ["HANDLERS", "parse"]

#: LiveChat action -> the function that maps it: the 38 actions of webhooks v3.6 and
#: v3.5's ``incoming_customer``. Other actions become ``unknown``.
HANDLERS: dict[str, Callable[[Delivery], Event]] = {
    "incoming_chat": _chats.incoming_chat,
    "chat_deactivated": _chats.chat_deactivated,
    "chat_access_updated": _chats.chat_access_updated,
    "chat_transferred": _chats.chat_transferred,
    "user_added_to_chat": _chats.user_added_to_chat,
    "user_removed_from_chat": _chats.user_removed_from_chat,
    "incoming_event": _events.incoming_event,
    "event_deleted": _events.event_deleted,
    "event_updated": _events.event_updated,
    "incoming_rich_message_postback": _events.incoming_rich_message_postback,
    "chat_properties_updated": _chats.chat_properties_updated,
    "chat_properties_deleted": _chats.chat_properties_deleted,
    "thread_properties_updated": _chats.thread_properties_updated,
    "thread_properties_deleted": _chats.thread_properties_deleted,
    "event_properties_updated": _events.event_properties_updated,
    "event_properties_deleted": _events.event_properties_deleted,
    "thread_tagged": _chats.thread_tagged,
    "thread_untagged": _chats.thread_untagged,
    "routing_status_set": _people.routing_status_set,
    "incoming_customer": _people.incoming_customer,
    "customer_session_fields_updated": _people.customer_session_fields_updated,
    **_people.ACCOUNT_HANDLERS,
    **CONFIG_HANDLERS,
    "events_marked_as_seen": _events.events_marked_as_seen,
    "thread_summary_set": _chats.thread_summary_set,
}


def parse(config: LiveChatConfig, request: WebhookRequest) -> list[Event]:
    """The normalized events of one LiveChat delivery (always exactly one).

    Raises :class:`~hookyard.PayloadRejected` when the body is not LiveChat's: not an
    envelope with an ``action`` and a ``payload``, or a documented field of the wrong type
    (the message names its place, ``payload.chat.users[1].email: expected a string, got 3``).
    """
    delivery = open_delivery(request)
    return [HANDLERS.get(delivery.action, unknown)(delivery)]


def unknown(delivery: Delivery) -> Event:
    """``unknown`` for actions LiveChat may add; ``vendor_type`` keeps the action's name.

    Nothing says whether such a payload holds a time or an id, nor which action undoes
    which, so the unknown actions of one chat (or, without a chat, of the organization)
    share a group: the same body again after any other of them is a new event.
    """
    chat = None
    if isinstance(delivery.payload, dict):
        chat_id, thread_id = delivery.payload.get("chat_id"), delivery.payload.get("thread_id")
        if isinstance(chat_id, str):
            chat = Chat(id=chat_id, thread_id=thread_id if isinstance(thread_id, str) else None)
    return delivery.event(
        "unknown",
        delivery.stable_id(delivery.payload),
        chat=chat,
        dedup_group=delivery.group("unknown", *([] if chat is None else [chat.id])),
    )
