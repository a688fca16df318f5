"""Turning a LiveChat delivery into normalized events: one event per delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import Chat
from hookyard_livechat import _chats
from hookyard_livechat._delivery import Delivery, open_delivery
from hookyard_livechat._events import incoming_event

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard import Event, WebhookRequest
    from hookyard_livechat._config import LiveChatConfig

__all__ = ["HANDLERS", "parse"]

#: LiveChat action -> the function that maps it. Other actions become ``unknown``.
HANDLERS: dict[str, Callable[[Delivery], Event]] = {
    "incoming_chat": _chats.incoming_chat,
    "incoming_event": incoming_event,
    "chat_deactivated": _chats.chat_deactivated,
    "chat_transferred": _chats.chat_transferred,
    "user_added_to_chat": _chats.user_added_to_chat,
    "user_removed_from_chat": _chats.user_removed_from_chat,
    "thread_tagged": _chats.thread_tagged,
    "thread_untagged": _chats.thread_untagged,
}


def parse(config: LiveChatConfig, request: WebhookRequest) -> list[Event]:
    """The normalized events of one LiveChat delivery (always exactly one).

    Raises :class:`~hookyard.vendors.PayloadRejected` when the envelope is not LiveChat's;
    malformed data inside an authentic envelope raises ``TypeError``/``ValueError``/
    ``KeyError``, and the host keeps the delivery as ``unparsed``.
    """
    delivery = open_delivery(request)
    return [HANDLERS.get(delivery.action, unknown)(delivery)]


def unknown(delivery: Delivery) -> Event:
    """``unknown`` for actions not mapped yet; ``vendor_type`` keeps the action's name."""
    chat = None
    if isinstance(delivery.payload, dict):
        chat_id, thread_id = delivery.payload.get("chat_id"), delivery.payload.get("thread_id")
        if isinstance(chat_id, str):
            thread = thread_id if isinstance(thread_id, str) else None
            chat = Chat(id=chat_id, thread_id=thread)
    return delivery.event("unknown", delivery.stable_id(delivery.payload), chat=chat)
