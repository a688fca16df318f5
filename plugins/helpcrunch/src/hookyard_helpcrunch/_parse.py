"""Turning a HelpCrunch delivery into normalized events: one event per delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard_helpcrunch._chats import CHAT_TYPES, chat_event
from hookyard_helpcrunch._customers import CUSTOMER_TYPES, customer_event
from hookyard_helpcrunch._envelope import Envelope, open_envelope
from hookyard_helpcrunch._messages import MESSAGE_KINDS, message_event

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard import Event, WebhookRequest
    from hookyard_helpcrunch._config import HelpCrunchConfig

__all__ = ["EVENTS", "HANDLERS", "parse"]

#: HelpCrunch event name -> the function that maps it. Other names become ``unknown``.
HANDLERS: dict[str, Callable[[Envelope], Event]] = {
    **dict.fromkeys(CHAT_TYPES, chat_event),
    **dict.fromkeys(MESSAGE_KINDS, message_event),
    **dict.fromkeys(CUSTOMER_TYPES, customer_event),
}

#: Every event HelpCrunch documents: 7 chat, 5 message and 8 customer events.
EVENTS: tuple[str, ...] = tuple(HANDLERS)


def parse(config: HelpCrunchConfig, request: WebhookRequest) -> list[Event]:
    """The normalized events of one HelpCrunch delivery (always exactly one).

    Raises :class:`~hookyard.PayloadRejected` when the body is not HelpCrunch's shape:
    not a JSON object with an ``event`` name and an ``eventData`` object, or a documented
    field of the wrong type.
    """
    envelope = open_envelope(request)
    return [HANDLERS.get(envelope.name, unknown)(envelope)]


def unknown(envelope: Envelope) -> Event:
    """``unknown`` for event names HelpCrunch may add; ``vendor_type`` keeps the name."""
    return envelope.event("unknown", (envelope.data,))
