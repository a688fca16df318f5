"""One Comm100 delivery: a JSON object whose ``event`` names what happened.

Comm100 has no envelope, no event id and no delivery time: each event's body is its own
shape, and only ``event`` is common to all of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard import Event, PayloadRejected, WebhookRequest, stable_event_id
from hookyard_comm100._fields import Reader, kind

if TYPE_CHECKING:
    from datetime import datetime

__all__ = ["VENDOR", "Delivery", "open_delivery"]

VENDOR = "comm100"


@frozen
class Delivery:
    """A checked delivery: the body as a :class:`Reader` and its ``event`` name."""

    request: WebhookRequest
    body: Reader
    name: str

    def event(
        self,
        event_type: str,
        identity: tuple[object, ...],
        *,
        occurred_at: datetime | None = None,
        dedup_group: str | None = None,
        **fields: Any,
    ) -> Event:
        """The normalized event; its id is ``stable_event_id(*identity)``, ``occurred_at``
        the payload's time or, when it has none, when hookyard received it.

        ``dedup_group`` is for bodies that cannot tell a retry from a real repeat (an agent
        going online again): ``comm100:<kind>:<id>``, what the event reports the state of.
        """
        return Event(
            id=stable_event_id(*identity),
            source=self.request.source,
            vendor=VENDOR,
            type=event_type,
            vendor_type=self.name,
            occurred_at=occurred_at or self.request.received_at,
            received_at=self.request.received_at,
            raw=self.body.value,
            dedup_group=dedup_group,
            **fields,
        )


def open_delivery(request: WebhookRequest) -> Delivery:
    """The checked delivery; raises :class:`~hookyard.PayloadRejected` when the body is not
    a JSON object with an ``event`` name (what every Comm100 webhook is)."""
    body = request.json()
    if not isinstance(body, dict):
        raise PayloadRejected(f"body: expected a JSON object, got {kind(body)}")
    name = body.get("event")
    if name is None or name == "":
        raise PayloadRejected("event: missing; every Comm100 webhook names its event")
    if not isinstance(name, str):
        raise PayloadRejected(f"event: expected a string, got {kind(name)}")
    return Delivery(request=request, body=Reader(body, ""), name=name)
