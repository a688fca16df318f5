"""A route's gate: ``dedup``, ``throttle`` or ``group`` (docs/configuration.md#gates).

Routing renders each gated delivery's key; what the gate then does depends on what was
delivered before, so intake decides it in the transaction that stores the event
(:func:`decide`, with what the store read of each key). ``hookyard test`` runs the same
decision over a case's events, starting from nothing stored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import jinja2
from attrs import define, frozen

from hookyard.config.model import duration

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from hookyard.config import Problems, RouteConfig
    from hookyard.config.located import Path as KeyPath

__all__ = [
    "GATES",
    "CompiledGate",
    "Decision",
    "Gate",
    "GateState",
    "compile_gate",
    "decide",
    "state_key",
]

#: The gates a route may have, at most one of them.
GATES = ("dedup", "throttle", "group")


@frozen
class Gate:
    """One delivery's gate, its key rendered.

    :param kind: one of :data:`GATES`.
    :param window: seconds: how far back ``dedup`` and ``throttle`` count, how long a
        ``group`` waits for more events.
    :param limit: deliveries per window (``dedup``: 1), or the most events of one group.
    """

    kind: str
    key: str
    window: float
    limit: int

    def __str__(self) -> str:
        """What the gate does, for ``route explain``."""
        shown = f"key {_shown(self.key)}"
        if self.kind == "dedup":
            return f"dedup: {shown}, one delivery per {duration(self.window)}"
        if self.kind == "throttle":
            return f"throttle: {shown}, at most {self.limit} per {duration(self.window)}"
        return (
            f"group: {shown}, one delivery of the events within {duration(self.window)} of "
            f"the first (at most {self.limit})"
        )


@frozen
class CompiledGate:
    """A route's gate as routing uses it: its ``key`` a compiled template."""

    kind: str
    key: jinja2.Template
    window: float
    limit: int

    def render(self, event: object) -> Gate:
        """The gate of one delivery (raises what the key's template raises)."""
        return Gate(self.kind, self.key.render(event=event), self.window, self.limit)


def compile_gate(
    route: RouteConfig,
    index: int,
    compile_key: Callable[[str, KeyPath], jinja2.Template],
    problems: Problems,
) -> CompiledGate | None:
    """The route's gate, or None; a route with more than one is a problem at the second."""
    written = [(kind, getattr(route, kind)) for kind in GATES if getattr(route, kind) is not None]
    for kind, _ in written[1:]:
        problems.add(
            ("routes", index, kind),
            f"a route has at most one of dedup, throttle and group; this one has "
            f"{' and '.join(k for k, _ in written)}",
        )
    if not written:
        return None
    kind, gate = written[0]
    key = compile_key(gate.key, ("routes", index, kind, "key"))
    if kind == "group":
        return CompiledGate(kind, key, float(gate.wait), gate.max_events)
    return CompiledGate(kind, key, float(gate.window), getattr(gate, "limit", 1))


@define
class GateState:
    """What the store holds of one (route, gate, key) before a batch is decided.

    :param recent: ``dedup``/``throttle``: deliveries it let through within its window.
    :param head: ``group``: the id of the key's open group's first delivery, if one is open
        (not attempted yet, its wait not over).
    :param members: ``group``: the events in that group so far, the head's included.
    """

    recent: int = 0
    head: int | None = None
    members: int = 0


@frozen
class Decision:
    """What one gated delivery becomes.

    :param status: ``pending`` (delivered, or a group's head), ``suppressed`` or ``grouped``.
    :param head: ``grouped``: the stored head's id; or ``head_row``: the index (in the
        decided sequence) of a head decided in the same batch.
    :param fills: this delivery fills its group: the head is due now, not after its wait.
    :param why: what the gate did, in words (``deliveries show``).
    """

    status: str
    why: str
    head: int | None = None
    head_row: int | None = None
    fills: bool = False


StateKey = tuple[str, str, str]


def state_key(route: str, gate: Gate) -> StateKey:
    return (route, gate.kind, gate.key)


def decide(gated: Sequence[tuple[str, Gate]], states: dict[StateKey, GateState]) -> list[Decision]:
    """What each of ``gated`` (route name, gate) becomes, in order; ``states`` (read from
    the store, a missing key: nothing stored) is updated as the deliveries are taken."""
    decided: list[Decision] = []
    batch_heads: dict[StateKey, int] = {}  # a group opened in this batch: its head's index
    for route, gate in gated:
        key = state_key(route, gate)
        state = states.setdefault(key, GateState())
        shown = f"key {_shown(gate.key)}"
        if gate.kind != "group":
            if state.recent >= gate.limit:
                decided.append(Decision("suppressed", _suppressed(gate, shown)))
                continue
            state.recent += 1
            decided.append(Decision("pending", f"{gate.kind}: {shown}, {_counted(gate, state)}"))
            continue
        if (state.head is not None or key in batch_heads) and state.members < gate.limit:
            state.members += 1
            fills = state.members >= gate.limit
            why = f"group: joined the group of {shown} (event {state.members} of {gate.limit})"
            if key in batch_heads:
                decided.append(Decision("grouped", why, head_row=batch_heads[key], fills=fills))
            else:
                decided.append(Decision("grouped", why, head=state.head, fills=fills))
            continue
        state.head, state.members = None, 1
        batch_heads[key] = len(decided)
        why = (
            f"group: the first event of {shown}; delivered {duration(gate.window)} later with "
            f"the events that join it (at most {gate.limit})"
        )
        decided.append(Decision("pending", why, fills=gate.limit == 1))
    return decided


def _suppressed(gate: Gate, shown: str) -> str:
    if gate.kind == "dedup":
        return f"dedup: suppressed, {shown} was delivered less than {duration(gate.window)} ago"
    return (
        f"throttle: suppressed, {shown} had {gate.limit} deliveries in the last "
        f"{duration(gate.window)} already (limit {gate.limit})"
    )


def _counted(gate: Gate, state: GateState) -> str:
    if gate.kind == "dedup":
        return f"the first in {duration(gate.window)}"
    return f"{state.recent} of at most {gate.limit} in {duration(gate.window)}"


def _shown(key: str) -> str:
    return repr(key if len(key) <= 80 else key[:80] + "…")
