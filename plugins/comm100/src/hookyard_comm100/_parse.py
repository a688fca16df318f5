"""Turning a Comm100 delivery into normalized events: one event per delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard_comm100._agents import AGENT_STATUSES, agent_event
from hookyard_comm100._chats import CHAT_TYPES, chat_event
from hookyard_comm100._delivery import Delivery, open_delivery
from hookyard_comm100._offline import offline_event

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard import Event, WebhookRequest
    from hookyard_comm100._config import Comm100Config

__all__ = ["EVENTS", "HANDLERS", "parse"]

#: Comm100 ``event`` name -> the function that maps it. Other names become ``unknown``.
HANDLERS: dict[str, Callable[[Delivery], Event]] = {
    "offline_message_submitted": offline_event,
    **dict.fromkeys(CHAT_TYPES, chat_event),
    **dict.fromkeys(AGENT_STATUSES, agent_event),
}

#: Every ``event`` name the parser maps, misspellings included.
EVENTS: tuple[str, ...] = tuple(HANDLERS)


def parse(config: Comm100Config, request: WebhookRequest) -> list[Event]:
    """The normalized events of one Comm100 delivery (always exactly one).

    Raises :class:`~hookyard.PayloadRejected` when the body is not Comm100's: not a JSON
    object with an ``event`` name, a known event without its id (``visitor.chat_id``,
    ``offline_message.id``, ``operator_id``), or a field of the wrong type; the message
    names the field.
    """
    delivery = open_delivery(request)
    return [HANDLERS.get(delivery.name, unknown)(delivery)]


def unknown(delivery: Delivery) -> Event:
    """``unknown`` for event names Comm100 may add; ``vendor_type`` keeps the name and the
    id is ``stable_event_id(event, whole body)``."""
    return delivery.event("unknown", (delivery.name, delivery.body.value))
