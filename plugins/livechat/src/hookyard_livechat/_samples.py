"""The payloads ``hookyard simulate`` sends: one builder per sample, fresh ids each time."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from attrs import frozen

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["AGENT", "Payload", "Sample", "payload_builders"]

_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
AGENT = {"id": "smith@example.com", "type": "agent", "name": "Agent Smith"}
_REQUESTER = "jones@example.com"
_NAMESPACE = "0805e283233042b37f460ed8fbf22160"

Payload = dict[str, Any] | list[dict[str, Any]]


def _livechat_id() -> str:
    """A fresh id shaped like LiveChat's chat and thread ids (``PJ0MRSHTDG``)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(10))


@frozen
class Sample:
    """The fresh ids and the timestamp one simulated delivery uses."""

    chat_id: str
    thread_id: str
    customer_id: str
    hex_id: str
    now: str

    @classmethod
    def fresh(cls) -> Sample:
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        return cls(_livechat_id(), _livechat_id(), str(uuid.uuid4()), uuid.uuid4().hex, now)

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
        return {**AGENT, "email": AGENT["id"], "present": True}

    def new_agent_id(self) -> str:
        """A fresh agent login (LiveChat agent ids are e-mail addresses)."""
        return f"agent-{self.hex_id[:8]}@example.com"

    def group_id(self) -> int:
        return int(self.hex_id[:6], 16)

    def event(self, number: int, **fields: Any) -> dict[str, Any]:
        """A LiveChat Event object; ids look like ``<thread id>_<n>``."""
        base = {"id": f"{self.thread_id}_{number}", "created_at": self.now}
        return {**base, "visibility": "all", **fields}

    def message(self) -> dict[str, Any]:
        return self.event(
            1, type="message", author_id=self.customer_id, text="Hi, is my order on its way?"
        )


def _incoming_chat(sample: Sample) -> Payload:
    thread = {
        "id": sample.thread_id,
        "active": True,
        "user_ids": [sample.customer_id, AGENT["id"]],
        "events": [sample.message()],
        "properties": {},
        "access": {"group_ids": [0]},
        "tags": [],
        "created_at": sample.now,
    }
    users = [sample.customer(), sample.agent()]
    return {"chat": {"id": sample.chat_id, "users": users, "properties": {}, "thread": thread}}


def _rating(sample: Sample) -> Payload:
    event = sample.event(
        2,
        type="system_message",
        text="Thomas Anderson rated the chat as good",
        system_message_type="rating.chat_rated",
        text_vars={"customer": "Thomas Anderson", "score": "good"},
    )
    return {**sample.ids(), "event": event}


def _file(sample: Sample) -> Payload:
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


def _edited(sample: Sample) -> Payload:
    event = {**sample.message(), "text": "Hi, is my order A-10023 on its way?"}
    return {**sample.ids(), "event": event}


def _transfer(sample: Sample) -> Payload:
    target = {"group_ids": [1], "agent_ids": [AGENT["id"]]}
    extra = {"requester_id": _REQUESTER, "reason": "manual"}
    return {**sample.ids(), **extra, "transferred_to": target}


def _participant(sample: Sample, added: bool) -> Payload:
    extra = {"reason": "manual", "requester_id": _REQUESTER, "user_type": "agent"}
    user = {"user": sample.agent()} if added else {"user_id": AGENT["id"]}
    return {**sample.ids(), **user, **extra}


def _properties(sample: Sample, deleted: bool, *keys: str) -> dict[str, Any]:
    value: Any = ["note"] if deleted else {"note": "VIP customer"}
    ids = {key: getattr(sample, key) for key in keys}
    return {**ids, "properties": {_NAMESPACE: value}}


def _account(sample: Sample, bot: bool) -> Payload:
    """An agent's or a bot's full state, as ``*_created`` sends it."""
    if bot:
        return {
            "id": sample.hex_id,
            "name": "Order Bot",
            "default_group_priority": "first",
            "groups": [{"id": 0, "priority": "normal"}],
            "owner_client_id": "asXdesldiAJSq9padj",
        }
    return {
        "id": sample.new_agent_id(),
        "name": "Agent Brown",
        "role": "normal",
        "awaiting_approval": True,
        "groups": [{"id": 0, "priority": "normal"}],
        "notifications": ["new_visitor"],
        "email_subscriptions": [],
        "work_scheduler": {"timezone": "Europe/Warsaw", "schedule": []},
    }


