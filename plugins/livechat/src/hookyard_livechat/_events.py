"""Chat event actions: messages and ratings, edits, deletions, postbacks, properties, seen."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import evolve

from hookyard import Chat, Message, Person, Rating
from hookyard_livechat._fields import iso, rejected
from hookyard_livechat._messages import event_data, to_message

if TYPE_CHECKING:
    from hookyard import Event
    from hookyard_livechat._delivery import Delivery
    from hookyard_livechat._fields import Obj

__all__ = [
    "RATING_SYSTEM_MESSAGES",
    "event_deleted",
    "event_properties_deleted",
    "event_properties_updated",
    "event_updated",
    "events_marked_as_seen",
    "incoming_event",
    "incoming_rich_message_postback",
]

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
    event = delivery.fields().obj("event")
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


def _rated(fields: dict[str, Any], system_type: str, event: Obj) -> dict[str, Any]:
    """``fields`` with the rating, and the customer's name that LiveChat puts in text_vars."""
    text_vars = event.opt_obj("text_vars")
    customer_name = _text_var(text_vars, ("customer",))
    data = {**fields["data"], "canceled": True} if system_type == CANCELED else fields["data"]
    return {
        **fields,
        "chat": evolve(fields["chat"], rating=_rating(system_type, text_vars)),
        "customer": Person(name=customer_name) if customer_name else None,
        "data": data,
    }


def _rating(system_type: str, text_vars: Obj | None) -> Rating:
    if system_type == RATED:
        return Rating(value=_text_var(text_vars, SCORE_KEYS))
    if system_type == COMMENTED:
        return Rating(comment=_text_var(text_vars, ("comment",)))
    return Rating(value=None)


def _text_var(text_vars: Obj | None, keys: tuple[str, ...]) -> str | None:
    """The first of ``keys`` present in ``text_vars``, as text (numbers are accepted)."""
    if text_vars is None:
        return None
    for key in keys:
        value = text_vars.value.get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            return str(value)
        if value is not None:
            raise rejected(text_vars.at(key), "a string or a number", value)
    return None


def event_updated(delivery: Delivery) -> Event:
    """``chat.message_updated``: ``message`` is the event as it is after the update.

    The event's ``created_at`` is when it was first posted, so ``occurred_at`` is the
    time of receipt; the update itself carries no time. The edits of one event share a
    group, so an edit undone and made again is three events.
    """
    event = delivery.fields().obj("event")
    chat = delivery.chat_ids()
    message = to_message(event, {})
    return delivery.event(
        "chat.message_updated",
        delivery.stable_id(chat.id, chat.thread_id, event.value),
        chat=chat,
        message=message,
        data=event_data(event),
        dedup_group=delivery.group("event", chat.id, chat.thread_id, message.id),
    )


def event_deleted(delivery: Delivery) -> Event:
    """``chat.message_deleted``: ``message.id`` is the deleted event's id."""
    chat = delivery.chat_ids()
    event_id = delivery.fields().req_str("event_id")
    return delivery.event(
        "chat.message_deleted",
        delivery.stable_id(chat.id, chat.thread_id, event_id),
        chat=chat,
        message=Message(id=event_id),
    )


def event_properties_updated(delivery: Delivery) -> Event:
    """``chat.message_updated`` with ``changes.properties`` (the updated ones)."""
    return _event_properties(delivery, "properties", deleted=False)


def event_properties_deleted(delivery: Delivery) -> Event:
    """``chat.message_updated`` with ``changes.properties_deleted`` (names by namespace)."""
    return _event_properties(delivery, "properties_deleted", deleted=True)


def _event_properties(delivery: Delivery, change: str, *, deleted: bool) -> Event:
    fields, chat = delivery.fields(), delivery.chat_ids()
    event_id = fields.req_str("event_id")
    properties = fields.properties("properties", deleted=deleted)
    return delivery.event(
        "chat.message_updated",
        delivery.stable_id(chat.id, chat.thread_id, event_id, properties),
        chat=chat,
        message=Message(id=event_id),
        changes={change: properties},
        dedup_group=delivery.group("event_properties", chat.id, chat.thread_id, event_id),
    )


def incoming_rich_message_postback(delivery: Delivery) -> Event:
    """``chat.message_updated``: a user pressed (or released) a rich message's button.

    ``message.id`` is the rich message's event id, ``changes.postback`` the button
    (``{id, toggled}``) and ``data.user_id`` who pressed it. One user's presses of one rich
    message's buttons share a group, so pressing yes, no and yes again is three events.
    """
    fields, chat = delivery.fields(), delivery.chat_ids()
    event_id = fields.req_str("event_id")
    postback = fields.obj("postback")
    change = {"id": postback.req_str("id"), "toggled": postback.opt_bool("toggled")}
    user_id = fields.opt_str("user_id")
    return delivery.event(
        "chat.message_updated",
        delivery.stable_id(chat.id, chat.thread_id, event_id, user_id, change),
        chat=chat,
        message=Message(id=event_id),
        changes={"postback": change},
        data={"user_id": user_id},
        dedup_group=delivery.group("postback", chat.id, chat.thread_id, event_id, user_id),
    )


def events_marked_as_seen(delivery: Delivery) -> Event:
    """``chat.seen``: ``data.seen_up_to`` is the time of the last event the user saw."""
    fields = delivery.fields()
    seen_up_to = fields.opt_time("seen_up_to")
    user_id = fields.opt_str("user_id")
    chat = Chat(id=fields.opt_str("chat_id"))
    return delivery.event(
        "chat.seen",
        delivery.stable_id(chat.id, user_id, iso(seen_up_to)),
        chat=chat,
        data={"user_id": user_id, "seen_up_to": iso(seen_up_to)},
    )
