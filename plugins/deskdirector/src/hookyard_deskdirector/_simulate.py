"""Realistic, correctly signed sample deliveries for ``hookyard simulate``: one per status."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard import SimulatedRequest
from hookyard.signing import hmac_digest
from hookyard_deskdirector._parse import TYPES
from hookyard_deskdirector._verify import HEADER, PREFIX

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard_deskdirector._config import DeskDirectorConfig

__all__ = ["ACTIONS", "simulate"]

_INSTANCE = "acmeitdev"
_COMPANY = {"entityId": 2952, "name": "Acme Dental", "identifier": "AcmeDental"}


def _stamp(when: datetime) -> str:
    """DeskDirector's timestamp: seven fractional digits and ``Z``."""
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"


@frozen
class _Sample:
    """The fresh ids and the times one simulated session uses."""

    session_id: str
    contact: int
    member: int
    now: datetime

    @classmethod
    def fresh(cls) -> _Sample:
        now = datetime.now(UTC)
        session_id = f"{int(now.timestamp())}-{secrets.randbelow(9000) + 1000}"
        return cls(session_id, secrets.randbelow(90000) + 10000, secrets.randbelow(900) + 100, now)

    def contact_user(self) -> dict[str, Any]:
        user_id = f"{_INSTANCE}~c~{self.contact}"
        return {
            "entityId": self.contact,
            "name": "Liam Tait",
            "userId": user_id,
            "company": _COMPANY,
        }

    def member_user(self) -> dict[str, Any]:
        user_id = f"{_INSTANCE}~m~{self.member}"
        return {"entityId": self.member, "name": "Andrew Lahikainen", "userId": user_id}

    def ago(self, seconds: int) -> str:
        return _stamp(self.now - timedelta(seconds=seconds))

    def session(self, status: str, past: list[str], **fields: Any) -> dict[str, Any]:
        base = {
            "id": self.session_id,
            "name": f"Chat Request from Liam Tait at {_COMPANY['name']}",
            "type": "request",
            "status": status,
            "pastStatus": past,
            "report": {},
            "creator": self.contact_user(),
            "targetUsers": [],
            "users": [self.contact_user()],
            "participants": [self.contact_user()],
            "createdDateTime": self.ago(60),
            "lastModifiedDateTime": _stamp(self.now),
        }
        return {**base, **fields}


def _created(sample: _Sample) -> dict[str, Any]:
    return sample.session("created", [], createdDateTime=_stamp(sample.now))


def _handled(sample: _Sample) -> dict[str, Any]:
    people = [sample.contact_user(), sample.member_user()]
    report = {"creatorWaited": 42, "handledDateTime": _stamp(sample.now), "chatDuration": 0}
    return sample.session("handled", ["created"], users=people, participants=people, report=report)


def _missed(sample: _Sample) -> dict[str, Any]:
    return sample.session("missed", ["created"], targetUsers=[sample.member_user()])


def _completed(sample: _Sample) -> dict[str, Any]:
    close = {"user": sample.member_user(), "lastModifiedDateTime": _stamp(sample.now)}
    people = [sample.contact_user(), sample.member_user()]
    return sample.session(
        "completed",
        ["created", "handled"],
        closeRecord=close,
        closedDateTime=_stamp(sample.now),
        users=[sample.member_user()],
        participants=people,
        lastMessageId=f"{int(sample.now.timestamp() * 1000)}-5E-{_INSTANCE}~c~{sample.contact}",
        report={"creatorWaited": 42, "handledDateTime": sample.ago(50), "chatDuration": 50},
    )


def _callback(sample: _Sample) -> dict[str, Any]:
    window = {"start": sample.ago(-3600), "end": sample.ago(-7200)}
    callback = {"type": "phone", "phone": "+64 9 555 0142", "note": "After 2pm please"}
    return sample.session(
        "callback", ["created", "missed"], callback={**callback, "preferredTime": [window]}
    )


_BUILDERS: dict[str, Callable[[_Sample], dict[str, Any]]] = {
    "created": _created,
    "handled": _handled,
    "missed": _missed,
    "completed": _completed,
    "callback": _callback,
}

#: What ``simulate`` accepts: DeskDirector's chat session statuses.
ACTIONS: tuple[str, ...] = tuple(TYPES)


def simulate(config: DeskDirectorConfig, action: str) -> SimulatedRequest:
    """A delivery DeskDirector could send for a session reaching status ``action``.

    The body is a one-session array with fresh ids and the current time, signed with the
    source's secret as ``x-dd-signature: sha256=<lower-case hex>`` (no header without one).
    """
    if action not in _BUILDERS:
        raise ValueError(f"unknown DeskDirector status {action!r}; known: {', '.join(ACTIONS)}")
    body = json.dumps([_BUILDERS[action](_Sample.fresh())]).encode()
    headers = {"content-type": "application/json; charset=utf-8"}
    if config.secret:
        headers[HEADER] = PREFIX + hmac_digest(config.secret, body)
    return SimulatedRequest(body=body, headers=headers)
