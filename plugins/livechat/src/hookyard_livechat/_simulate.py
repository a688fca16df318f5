"""Realistic, correctly authenticated sample deliveries for ``hookyard simulate``."""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard import SimulatedRequest

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard_livechat._config import LiveChatConfig

__all__ = ["ACTIONS", "simulate"]

_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_AGENT = {"id": "smith@example.com", "type": "agent", "name": "Agent Smith"}
_REQUESTER = "jones@example.com"


def _livechat_id() -> str:
    """A fresh id shaped like LiveChat's chat and thread ids (``PJ0MRSHTDG``)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))


@frozen
class _Sample:
    """The fresh ids and the timestamp one simulated delivery uses."""

    chat_id: str
    thread_id: str
    customer_id: str
    now: str

    @classmethod
    def fresh(cls) -> _Sample:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return cls(_livechat_id(), _livechat_id(), str(uuid.uuid4()), now)

    def ids(self) -> dict[str, Any]:
        return {"chat_id": self.chat_id, "thread_id": self.thread_id}

    def customer(self) -> dict[str, Any]:
        return {
            "id": self.customer_id,
            "type": "customer",
            "name": "Thomas Anderson",
            "email": "t.anderson@example.com",
            "present": True,
            "created_at": self.now,
        }

    def agent(self) -> dict[str, Any]:
        return {**_AGENT, "email": _AGENT["id"], "present": True}

    def event(self, number: int, **fields: Any) -> dict[str, Any]:
        """A LiveChat Event object; ids look like ``<thread id>_<n>``."""
        base = {"id": f"{self.thread_id}_{number}", "created_at": self.now}
        return {**base, "visibility": "all", **fields}


def _message(sample: _Sample) -> dict[str, Any]:
    return sample.event(
        1, type="message", author_id=sample.customer_id, text="Hi, is my order on its way?"
    )


def _incoming_chat(sample: _Sample) -> dict[str, Any]:
    thread = {
        "id": sample.thread_id,
        "active": True,
        "user_ids": [sample.customer_id, _AGENT["id"]],
        "events": [_message(sample)],
        "properties": {},
        "access": {"group_ids": [0]},
        "tags": [],
        "created_at": sample.now,
    }
    users = [sample.customer(), sample.agent()]
    return {"chat": {"id": sample.chat_id, "users": users, "properties": {}, "thread": thread}}


def _incoming_event(sample: _Sample) -> dict[str, Any]:
    return {**sample.ids(), "event": _message(sample)}


def _rating(sample: _Sample) -> dict[str, Any]:
    event = sample.event(
        2,
        type="system_message",
        text="Thomas Anderson rated the chat as good",
        system_message_type="rating.chat_rated",
        text_vars={"customer": "Thomas Anderson", "score": "good"},
    )
    return {**sample.ids(), "event": event}


def _file(sample: _Sample) -> dict[str, Any]:
    event = sample.event(
        2,
        type="file",
        author_id=sample.customer_id,
        name="receipt.png",
        url="https://cdn.livechat-files.com/api/file/lc/att/8948324/receipt.png",
        content_type="image/png",
        size=48213,
        width=640,
        height=480,
    )
    return {**sample.ids(), "event": event}


def _chat_deactivated(sample: _Sample) -> dict[str, Any]:
    return {**sample.ids(), "user_id": _AGENT["id"]}


def _chat_transferred(sample: _Sample) -> dict[str, Any]:
    target = {"group_ids": [1], "agent_ids": [_AGENT["id"]]}
    extra = {"requester_id": _REQUESTER, "reason": "manual"}
    return {**sample.ids(), **extra, "transferred_to": target}


def _user_added(sample: _Sample) -> dict[str, Any]:
    extra = {"reason": "manual", "requester_id": _REQUESTER}
    return {**sample.ids(), "user": sample.agent(), "user_type": "agent", **extra}


def _user_removed(sample: _Sample) -> dict[str, Any]:
    extra = {"reason": "manual", "requester_id": _REQUESTER}
    return {**sample.ids(), "user_id": _AGENT["id"], "user_type": "agent", **extra}


def _tag(sample: _Sample) -> dict[str, Any]:
    return {**sample.ids(), "tag": "sales"}


#: simulate action -> (LiveChat action sent, payload builder).
_SIMULATIONS: dict[str, tuple[str, Callable[[_Sample], dict[str, Any]]]] = {
    "incoming_chat": ("incoming_chat", _incoming_chat),
    "incoming_event": ("incoming_event", _incoming_event),
    "rating": ("incoming_event", _rating),
    "file": ("incoming_event", _file),
    "chat_transferred": ("chat_transferred", _chat_transferred),
    "user_added_to_chat": ("user_added_to_chat", _user_added),
    "user_removed_from_chat": ("user_removed_from_chat", _user_removed),
    "thread_tagged": ("thread_tagged", _tag),
    "thread_untagged": ("thread_untagged", _tag),
    "chat_deactivated": ("chat_deactivated", _chat_deactivated),
}

#: What ``simulate`` accepts, in the order ``hookyard simulate`` lists them.
ACTIONS: tuple[str, ...] = tuple(_SIMULATIONS)


def simulate(config: LiveChatConfig, action: str) -> SimulatedRequest:
    """A delivery LiveChat could send for ``action``, with fresh ids and the current time.

    ``rating`` and ``file`` are ``incoming_event`` deliveries carrying a
    ``rating.chat_rated`` system message and an uploaded file.
    """
    if action not in _SIMULATIONS:
        raise ValueError(f"unknown LiveChat action {action!r}; known: {', '.join(ACTIONS)}")
    livechat_action, build = _SIMULATIONS[action]
    sample = _Sample.fresh()
    body = {
        "webhook_id": uuid.uuid4().hex,
        "secret_key": config.secret or "",
        "action": livechat_action,
        "organization_id": config.organization_id or str(uuid.uuid4()),
        "payload": build(sample),
        "additional_data": {"chat_presence_user_ids": [sample.customer_id, _AGENT["id"]]},
    }
    return SimulatedRequest(
        body=json.dumps(body).encode(), headers={"content-type": "application/json"}
    )
