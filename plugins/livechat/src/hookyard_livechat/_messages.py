"""LiveChat chat events (message, file, system message ...) as normalized messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hookyard import Attachment, Message

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hookyard_livechat._fields import Obj

__all__ = ["event_data", "to_message"]


def to_message(event: Obj, roles: Mapping[str, str]) -> Message:
    """One LiveChat Event object as a :class:`~hookyard.Message`.

    :param roles: author role by LiveChat user id, where the chat's users are known.
        System messages are always ``system``; otherwise an unknown author has no role.
    """
    kind = event.opt_str("type")
    author_id = event.opt_str("author_id")
    role = "system" if kind == "system_message" else roles.get(author_id or "")
    return Message(
        id=event.opt_str("id"),
        text=event.opt_str("text"),
        author_id=author_id,
        author_role=role,
        created_at=event.opt_time("created_at"),
        attachments=_attachments(event) if kind == "file" else (),
    )


def _attachments(event: Obj) -> tuple[Attachment, ...]:
    return (
        Attachment(
            name=event.opt_str("name"),
            url=event.opt_str("url"),
            content_type=event.opt_str("content_type"),
            size=event.opt_int("size"),
        ),
    )


def event_data(event: Obj) -> dict[str, Any]:
    """What ``data`` says about a LiveChat event: its type, visibility and system type.

    ``visibility`` (``recipients`` before v3.6) is ``agents`` for internal notes.
    """
    data: dict[str, Any] = {"event_type": event.opt_str("type")}
    visibility = event.opt_str("visibility") or event.opt_str("recipients")
    if visibility is not None:
        data["visibility"] = visibility
    for key in ("system_message_type", "custom_id"):
        value = event.opt_str(key)
        if value is not None:
            data[key] = value
    return data
