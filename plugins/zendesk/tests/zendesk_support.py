"""Shared pieces of the Zendesk sink's tests: the agent's credentials, configs, events."""

from __future__ import annotations

from typing import Any

EMAIL = "agent@acme.example"
TOKEN = "zd-secret-token-4f9a2c"  # noqa: S105 - a test token
CUSTOMER = {"id": "customer-7", "name": "Ada Lovelace", "email": "ada@example.com"}


def options(url: str, **more: Any) -> dict[str, Any]:
    """The ``zendesk`` sink's options for a server at ``url``."""
    return {"plugin": "zendesk", "url": url, "email": EMAIL, "token": TOKEN, **more}


def host_config(url: str, *, timeout: str = "10s", **sink: Any) -> dict[str, Any]:
    """A source, a ``desk`` sink at ``url`` and the three routes of a chat's life."""
    return {
        "sources": {"chats": {"vendor": "generic", "auth": "none"}},
        "sinks": {"desk": {**options(url, timeout=timeout), **sink}},
        "routes": [
            {
                "name": "chat to ticket",
                "match": {"type": "chat.started"},
                "to": "desk",
                "action": "create_ticket",
                "with": {
                    "subject": "Chat with {{ event.customer.name }}",
                    "body": "{{ event.message.text }}",
                    "priority": "high",
                    "tags": ["chat", "{{ event.source }}"],
                },
                "retry": {"initial_delay": "50ms"},
            },
            {
                "name": "messages to comments",
                "match": {"type": "chat.message"},
                "to": "desk",
                "action": "add_comment",
                # A public reply for VIP chats, an internal note for the others.
                "with": {
                    "body": "{{ event.message.text }}",
                    "public": "{{ 'vip' in event.chat.tags }}",
                },
                "retry": {"initial_delay": "50ms"},
            },
            {
                "name": "closed chats solved",
                "match": {"type": "chat.closed"},
                "to": "desk",
                "action": "set_status",
                "with": {"status": "solved"},
                "retry": {"initial_delay": "50ms"},
            },
        ],
    }


def event(number: int, type: str, text: str | None = None, chat: str = "chat-9") -> dict[str, Any]:
    """An event in hookyard's JSON form, as the ``generic`` vendor takes it."""
    body: dict[str, Any] = {
        "id": f"e{number}",
        "type": type,
        "occurred_at": f"2026-12-01T10:00:{number:02d}Z",
        "chat": {"id": chat},
        "customer": CUSTOMER,
    }
    if text is not None:
        body["message"] = {"id": f"m{number}", "text": text}
    return body
