"""LiveChat chat events (message, file, system message ...) as normalized messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hookyard import Attachment, Message
from hookyard_livechat._fields import opt_str, opt_time

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["event_data", "to_message"]


def to_message(event: Mapping[str, Any], roles: Mapping[str, str]) -> Message:
    """One LiveChat Event object as a :class:`~hookyard.events.Message`.

    :param roles: author role by LiveChat user id, where the chat's users are known.
        System messages are always ``system``; otherwise an unknown author has no role.
    """
    kind = opt_str(event, "type")
    author_id = opt_str(event, "author_id")
    role = "system" if kind == "system_message" else roles.get(author_id or "")
    return Message(
        id=opt_str(event, "id"),
        text=opt_str(event, "text"),
        author_id=author_id,
        author_role=role,
        created_at=opt_time(event, "created_at"),
        attachments=_attachments(event) if kind == "file" else (),
    )


def _attachments(event: Mapping[str, Any]) -> tuple[Attachment, ...]:
    size = event.get("size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool)):
        raise TypeError("file size is not an integer")
    return (
        Attachment(
            name=opt_str(event, "name"),
            url=opt_str(event, "url"),
            content_type=opt_str(event, "content_type"),
            size=size,
        ),
    )


def event_data(event: Mapping[str, Any]) -> dict[str, Any]:
    """What ``data`` says about a LiveChat event: its type, visibility and system type.

    ``visibility`` (``recipients`` before v3.6) is ``agents`` for internal notes.
    """
    data: dict[str, Any] = {"event_type": opt_str(event, "type")}
    visibility = opt_str(event, "visibility") or opt_str(event, "recipients")
    if visibility is not None:
        data["visibility"] = visibility
    for key in ("system_message_type", "custom_id"):
        value = opt_str(event, key)
        if value is not None:
            data[key] = value
    return data
