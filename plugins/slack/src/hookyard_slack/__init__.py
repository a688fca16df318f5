"""The ``slack`` sink: posts to Slack through an incoming webhook (``webhook_url``) or the
Web API (``token``), where each conversation is one thread whose parent message ``update``
edits. README.md and docs/sinks/slack.md say what each option does and how exactly-once
holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import SinkSpec, hookimpl
from hookyard_slack._config import (
    SlackConfig,
    TokenPost,
    TokenUpdate,
    WebhookPost,
    WebhookUpdate,
    post_params,
    update_params,
)
from hookyard_slack._sink import SlackSink

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "ACTIONS",
    "SlackConfig",
    "SlackSink",
    "TokenPost",
    "TokenUpdate",
    "WebhookPost",
    "WebhookUpdate",
    "hookyard_register_sinks",
]

#: ``post`` (the default) and ``update`` (with ``token`` only).
ACTIONS = ("post", "update")


@hookimpl
def hookyard_register_sinks(register: Callable[[SinkSpec], None]) -> None:
    """Register the ``slack`` sink."""
    register(
        SinkSpec(
            name="slack",
            config_type=SlackConfig,
            open=SlackSink,
            actions=ACTIONS,
            params={"post": post_params, "update": update_params},
        )
    )
