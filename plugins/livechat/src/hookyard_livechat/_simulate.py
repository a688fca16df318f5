"""Realistic, correctly authenticated sample deliveries for ``hookyard simulate``."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING

from hookyard import SimulatedRequest
from hookyard_livechat._samples import AGENT, Sample, payload_builders

if TYPE_CHECKING:
    from hookyard_livechat._config import LiveChatConfig

__all__ = ["ACTIONS", "simulate"]

#: simulate actions that send another LiveChat action: ``incoming_event`` samples.
_SENT_AS = {"rating": "incoming_event", "file": "incoming_event"}
#: Configuration webhooks (v3.6): they carry ``requester`` and no ``additional_data``.
_CONFIGURATION = frozenset(
    [
        "agent_created",
        "agent_approved",
        "agent_updated",
        "agent_suspended",
        "agent_unsuspended",
        "agent_deleted",
        "auto_accesses_updated",
        "bot_created",
        "bot_updated",
        "bot_deleted",
        "group_created",
        "group_updated",
        "group_deleted",
        "tag_created",
        "tag_updated",
        "tag_deleted",
    ]
)
_BUILDERS = payload_builders()

#: What ``simulate`` accepts, in the order ``hookyard simulate`` lists them: every
#: LiveChat action, plus ``rating`` and ``file`` (``incoming_event`` samples).
ACTIONS: tuple[str, ...] = tuple(_BUILDERS)


def simulate(config: LiveChatConfig, action: str) -> SimulatedRequest:
    """A delivery LiveChat could send for ``action``, with fresh ids and the current time.

    ``rating`` and ``file`` are ``incoming_event`` deliveries carrying a
    ``rating.chat_rated`` system message and an uploaded file.
    """
    if action not in _BUILDERS:
        raise ValueError(f"unknown LiveChat action {action!r}; known: {', '.join(ACTIONS)}")
    sample = Sample.fresh()
    body = {
        "webhook_id": uuid.uuid4().hex,
        "secret_key": config.secret or "",
        "action": _SENT_AS.get(action, action),
        "organization_id": config.organization_id or str(uuid.uuid4()),
        "payload": _BUILDERS[action](sample),
    }
    if action in _CONFIGURATION:
        body["requester"] = {
            "user_id": AGENT["id"],
            "account_id": str(uuid.uuid4()),
            "client_id": uuid.uuid4().hex,
        }
        body["additional_data"] = {}
    else:
        body["additional_data"] = {"chat_presence_user_ids": [sample.customer_id, AGENT["id"]]}
    return SimulatedRequest(
        body=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
