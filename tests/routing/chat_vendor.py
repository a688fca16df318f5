"""``chatline``: an in-process test vendor whose body is one chat message, as written.

``{"id": "m1", "chat": "c1", "text": "hi", "at": "2026-03-29T00:30:00+00:00"}`` becomes
one ``chat.message`` event of chat ``c1`` (``type`` may name another event type), so route
tests can write exactly the events a gate or a ``when`` sees. No authentication.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from attrs import frozen

from hookyard import Chat, Event, Message, PayloadRejected, VendorSpec, hookimpl

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from hookyard import WebhookRequest

__all__ = ["PLUGINS", "chat_source"]


@frozen
class ChatlineConfig:
    pass


def _verify(_config: ChatlineConfig, _request: WebhookRequest) -> None:
    return None


def _parse(_config: ChatlineConfig, request: WebhookRequest) -> Sequence[Event]:
    body = request.json()
    if not isinstance(body, dict) or not isinstance(body.get("id"), str):
        raise PayloadRejected("id: expected a string")
    at = datetime.fromisoformat(body["at"]) if "at" in body else request.received_at
    return [
        Event(
            id=body["id"],
            source=request.source,
            vendor="chatline",
            type=body.get("type", "chat.message"),
            vendor_type="message",
            occurred_at=at,
            received_at=request.received_at,
            chat=Chat(id=body.get("chat")),
            message=Message(id=body["id"], text=body.get("text")),
        )
    ]


class ChatlinePlugin:
    @hookimpl
    def hookyard_register_vendors(self, register: Callable[[VendorSpec], None]) -> None:
        register(VendorSpec("chatline", ChatlineConfig, _verify, _parse))


PLUGINS = {"chatline": ChatlinePlugin()}


def chat_source() -> dict[str, object]:
    """The ``sources`` section: one ``chats`` source of this vendor, open to anyone."""
    return {"chats": {"vendor": "chatline", "auth": "none"}}
