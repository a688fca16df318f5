"""Agent status events: ``{"event": "online" | "away" | "login" | "logout", "operator_id": …}``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import PayloadRejected, Person

if TYPE_CHECKING:
    from hookyard import Event
    from hookyard_comm100._delivery import Delivery

__all__ = ["AGENT_STATUSES", "agent_event"]

#: The ``event`` names of Comm100's "Agent Status Changed" webhook: each is the new status.
AGENT_STATUSES: tuple[str, ...] = ("online", "away", "login", "logout")


def agent_event(delivery: Delivery) -> Event:
    """``agent.status_changed``: ``agent.id`` = ``operator_id`` (an integer before X2, a
    GUID since), ``data.status`` = the event name.

    The body has nothing else, no time in particular, so the agent going online again is
    byte for byte a retry of the first time: the id is ``stable_event_id("agent_status",
    operator_id, status)``, and the agent's statuses share the group
    ``comm100:agent_status:<operator_id>``. Away, online, away is three events; a retry of
    the latest is a duplicate.
    """
    operator_id = delivery.body.opt_id("operator_id")
    if operator_id is None:
        raise PayloadRejected(f"operator_id: missing from a {delivery.name!r} agent status event")
    return delivery.event(
        "agent.status_changed",
        ("agent_status", operator_id, delivery.name),
        dedup_group=f"comm100:agent_status:{operator_id}",
        agent=Person(id=operator_id),
        data={"status": delivery.name},
    )
