"""Chat events: ``chatsession.created``, ``chatsession.message``, ``chatsession.changed``.

There are no dedicated events for queueing, closing or rating: they all arrive as
``chatsession.changed``, and the session's ``status`` (the ``ChatSessionStatus`` enum)
and ``rating`` in ``FieldValues``, with the names in ``Changes``, say which it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hookyard import Chat, Message, PayloadRejected, Person, Rating
from hookyard_superoffice._fields import compact

if TYPE_CHECKING:
    from hookyard import Event
    from hookyard_superoffice._envelope import Envelope
    from hookyard_superoffice._fields import Fields

__all__ = ["CHAT_EVENTS", "STATUSES", "STATUS_TYPES", "chat_event"]

CHAT_EVENTS: tuple[str, ...] = ("chatsession.created", "chatsession.message", "chatsession.changed")

#: ``ChatSessionStatus`` (CRMScript's ``NetServer.ChatSessionStatus``): value -> name.
STATUSES: dict[int, str] = {
    0: "Invalid",
    1: "PreChatForm",
    2: "Faq",
    3: "OfflineForm",
    4: "InQueue",
    5: "CustomerLast",
    6: "UserLast",
    7: "Finished",
    8: "Deleted",
    9: "Closed",
    10: "RequestPosted",
    11: "ClosedFromQueue",
}

#: The type of a ``chatsession.changed`` whose status changed to this; others are
#: ``chat.status_changed``.
STATUS_TYPES: dict[int, str] = {
    4: "chat.requested",  # InQueue
    10: "chat.requested",  # RequestPosted
    7: "chat.closed",  # Finished
    9: "chat.closed",  # Closed
    11: "chat.closed",  # ClosedFromQueue
}

#: Prefixes SuperOffice puts before a chat session's field names in ``Changes``.
_SESSION_PREFIXES = frozenset({"chatsession", "chat_session"})


def chat_event(envelope: Envelope) -> Event:
    """One chat event: the session (``PrimaryKey``) with its status, topic and rating, the
    customer and the agent from ``FieldValues``, what changed in ``changes``."""
    values = envelope.values
    chat_id = envelope.top.opt_int("PrimaryKey")
    if chat_id is None:
        raise PayloadRejected("SuperOffice chat event has no PrimaryKey (the chat session id)")
    status_code, rating = values.opt_int("status"), values.opt_int("rating")
    status = _status_name(status_code)
    topic_id, customer_id, user_id = (
        values.opt_ref(key) for key in ("topicId", "customerId", "userId")
    )
    chat = Chat(
        id=str(chat_id),
        status=status,
        department=None if topic_id is None else str(topic_id),
        rating=Rating(value=str(rating)) if rating else None,
    )
    event_type, changes = _type(envelope, status_code, rating)
    return envelope.event(
        event_type,
        chat=chat,
        customer=None if customer_id is None else Person(id=str(customer_id)),
        agent=None if user_id is None else Person(id=str(user_id)),
        message=Message() if envelope.kind == "chatsession.message" else None,
        changes=changes,
        data=_extras(values, status_code, rating),
    )


def _status_name(code: int | None) -> str | None:
    """The status as SuperOffice names it (``Closed``); a value it does not list, as text."""
    return None if code is None else STATUSES.get(code, str(code))


def _type(
    envelope: Envelope, status_code: int | None, rating: int | None
) -> tuple[str, dict[str, Any]]:
    if envelope.kind == "chatsession.created":
        return "chat.started", {}
    if envelope.kind == "chatsession.message":
        return "chat.message", {}
    return _changed_type(envelope.changed, status_code, rating)


def _changed_type(
    changed: tuple[str, ...], status_code: int | None, rating: int | None
) -> tuple[str, dict[str, Any]]:
    """A ``chatsession.changed``'s type and ``changes`` (besides ``fields``).

    The status changed when ``Changes`` names it, or when ``Changes`` is empty (SuperOffice
    did not say) and ``FieldValues`` holds one: it decides the type (:data:`STATUS_TYPES`,
    else ``chat.status_changed``). Otherwise a changed rating is ``chat.rated``; anything
    else, ``chat.updated``.
    """
    fields = {_session_field(name) for name in changed}
    changes: dict[str, Any] = {}
    status_changed = "status" in fields or (not changed and status_code is not None)
    if status_changed:
        changes["status"] = _status_name(status_code)
    if "rating" in fields:
        changes["rating"] = rating
    if status_changed:
        if status_code is None:
            return "chat.status_changed", changes
        return STATUS_TYPES.get(status_code, "chat.status_changed"), changes
    if "rating" in fields:
        return "chat.rated", changes
    return "chat.updated", changes


def _session_field(name: str) -> str | None:
    """``status`` for ``status``, ``chatSession.status`` ...; None for other records' fields
    (``chatMessage.author``)."""
    parts = name.lower().split(".")
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2 and parts[0] in _SESSION_PREFIXES:
        return parts[1]
    return None


def _extras(values: Fields, status_code: int | None, rating: int | None) -> dict[str, Any]:
    """``FieldValues`` without a common home, snake_cased; ids of 0 ("none") left out."""
    alias = values.get("customerAlias")
    if alias is not None and (isinstance(alias, bool) or not isinstance(alias, str | int)):
        raise PayloadRejected("SuperOffice FieldValues.customerAlias is not text or a number")
    return compact(
        {
            "status_code": status_code,
            "rating": rating,
            "alert_level": values.opt_int("alertLevel"),
            "chatbot_is_active": values.opt_bool("chatbotIsactive"),
            "consented": values.opt_bool("consented"),
            "customer_alias": alias,
            "contact_id": values.opt_ref("contactId"),
            "project_id": values.opt_ref("projectId"),
            "sale_id": values.opt_ref("saleId"),
            "ticket_id": values.opt_ref("ticketId"),
            "topic_id": values.opt_ref("topicId"),
        }
    )
