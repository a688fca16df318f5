"""One DeskDirector ChatSession, checked: its people and the extras that go into ``data``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard_deskdirector._read import Reader, utc_text
from hookyard_deskdirector._users import User, first, read_user

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["People", "extras", "occurred_at"]


@frozen
class People:
    """Everyone a session names: its creator, active users, participants and invitees."""

    creator: User
    users: list[User]
    participants: list[User]
    targets: list[User]
    closed_by: User | None

    @classmethod
    def read(cls, session: Reader) -> People:
        creator = session.opt_obj("creator")
        if creator is None:
            raise session.fail("creator", "is missing")
        close = session.opt_obj("closeRecord")
        closer = None if close is None else close.opt_obj("user")
        return cls(
            creator=read_user(creator),
            users=[read_user(user) for user in session.objects("users")],
            participants=[read_user(user) for user in session.objects("participants")],
            targets=[read_user(user) for user in session.objects("targetUsers")],
            closed_by=None if closer is None else read_user(closer),
        )

    def customer(self) -> User | None:
        """The creator when a contact, else the first contact taking part."""
        return first([self.creator, *self.participants, *self.users], contact=True)

    def agent(self) -> User | None:
        """The member who closed the session, else the first active or past member."""
        if self.closed_by is not None and not self.closed_by.is_contact:
            return self.closed_by
        return first([*self.users, *self.participants, self.creator], contact=False)


def occurred_at(session: Reader, status: str, modified: datetime) -> datetime:
    """When the status was reached: the status's own timestamp, else lastModifiedDateTime."""
    report = session.opt_obj("report")
    close = session.opt_obj("closeRecord")
    candidates: dict[str, list[datetime | None]] = {
        "created": [session.opt_time("createdDateTime")],
        "handled": [None if report is None else report.opt_time("handledDateTime")],
        "completed": [
            session.opt_time("closedDateTime"),
            None if close is None else close.opt_time("lastModifiedDateTime"),
        ],
    }
    return next((when for when in candidates.get(status, []) if when is not None), modified)


def extras(session: Reader, people: People) -> dict[str, Any]:
    """``data``: what the session carries beyond the common fields (null when not sent)."""
    close = session.opt_obj("closeRecord")
    customer, agent = people.customer(), people.agent()
    return {
        "name": session.opt_str("name"),
        "session_type": session.opt_str("type"),
        "past_statuses": session.strings("pastStatus"),
        "customer": None if customer is None else customer.summary,
        "agent": None if agent is None else agent.summary,
        "creator": people.creator.summary,
        "users": [user.summary for user in people.users],
        "participants": [user.summary for user in people.participants],
        "target_users": [user.summary for user in people.targets],
        "closed_by": None if people.closed_by is None else people.closed_by.summary,
        "close_note": None if close is None else close.opt_str("note"),
        "closed_at": utc_text(session.opt_time("closedDateTime")),
        "created_at": utc_text(session.opt_time("createdDateTime")),
        "last_message_id": session.opt_str("lastMessageId"),
        "reference": _reference(session.opt_obj("reference")),
        "callback": _callback(session.opt_obj("callback")),
        "report": _report(session.opt_obj("report")),
    }


def _reference(reference: Reader | None) -> dict[str, Any] | None:
    if reference is None:
        return None
    return {"type": reference.opt_str("type"), "id": reference.opt_str("id")}


def _callback(callback: Reader | None) -> dict[str, Any] | None:
    if callback is None:
        return None
    times = [
        {"start": utc_text(span.opt_time("start")), "end": utc_text(span.opt_time("end"))}
        for span in callback.objects("preferredTime")
    ]
    return {
        "type": callback.opt_str("type"),
        "phone": callback.opt_str("phone"),
        "note": callback.opt_str("note"),
        "preferred_times": times,
    }


def _report(report: Reader | None) -> dict[str, Any] | None:
    if report is None:
        return None
    return {
        "creator_waited": report.opt_number("creatorWaited"),
        "handled_at": utc_text(report.opt_time("handledDateTime")),
        "chat_duration": report.opt_number("chatDuration"),
    }
