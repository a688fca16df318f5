"""Chat events: requested, started, transferred, ended and wrapped up.

Each carries ``visitor`` (with the chat's ``chat_id``); ended (and, per Comm100's design
documents, requested and transferred) also ``chat``; wrapped up a top-level ``chat_id``
and ``wrapup``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hookyard import Chat, PayloadRejected, Person, Rating
from hookyard_comm100._fields import Reader, iso, kind
from hookyard_comm100._visitor import compact, visitor_data

if TYPE_CHECKING:
    from datetime import datetime

    from hookyard import Event
    from hookyard_comm100._delivery import Delivery

__all__ = ["CHAT_TYPES", "TRANSCRIPT_SEPARATOR", "chat_event"]

#: Comm100 chat event (as its body's ``event`` says) → normalized type.
CHAT_TYPES: dict[str, str] = {
    "chat_request": "chat.requested",
    "chat_requested": "chat.requested",
    "chat_started": "chat.started",
    "chat_transferred": "chat.transferred",
    "chat_ended": "chat.closed",
    "chat_wrapped_up": "chat.wrapped_up",
    "chat_wraped_up": "chat.wrapped_up",
}

#: Spellings of one event → the name event ids are computed with.
_CANONICAL = {"chat_requested": "chat_request", "chat_wraped_up": "chat_wrapped_up"}

#: What separates the transcript's lines ("⊙", U+2299).
TRANSCRIPT_SEPARATOR = "\u2299"


def chat_event(delivery: Delivery) -> Event:
    """A chat event: ``chat`` (id, department, rating), ``customer`` (the visitor),
    ``agent`` (the chat's first operator), and the rest in ``data``.

    A chat is requested, started and ended once; its transfers share the group
    ``comm100:transfer:<chat_id>``, so a transfer body sent again after another transfer
    of the chat is a new event.
    """
    body = delivery.body
    name = _CANONICAL.get(delivery.name, delivery.name)
    visitor = body.opt_obj("visitor")
    chat = body.opt_obj("chat")
    wrapup = body.opt_obj("wrapup")
    chat_id = body.opt_id("chat_id") or (None if visitor is None else visitor.opt_id("chat_id"))
    if chat_id is None:
        raise PayloadRejected("visitor.chat_id: missing; a Comm100 chat event names its chat")
    operators = [] if chat is None else _operators(chat)
    data = compact(
        {
            **({} if chat is None else _chat_data(chat)),
            "operators": operators,
            "wrapup": None if wrapup is None else _wrapup_data(wrapup),
            "visitor": None if visitor is None else visitor_data(visitor),
        }
    )
    identity: tuple[object, ...] = (name, chat_id)
    if name == "chat_wrapped_up":
        identity = (name, chat_id, data.get("wrapup", {}).get("time"))
    if name == "chat_transferred":
        identity = (name, chat_id, None if chat is None else chat.value)
    return delivery.event(
        CHAT_TYPES[delivery.name],
        identity,
        occurred_at=_occurred_at(name, chat, wrapup),
        dedup_group=f"comm100:transfer:{chat_id}" if name == "chat_transferred" else None,
        chat=_chat(chat_id, chat, visitor),
        customer=_customer(visitor, chat),
        agent=Person(**operators[0]) if operators else None,
        data=data,
    )


def _occurred_at(name: str, chat: Reader | None, wrapup: Reader | None) -> datetime | None:
    """The chat's ``start_time`` for chat_started, ``end_time`` for chat_ended, the
    wrap-up's ``time`` for chat_wrapped_up; otherwise none (hookyard's receipt time)."""
    if name == "chat_wrapped_up" and wrapup is not None:
        return wrapup.opt_time("time")
    if chat is None:
        return None
    if name == "chat_started":
        return chat.opt_time("start_time")
    if name == "chat_ended":
        return chat.opt_time("end_time")
    return None


def _chat(chat_id: str, chat: Reader | None, visitor: Reader | None) -> Chat:
    """The chat's department is the ``chat`` object's (a name) or else the visitor's (a
    GUID, or an integer before X2); its rating is the ``chat`` object's."""
    department = None if chat is None else chat.opt_id("department")
    if department is None and visitor is not None:
        department = visitor.opt_id("department")
    rating = None if chat is None else chat.rating("rating")
    comment = None if chat is None else chat.opt_str("rating_comment")
    return Chat(
        id=chat_id,
        department=department,
        rating=None if rating is None else Rating(value=rating, comment=comment),
    )


def _customer(visitor: Reader | None, chat: Reader | None) -> Person | None:
    if visitor is None:
        return None
    person = visitor.person()
    if person.company is None and chat is not None and chat.opt_str("company"):
        return Person(
            id=person.id,
            name=person.name,
            email=person.email,
            phone=person.phone,
            company=chat.opt_str("company"),
        )
    return person


def _chat_data(chat: Reader) -> dict[str, Any]:
    transcript = chat.opt_str("chat_transcript")
    return {
        "transcript": [] if transcript is None else _transcript_lines(transcript),
        "attachments": [
            {"name": item.name, "url": item.url} for item in chat.attachments("attachment")
        ],
        "start_time": iso(chat.opt_time("start_time")),
        "end_time": iso(chat.opt_time("end_time")),
        "waiting_time": chat.opt_scalar("waiting_time"),
        "operator_comment": chat.opt_str("operator_comment"),
        "chat_company": chat.opt_str("company"),
        "chat_custom_fields": chat.objects("custom_fields"),
        "chat_custom_variables": chat.custom_variables(),
    }


def _transcript_lines(transcript: str) -> list[str]:
    """The transcript, one entry per "⊙"-separated line, without blank ones."""
    lines = (line.strip() for line in transcript.split(TRANSCRIPT_SEPARATOR))
    return [line for line in lines if line]


def _wrapup_data(wrapup: Reader) -> dict[str, Any]:
    return compact(
        {
            "category": wrapup.opt_str("category"),
            "comment": wrapup.opt_str("comment"),
            "fields": wrapup.objects("fields"),
            "time": iso(wrapup.opt_time("time")),
        }
    )


def _operators(chat: Reader) -> list[dict[str, str]]:
    """``operators`` (or ``agents``): a name, a list of names or ids, or of objects with
    ``id``, ``name`` and ``email``; each as ``{id, name, email}`` without absent keys."""
    key = "operators" if chat.has("operators") else "agents"
    value = chat.value.get(key)
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else [value]
    found = []
    for index, item in enumerate(items):
        where = chat.where(key) if items is not value else f"{chat.where(key)}[{index}]"
        found.append(_operator(item, where))
    return [operator for operator in found if operator]


def _operator(item: object, where: str) -> dict[str, str]:
    if isinstance(item, str):
        return {"name": item} if item else {}
    if isinstance(item, int) and not isinstance(item, bool):
        return {"id": str(item)}
    if isinstance(item, dict):
        reader = Reader(item, where)
        found = {
            "id": reader.opt_id("id"),
            "name": reader.opt_str("name"),
            "email": reader.opt_str("email"),
        }
        return {key: value for key, value in found.items() if value is not None}
    raise PayloadRejected(f"{where}: expected a name, an id or an object, got {kind(item)}")