def _auto_access(sample: Sample) -> Payload:
    return [
        {
            "id": sample.hex_id,
            "description": "Chats from the orders page",
            "access": {"groups": [1]},
            "conditions": {"url": {"values": [{"value": "/orders", "exact_match": False}]}},
            "next_id": "",
            "status": "added",
        }
    ]


def payload_builders() -> dict[str, Callable[[Sample], Payload]]:
    """simulate action -> the builder of its payload (``Sample -> payload``)."""
    tag = {"tag": "sales"}
    return {
        "incoming_chat": _incoming_chat,
        "incoming_event": lambda s: {**s.ids(), "event": s.message()},
        "rating": _rating,
        "file": _file,
        "event_updated": _edited,
        "event_deleted": lambda s: {**s.ids(), "event_id": f"{s.thread_id}_1"},
        "incoming_rich_message_postback": lambda s: {
            **s.ids(),
            "user_id": s.customer_id,
            "event_id": f"{s.thread_id}_2",
            "postback": {"id": "action_yes", "toggled": True},
        },
        "chat_transferred": _transfer,
        "chat_access_updated": lambda s: {"id": s.chat_id, "access": {"group_ids": [0, 1]}},
        "user_added_to_chat": lambda s: _participant(s, added=True),
        "user_removed_from_chat": lambda s: _participant(s, added=False),
        "thread_tagged": lambda s: {**s.ids(), **tag},
        "thread_untagged": lambda s: {**s.ids(), **tag},
        "chat_properties_updated": lambda s: _properties(s, False, "chat_id"),
        "chat_properties_deleted": lambda s: _properties(s, True, "chat_id"),
        "thread_properties_updated": lambda s: _properties(s, False, "chat_id", "thread_id"),
        "thread_properties_deleted": lambda s: _properties(s, True, "chat_id", "thread_id"),
        "event_properties_updated": lambda s: {
            **_properties(s, False, "chat_id", "thread_id"),
            "event_id": f"{s.thread_id}_1",
        },
        "event_properties_deleted": lambda s: {
            **_properties(s, True, "chat_id", "thread_id"),
            "event_id": f"{s.thread_id}_1",
        },
        "thread_summary_set": lambda s: {
            **s.ids(),
            "summary": "The customer asked about order A-10023; it ships tomorrow.",
        },
        "events_marked_as_seen": lambda s: {
            "user_id": s.customer_id,
            "chat_id": s.chat_id,
            "seen_up_to": s.now,
        },
        "chat_deactivated": lambda s: {**s.ids(), "user_id": AGENT["id"]},
        "routing_status_set": lambda s: {"agent_id": s.new_agent_id(), "status": "accepting chats"},
        "incoming_customer": lambda s: {"customer": s.customer()},
        "customer_session_fields_updated": lambda s: {
            "id": s.customer_id,
            "active_chat": s.ids(),
            "session_fields": [{"order_id": "A-10023"}],
        },
        "agent_created": lambda s: _account(s, bot=False),
        "agent_approved": lambda s: {"id": s.new_agent_id()},
        "agent_updated": lambda s: {"id": s.new_agent_id(), "name": "Agent Brown"},
        "agent_suspended": lambda s: {"id": s.new_agent_id()},
        "agent_unsuspended": lambda s: {"id": s.new_agent_id()},
        "agent_deleted": lambda s: {"id": s.new_agent_id()},
        "bot_created": lambda s: _account(s, bot=True),
        "bot_updated": lambda s: {"id": s.hex_id, "name": "Order Bot 2"},
        "bot_deleted": lambda s: {"id": s.hex_id},
        "auto_accesses_updated": _auto_access,
        "group_created": lambda s: {
            "id": s.group_id(),
            "name": "returns",
            "language_code": "en",
            "agent_priorities": {AGENT["id"]: "normal"},
        },
        "group_updated": lambda s: {"id": s.group_id(), "name": "returns and refunds"},
        "group_deleted": lambda s: {"id": s.group_id()},
        "tag_created": lambda s: {
            "name": f"sales-{s.hex_id[:6]}",
            "group_ids": [0],
            "created_at": s.now,
            "author_id": AGENT["id"],
        },
        "tag_updated": lambda s: {"name": f"sales-{s.hex_id[:6]}", "group_ids": [0, 1]},
        "tag_deleted": lambda s: {"name": f"sales-{s.hex_id[:6]}"},
    }
