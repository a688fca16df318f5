"""Shared by the jira sink's tests: credentials, options, a host config, webhook bodies."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import hookyard_jira
from hookyard import Seconds
from hookyard_jira import JiraConfig, JiraSink

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from hookyard.testing import JiraApi

EMAIL = "support-bot@example.com"
TOKEN = "ATATT3xFfGF0-secret-token-7Q2x"
PROJECT = "SUP"
CUSTOM_FIELD = "customfield_10010"
#: The plugin registered in-process; its installed entry point (the same module) is left
#: out, or pluggy would refuse the module a second time.
PLUGINS = {"jira-under-test": hookyard_jira}
DISABLED = ("jira",)

#: chat.started makes the issue, every chat.message comments on it.
ROUTES = [
    {
        "match": {"type": "chat.started"},
        "to": "jira",
        "action": "create_issue",
        "with": {
            "summary": "Chat with {{ event.customer.name }}",
            "description": "{{ event.message.text }}",
            "labels": ["chat"],
        },
    },
    {
        "match": {"type": "chat.message"},
        "to": "jira",
        "action": "add_comment",
        "with": {"body": "{{ event.customer.name }}: {{ event.message.text }}"},
    },
]


def options(api: JiraApi, **extra: Any) -> dict[str, Any]:
    """The sink's options, pointed at the contract server."""
    return {"url": api.url, "email": EMAIL, "token": TOKEN, "project": PROJECT, **extra}


def host_config(
    api: JiraApi, routes: list[dict[str, Any]] | None = None, **extra: Any
) -> dict[str, Any]:
    """A generic source feeding the jira sink; retries 50 ms apart."""
    sink = {"plugin": "jira", **options(api, **extra), "retry": {"initial_delay": "50ms"}}
    return {
        "sources": {"chats": {"vendor": "generic", "auth": "none"}},
        "sinks": {"jira": sink},
        "routes": ROUTES if routes is None else routes,
    }


def chat_event(
    event_type: str, text: str = "Where is my order?", chat_id: str = "c-1", number: int = 1
) -> dict[str, Any]:
    """A webhook body in hookyard's event JSON form (what a generic source takes)."""
    return {
        "id": f"{chat_id}-{event_type}-{number}",
        "type": event_type,
        "chat": {"id": chat_id},
        "customer": {"id": "cust-1", "name": "Ada Lovelace"},
        "message": {"id": f"m-{number}", "text": text},
    }


@contextlib.asynccontextmanager
async def open_sink(api: JiraApi, timeout: float = 2.0, **extra: Any) -> AsyncIterator[JiraSink]:
    """A JiraSink against ``api``, closed afterwards."""
    config = JiraConfig(**options(api, **extra), timeout=Seconds(timeout))
    sink = JiraSink(config)
    try:
        yield sink
    finally:
        await sink.aclose()
