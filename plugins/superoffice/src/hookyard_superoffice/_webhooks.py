"""The webhook's own events: the ``test`` delivery and the state changes.

SuperOffice sends ``test`` (with ``X-Hook-Test: true``) when a webhook is saved or tested;
saving fails unless the answer is 200. ``webhook{id}.started`` / ``.stopped`` /
``.errors`` report the webhook's ``State``: the header names the webhook
(``webhook123.errors``), the body's ``Event`` does not (``webhook.errors``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from hookyard_superoffice._fields import compact, iso

if TYPE_CHECKING:
    from hookyard import Event
    from hookyard_superoffice._envelope import Envelope

__all__ = ["STATES", "state_of", "state_event", "webhook_test_event"]

#: The state each state event reports, by its last part.
STATES: dict[str, str] = {
    "started": "active",
    "stopped": "stopped",
    "errors": "too_many_errors",
}
_STATE_EVENT = re.compile(r"webhook([0-9]*)\.(started|stopped|errors)")


def state_of(name: str) -> str | None:
    """The state a state event's name reports (``webhook.errors`` -> ``too_many_errors``),
    None for other names."""
    found = _STATE_EVENT.fullmatch(name)
    return None if found is None else STATES[found[2]]


def state_event(envelope: Envelope) -> Event:
    """``webhook.status_changed``: ``data.state`` from the event's name, the rest from
    ``FieldValues``; ``PrimaryKey`` is the webhook's id."""
    values = envelope.values
    state = state_of(envelope.kind)
    data: dict[str, Any] = compact(
        {
            "state": state,
            "webhook_id": envelope.top.opt_int("PrimaryKey"),
            "state_code": values.opt_int("state"),
            "events": values.opt_int("events"),
            "registered_associate_id": values.opt_ref("registered_associate_id"),
            "updated_associate_id": values.opt_ref("updated_associate_id"),
        }
    )
    # Always present: null when absent or SuperOffice's "no date" (0001-01-01T00:00:00).
    data["registered"] = iso(values.opt_time("registered"))
    data["updated"] = iso(values.opt_time("updated"))
    return envelope.event("webhook.status_changed", changes={"state": state}, data=data)


def webhook_test_event(envelope: Envelope) -> Event:
    """``webhook.test``: nothing happened in SuperOffice; ``data.test_header`` says whether
    ``X-Hook-Test: true`` came with it."""
    data = {
        "test_header": envelope.test_header,
        "primary_key": envelope.top.opt_int("PrimaryKey"),
    }
    return envelope.event("webhook.test", data=compact(data))
