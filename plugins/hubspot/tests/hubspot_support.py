"""What the HubSpot sink's tests share: the token, configs, events."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from hookyard_hubspot import HubSpotConfig, HubSpotSink

if TYPE_CHECKING:
    from hookyard.testing import HubSpotApi

TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555"
_events = itertools.count(1)


def open_sink(api: HubSpotApi, **options: Any) -> HubSpotSink:
    """A sink talking to ``api`` (close it with ``aclose``)."""
    return HubSpotSink(HubSpotConfig(**{"token": TOKEN, "api_url": api.url, **options}))


def host_config(url: str, routes: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
    """A host with one open ``generic`` source and one ``hubspot`` sink, ``crm``.

    The sink comes from the plugin's installed entry point (the workspace installs it), as
    ``hookyard serve`` would load it: registering the module in-process as well would
    register the ``hubspot`` sink twice.
    """
    sink = {
        "plugin": "hubspot",
        "token": TOKEN,
        "api_url": url,
        "retry": {"initial_delay": "50ms"},
        **options,
    }
    return {
        "sources": {"chats": {"vendor": "generic", "auth": "none"}},
        "sinks": {"crm": sink},
        "routes": [{"to": "crm", **route} for route in routes],
    }


def chat_event(
    event_type: str = "chat.started",
    *,
    chat: str | None = "chat-1",
    email: str | None = "ada@example.com",
    text: str = "My order has not arrived.",
) -> dict[str, Any]:
    """An event in hookyard's JSON form, as the generic vendor takes it."""
    number = next(_events)
    event: dict[str, Any] = {
        "id": f"evt-{number}",
        "type": event_type,
        "occurred_at": f"2026-05-04T10:00:{number % 60:02d}.250Z",
        "customer": {"id": "cust-1", "name": "Ada Lovelace", "email": email},
        "message": {"id": f"m-{number}", "text": text},
    }
    if chat is not None:
        event["chat"] = {"id": chat}
    return event
