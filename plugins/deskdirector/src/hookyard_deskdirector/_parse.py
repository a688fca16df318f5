"""Turning a DeskDirector delivery, a JSON array of chat sessions, into normalized events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import Chat, Event, PayloadRejected, stable_event_id
from hookyard_deskdirector._read import Reader
from hookyard_deskdirector._session import People, extras, occurred_at

if TYPE_CHECKING:
    from hookyard import WebhookRequest
    from hookyard_deskdirector._config import DeskDirectorConfig

__all__ = ["TYPES", "VENDOR", "parse"]

VENDOR = "deskdirector"
#: DeskDirector ChatSessionStatus -> normalized type; any other status becomes ``unknown``.
TYPES: dict[str, str] = {
    "created": "chat.started",
    "handled": "chat.assigned",
    "missed": "chat.missed",
    "completed": "chat.closed",
    "callback": "chat.callback_requested",
}


def parse(config: DeskDirectorConfig, request: WebhookRequest) -> list[Event]:
    """One event per chat session in the body, in the body's order.

    Raises :class:`~hookyard.PayloadRejected` for any body that is not DeskDirector's: not
    a JSON array, an empty array, or a session with a value of the wrong type.
    """
    body = request.json()
    if not isinstance(body, list):
        raise PayloadRejected("DeskDirector body is not a JSON array of chat sessions")
    if not body:
        raise PayloadRejected("DeskDirector body is an empty array")
    return [session_event(request, Reader.of(item, f"[{i}]")) for i, item in enumerate(body)]


def session_event(request: WebhookRequest, session: Reader) -> Event:
    """The event of one ChatSession: its status is what happened."""
    session_id, status = session.text("id"), session.text("status")
    modified_text = session.text("lastModifiedDateTime")
    modified = session.time("lastModifiedDateTime")
    people = People.read(session)
    customer, agent = people.customer(), people.agent()
    return Event(
        id=stable_event_id(VENDOR, session_id, status, modified_text),
        source=request.source,
        vendor=VENDOR,
        type=TYPES.get(status, "unknown"),
        vendor_type=status,
        occurred_at=occurred_at(session, status, modified),
        received_at=request.received_at,
        chat=Chat(id=session_id, status=status),
        customer=None if customer is None else customer.person(_phone(session, status)),
        agent=None if agent is None else agent.person(),
        changes=_changes(session, status),
        data=extras(session, people),
        raw=session.value,
    )


def _phone(session: Reader, status: str) -> str | None:
    """The number a ``callback`` asks to be called on."""
    callback = session.opt_obj("callback")
    return None if status != "callback" or callback is None else callback.opt_str("phone")


def _changes(session: Reader, status: str) -> dict[str, str]:
    """``previous_status``/``status`` when the session had a status before this one."""
    past = session.strings("pastStatus")
    return {"previous_status": past[-1], "status": status} if past else {}
