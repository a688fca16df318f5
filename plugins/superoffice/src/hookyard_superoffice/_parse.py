"""Turning a SuperOffice notification into normalized events: one event per delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hookyard_superoffice._chats import CHAT_EVENTS, chat_event
from hookyard_superoffice._envelope import Envelope, open_envelope
from hookyard_superoffice._fields import compact
from hookyard_superoffice._webhooks import state_event, state_of, webhook_test_event

if TYPE_CHECKING:
    from hookyard import Event, WebhookRequest
    from hookyard_superoffice._config import SuperOfficeConfig

__all__ = ["EVENTS", "parse"]

#: Every event this parser maps (the state events also as ``webhook{id}.…``); other
#: names become ``unknown``.
EVENTS: tuple[str, ...] = (
    *CHAT_EVENTS,
    "test",
    "webhook.started",
    "webhook.stopped",
    "webhook.errors",
)


def parse(config: SuperOfficeConfig, request: WebhookRequest) -> list[Event]:
    """The normalized events of one SuperOffice delivery (always exactly one).

    Raises :class:`~hookyard.PayloadRejected` when the body is not SuperOffice's shape:
    not a JSON object with an ``Event`` name, or a documented field of the wrong type.
    """
    return [_event(open_envelope(request))]


def _event(envelope: Envelope) -> Event:
    if envelope.is_test:
        return webhook_test_event(envelope)
    if envelope.kind in CHAT_EVENTS:
        return chat_event(envelope)
    if state_of(envelope.kind) is not None:
        return state_event(envelope)
    return _unknown(envelope)


def _unknown(envelope: Envelope) -> Event:
    """``unknown`` for the events of other entities a webhook may also subscribe to."""
    data: dict[str, Any] = {"primary_key": envelope.top.opt_int("PrimaryKey")}
    return envelope.event("unknown", data=compact(data))
