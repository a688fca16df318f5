"""Zendesk Support sink plugin for hookyard: one ticket per conversation, its comments and
its status, each made exactly once (README.md, docs/sinks/zendesk.md).

Actions: ``create_ticket`` (``subject``, ``body``, ``priority``, ``tags``; the requester is
the event's customer), ``add_comment`` (``body``, ``public``) and ``set_status``
(``status``). Options: ``url``, ``email``, ``token``, ``timeout``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import SinkSpec, hookimpl
from hookyard_zendesk._config import (
    AddComment,
    CreateTicket,
    Priority,
    SetStatus,
    Status,
    ZendeskConfig,
)
from hookyard_zendesk._sink import ZendeskSink

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "ACTIONS",
    "AddComment",
    "CreateTicket",
    "Priority",
    "SetStatus",
    "Status",
    "ZendeskConfig",
    "ZendeskSink",
    "hookyard_register_sinks",
]

#: The actions a route may pick (``create_ticket`` is the default).
ACTIONS = ("create_ticket", "add_comment", "set_status")


@hookimpl
def hookyard_register_sinks(register: Callable[[SinkSpec], None]) -> None:
    """Register the ``zendesk`` sink."""
    register(
        SinkSpec(
            name="zendesk",
            config_type=ZendeskConfig,
            open=ZendeskSink,
            actions=ACTIONS,
            params={
                "create_ticket": CreateTicket,
                "add_comment": AddComment,
                "set_status": SetStatus,
            },
        )
    )
