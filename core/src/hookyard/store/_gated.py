"""Internal: the rows of gated deliveries (a route's dedup, throttle or group), for both
intake paths (store/intake.py, store/_sqlite_intake.py).

Each path reads, for every (route, gate, key) of a batch, what is stored (:class:`GateState`),
then :func:`gated_rows` decides every gated delivery in order (routing/gates.py) and says
how to insert it; the path inserts them one at a time, as a group's later events need its
first delivery's id.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard.routing.gates import StateKey, decide, state_key
from hookyard.store._rows import stored_gate_key

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hookyard.routing.gates import Gate, GateState
    from hookyard.store._rows import PlannedRow

__all__ = [
    "DUE_NOW_SQL",
    "MEMBERS_SQL",
    "OPEN_GROUP_SQL",
    "RECENT_SQL",
    "GatedRow",
    "StateQuery",
    "gated_rows",
    "head_to_make_due",
    "split",
    "state_queries",
    "with_head",
]


@frozen
class GatedRow:
    """One gated delivery's column values, and what its insert must also do.

    :param head_row: the index (in the batch's gated rows) of the group's head it joins:
        its ``group_id`` is that row's id, known once that row is inserted.
    :param due_now: the id of a stored head its event fills (due now), or ``due_row``:
        the index of a head of this batch it fills.
    """

    values: dict[str, Any]
    head_row: int | None = None
    due_now: int | None = None
    due_row: int | None = None


@frozen
class StateQuery:
    """What to read of one (route, gate, key): see :class:`GateState`.

    :param since: ``dedup``/``throttle``: count deliveries created after it.
    """

    key: StateKey
    route: str
    gate: str
    stored_key: str
    since: datetime | None

    @property
    def lock(self) -> str:
        """The text PostgreSQL's advisory lock of this key is taken on (stored forms only:
        a key's own text may hold what PostgreSQL refuses)."""
        return "\n".join((self.route, self.gate, self.stored_key))

    def arguments(self, now: datetime) -> dict[str, Any]:
        """The named parameters of :data:`RECENT_SQL` or :data:`OPEN_GROUP_SQL`."""
        found: dict[str, Any] = {"route": self.route, "key": self.stored_key}
        if self.since is None:
            return {**found, "now": now}
        return {**found, "gate": self.gate, "since": self.since}


#: Deliveries a dedup or throttle let through within its window (``:since`` on).
RECENT_SQL = (
    "SELECT count(*) FROM deliveries WHERE route = :route AND gate_key = :key "
    "AND gate = :gate AND status != 'suppressed' AND created_at > :since"
)
#: The open group of a key: its head not attempted yet, its wait not over.
OPEN_GROUP_SQL = (
    "SELECT id FROM deliveries WHERE route = :route AND gate_key = :key AND gate = 'group' "
    "AND group_id IS NULL AND status = 'pending' AND attempts = 0 AND next_attempt_at > :now "
    "ORDER BY id DESC LIMIT 1"
)
MEMBERS_SQL = "SELECT count(*) FROM deliveries WHERE group_id = :head"
#: A filled group's head is due at once.
DUE_NOW_SQL = "UPDATE deliveries SET next_attempt_at = :now WHERE id = :head"


def split(
    planned: Sequence[tuple[dict[str, Any], PlannedRow]],
) -> tuple[list[dict[str, Any]], list[tuple[dict[str, Any], Gate]]]:
    """The deliveries without a gate (or dead already: their gate is dropped), and the
    gated ones in order."""
    plain, gated = [], []
    for values, row in planned:
        if row.gate is None or values["status"] == "dead":  # a dead one is never counted
            plain.append(dict(values, gate=None, gate_key=None))
        else:
            gated.append((values, row.gate))
    return plain, gated


def state_queries(gated: Sequence[tuple[dict[str, Any], Gate]], now: datetime) -> list[StateQuery]:
    """One query per (route, gate, key) of ``gated``, sorted (PostgreSQL locks them in order)."""
    found: dict[StateKey, StateQuery] = {}
    for values, gate in gated:
        key = state_key(values["route"], gate)
        since = None if gate.kind == "group" else now - timedelta(seconds=gate.window)
        found.setdefault(
            key, StateQuery(key, values["route"], gate.kind, stored_gate_key(gate.key), since)
        )
    return [found[key] for key in sorted(found)]


def gated_rows(
    gated: Sequence[tuple[dict[str, Any], Gate]],
    states: dict[StateKey, GateState],
    now: datetime,
) -> list[GatedRow]:
    """Every gated delivery's row, decided in order against ``states``."""
    decisions = decide([(values["route"], gate) for values, gate in gated], states)
    rows = []
    for (values, gate), decision in zip(gated, decisions, strict=True):
        row = dict(values, status=decision.status)
        row["why"] = "\n".join(part for part in (values["why"], decision.why) if part)
        if decision.status == "suppressed":
            row["delivered_at"] = now  # finished: retention counts from here
        if decision.status == "pending" and gate.kind == "group" and not decision.fills:
            row["next_attempt_at"] = now + timedelta(seconds=gate.window)
        if decision.status == "grouped":
            row["group_id"] = decision.head
            due_now = decision.head if decision.fills else None
            due_row = decision.head_row if decision.fills else None
            rows.append(GatedRow(row, decision.head_row, due_now, due_row))
        else:
            rows.append(GatedRow(row))
    return rows


def head_to_make_due(row: GatedRow, ids: Sequence[int]) -> int | None:
    """The id of the head ``row`` fills, once the rows before it have their ``ids``."""
    if row.due_now is not None:
        return row.due_now
    return None if row.due_row is None else ids[row.due_row]


def with_head(row: GatedRow, ids: Sequence[int]) -> dict[str, Any]:
    """``row``'s values, its ``group_id`` set when it joins a head of the same batch."""
    if row.head_row is None:
        return row.values
    return dict(row.values, group_id=ids[row.head_row])
