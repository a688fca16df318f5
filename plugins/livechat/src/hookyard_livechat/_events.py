"""``incoming_event``: messages, files, system messages and chat ratings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import evolve

from hookyard import Person, Rating
from hookyard_livechat._fields import obj, opt_obj
from hookyard_livechat._messages import event_data, to_message

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hookyard import Event
    from hookyard_livechat._delivery import Delivery

__all__ = ["RATING_SYSTEM_MESSAGES", "incoming_event"]

RATED = "rating.chat_rated"
COMMENTED = "rating.chat_commented"
CANCELED = "rating.chat_rating_canceled"
RATING_SYSTEM_MESSAGES: frozenset[str] = frozenset({RATED, COMMENTED, CANCELED})

#: text_vars keys that may carry the score; LiveChat documents ``score``.
SCORE_KEYS: tuple[str, ...] = ("score", "rate", "rating")


def incoming_event(delivery: Delivery) -> Event:
    """``chat.rated`` for rating system messages, ``chat.message`` for every other event.

    The event id is LiveChat's own event id, so repeated deliveries share it.
    """
    event = obj(delivery.fields(), "event")
    message = to_message(event, {})
    data = event_data(event)
    event_id = f"event:{message.id}" if message.id else delivery.stable_id(delivery.payload)
    fields: dict[str, Any] = {
        "occurred_at": message.created_at,
        "chat": delivery.chat_ids(),
        "message": message,
        "data": data,
    }
    system_type = data.get("system_message_type")
    if system_type in RATING_SYSTEM_MESSAGES:
        return delivery.event("chat.rated", event_id, **_rated(fields, system_type, event))
    return delivery.event("chat.message", event_id, **fields)


def _rated(fields: dict[str, Any], system_type: str, event: Mapping[str, Any]) -> dict[str, Any]:
    """``fields`` with the rating, and the customer's name that LiveChat puts in text_vars."""
    text_vars = opt_obj(event, "text_vars") or {}
    customer_name = _text_var(text_vars, ("customer",))
    data = {**fields["data"], "canceled": True} if system_type == CANCELED else fields["data"]
    return {
        **fields,
        "chat": evolve(fields["chat"], rating=_rating(system_type, text_vars)),
        "customer": Person(name=customer_name) if customer_name else None,
        "data": data,
    }


def _rating(system_type: str, text_vars: Mapping[str, Any]) -> Rating:
    if system_type == RATED:
        return Rating(value=_text_var(text_vars, SCORE_KEYS))
    if system_type == COMMENTED:
        return Rating(comment=_text_var(text_vars, ("comment",)))
    return Rating(value=None)


def _text_var(text_vars: Mapping[str, Any], keys: tuple[str, ...]) -> str | None:
    """The first of ``keys`` present in ``text_vars``, as text (numbers are accepted)."""
    for key in keys:
        value = text_vars.get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)
        if value is not None:
            raise TypeError(f"text_vars.{key} is not text")
    return None
