"""Realistic sample deliveries for ``hookyard simulate``, shaped like Comm100's KB samples.

Comm100 signs nothing, so a sample has no credential: a source protected by a ``token``
or ``basic_auth`` gets those from hookyard, not from the plugin.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard import SimulatedRequest
from hookyard_comm100._agents import AGENT_STATUSES
from hookyard_comm100._chats import TRANSCRIPT_SEPARATOR

if TYPE_CHECKING:
    from hookyard_comm100._config import Comm100Config

__all__ = ["ACTIONS", "simulate"]

#: What ``simulate`` accepts: every Comm100 event, by the name its body carries.
ACTIONS: tuple[str, ...] = (
    "offline_message_submitted",
    "chat_request",
    "chat_started",
    "chat_transferred",
    "chat_ended",
    "chat_wrapped_up",
    *AGENT_STATUSES,
)

_SITE = "https://shop.example.com"
_AGENT_NAME = "Paula Smith"
_QUESTION = "Hi, is my order A-10023 on its way?"


@frozen
class _Sample:
    """The fresh ids and the time one simulated delivery uses."""

    chat_id: str
    visitor_id: str
    operator_id: str
    department: str
    now_ms: int

    @classmethod
    def fresh(cls) -> _Sample:
        return cls(
            str(uuid.uuid4()),
            str(uuid.uuid4()),
            str(uuid.uuid4()),
            "c47c5e3a-0a3b-4aa5-98ea-cec0ae5ab7b9",
            int(time.time() * 1000),
        )

    def date(self, seconds_ago: int = 0) -> str:
        """A time as Comm100 writes it: ``/Date(milliseconds)/``."""
        return f"/Date({self.now_ms - seconds_ago * 1000})/"

    def visitor(self, status: int) -> dict[str, Any]:
        return {
            "browser": "Google Chrome 124.0.6367.91",
            "chat_id": self.chat_id,
            "chats": 3,
            "city": "Toronto",
            "company": "Example Shop",
            "country": "Canada",
            "current_browsing": f"{_SITE}/orders/A-10023",
            "custom_fields": [],
            "custom_variables": [{"name": "plan", "value": "pro"}],
            "department": self.department,
            "skill": "3d68dc80-9c67-455b-abfe-1b7ac55fac98",
            "email": "t.anderson@example.com",
            "first_visit_time": self.date(86400 * 30),
            "flash_version": "",
            "id": self.visitor_id,
            "ip": "203.0.113.17",
            "keywords": "",
            "landing_page": f"{_SITE}/",
            "language": "en-US",
            "name": "Thomas Anderson",
            "operating_system": "Windows 10",
            "page_views": 4,
            "phone": "+1 555 0100",
            "product_service": "",
            "referrer_url": f"{_SITE}/help",
            "screen_resolution": "1920x1080",
            "search_engine": None,
            "state": "Ontario",
            "status": status,
            "time_zone": "GMT -05:00",
            "visit_time": self.date(900),
            "visits": 7,
        }

    def chat(self, ended: bool) -> dict[str, Any]:  # noqa: FBT001
        lines = [
            f"Agent {_AGENT_NAME} has joined the chat.",
            f"[14:02:11] Thomas Anderson: {_QUESTION}",
            f"[14:02:40] {_AGENT_NAME}: It left our warehouse this morning.",
        ]
        chat: dict[str, Any] = {
            "attachment": [],
            "company": "Example Shop",
            "custom_fields": [],
            "custom_variable": [{"name": "plan", "value": "pro"}],
            "department": "Support",
            "start_time": self.date(300),
            "waiting_time": "10s",
            "operators": [{"id": self.operator_id, "name": _AGENT_NAME}],
        }
        if ended:
            lines.append("The chat is ended.")
            chat.update(
                end_time=self.date(5),
                operator_comment="Shipped, tracking sent.",
                rating=5,
                rating_comment="Quick and helpful",
            )
        chat["chat_transcript"] = "".join(line + TRANSCRIPT_SEPARATOR for line in lines)
        return chat


def _body(sample: _Sample, action: str) -> dict[str, Any]:
    if action in AGENT_STATUSES:
        return {"event": action, "operator_id": sample.operator_id}
    if action == "offline_message_submitted":
        return {
            "event": action,
            "offline_message": {
                "attachment": {"name": "", "uri": ""},
                "company": "Example Shop",
                "content": _QUESTION,
                "custom_fields": [],
                "custom_variable": [{"name": "plan", "value": "pro"}],
                "department": sample.department,
                "skill": "3d68dc80-9c67-455b-abfe-1b7ac55fac98",
                "email": "t.anderson@example.com",
                "id": sample.chat_id,
                "name": "Thomas Anderson",
                "phone": "+1 555 0100",
                "subject": "Order A-10023",
                "time": sample.date(),
            },
            "visitor": sample.visitor(status=6),
        }
    statuses = {"chat_request": 0, "chat_ended": 9}
    body: dict[str, Any] = {"event": action, "visitor": sample.visitor(statuses.get(action, 2))}
    if action in {"chat_request", "chat_transferred", "chat_ended"}:
        body["chat"] = sample.chat(ended=action == "chat_ended")
    if action == "chat_wrapped_up":
        body["chat_id"] = sample.chat_id
        body["wrapup"] = {
            "category": "Shipping",
            "comment": "Customer asked for tracking.",
            "fields": [{"name": "Order number", "value": "A-10023"}],
            "time": sample.date(),
        }
    return body


def simulate(config: Comm100Config, action: str) -> SimulatedRequest:
    """A delivery Comm100 could send for event ``action``, with fresh GUIDs and times now.

    Comm100 sends plain JSON with no signature or credential, the transcript's "⊙"
    separators as UTF-8.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown Comm100 event {action!r}; known: {', '.join(ACTIONS)}")
    body = _body(_Sample.fresh(), action)
    return SimulatedRequest(
        body=json.dumps(body, ensure_ascii=False).encode(),
        headers={"content-type": "application/json; charset=utf-8"},
    )
