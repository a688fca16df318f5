"""What the Slack sink tests share: the token, the channel, configs and sample events."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hookyard.testing import sample_event
from hookyard_slack import SlackConfig, SlackSink

if TYPE_CHECKING:
    from hookyard.testing import SlackApi

__all__ = [
    "CHANNEL",
    "TOKEN",
    "chat_event",
    "host_config",
    "token_sink",
    "webhook_sink",
]

TOKEN = "xoxb-1111-2222-s3cr3tbottoken"
CHANNEL = "C0SUPPORT1"
_ids = itertools.count(1)


def token_sink(slack: SlackApi, timeout: float = 2.0) -> SlackSink:
    return SlackSink(SlackConfig(token=TOKEN, api_url=slack.api_url, timeout=timeout))


def webhook_sink(url: str, timeout: float = 2.0) -> SlackSink:
    return SlackSink(SlackConfig(webhook_url=url, timeout=timeout))


def chat_event(type: str, chat_id: str = "chat-1", **fields: Any) -> dict[str, Any]:
    """An event in hookyard's JSON form, as the generic vendor accepts it."""
    event = sample_event(type, chat_id=chat_id, source="chats", vendor="generic", **fields)
    event["id"] = f"evt-{next(_ids)}"
    event["occurred_at"] = datetime.now(UTC).isoformat()
    for name in ("received_at", "vendor_type", "changes", "raw"):
        event.pop(name)
    return event


def host_config(sink: dict[str, Any], routes: list[dict[str, Any]]) -> dict[str, Any]:
    """A source ``chats`` (generic, no auth) and the sink ``slack`` with fast retries."""
    retry = {"initial_delay": "50ms", "max_attempts": 4}
    return {
        "sources": {"chats": {"vendor": "generic", "auth": "none"}},
        "sinks": {"slack": {"plugin": "slack", "retry": retry, **sink}},
        "routes": [{"to": "slack", **route} for route in routes],
    }
