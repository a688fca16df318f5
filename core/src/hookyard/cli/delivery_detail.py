"""What the console prints of deliveries: a table of them, and one in full (``deliveries
show``) with why it exists (its route, what routing recorded, its gate or group) and its
attempts; ``--json`` takes :func:`why_of`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from hookyard.cli.common import fields, printable, state_painter, table, terminal_width

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from datetime import datetime

    from hookyard.host import Host
    from hookyard.store.console import AttemptRecord, DeliveryDetail
    from hookyard.store.deliveries import DeliveryRecord

__all__ = ["NEVER_ATTEMPTED", "delivery_table", "detail_lines", "why_of"]

#: The states of a delivery that is never attempted: a route's dedup or throttle held it
#: back (``suppressed``), or its event joined a group whose head delivers it (``grouped``).
NEVER_ATTEMPTED = ("suppressed", "grouped")


def _time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def why_of(host: Host, detail: DeliveryDetail) -> dict[str, Any]:
    """Why the delivery exists: what routing recorded, the route as configured now
    (``match`` None when it is gone), and the gate that held or grouped it."""
    record = detail.delivery
    route = next((r for r in host.config.routes if r.name == record.route), None)
    return {
        "route": record.route,
        "action": record.action,
        "event_type": record.event_type,
        "configured": route is not None,
        "match": None if route is None else route.match,
        "recorded": detail.why,
        "gate": detail.gate,
        "gate_key": detail.gate_key,
        "group_id": detail.group_id,
        "head_status": detail.head_status,
        "members": [host.converter.unstructure(member) for member in detail.members],
    }


def _gate(detail: DeliveryDetail) -> str | None:
    """What the route's gate did with the delivery, in words."""
    status, gate, group = detail.delivery.status, detail.gate, detail.group_id
    key = "" if detail.gate_key is None else f" (key {printable(detail.gate_key)!r})"
    if status == "suppressed":
        return f"held back by the route's {gate or 'gate'}{key}: suppressed, never attempted"
    if status == "grouped":
        head = f"delivery {group} ({detail.head_status or 'gone'})"
        return f"grouped into {head}{key}: that delivery is attempted for this event too"
    if gate == "group":
        joined = len(detail.members)
        more = f"{joined} more event{'' if joined == 1 else 's'}" if joined else "no other event"
        return f"the head of its group{key}: attempted once for this event and {more}"
    return None if gate is None else f"passed the route's {gate}{key}"


def detail_lines(detail: DeliveryDetail, why: dict[str, Any]) -> Iterator[str]:
    """The delivery's fields, why it exists, params, event, group and attempts."""
    record = detail.delivery
    tries = f"{record.attempts} attempt{'' if record.attempts == 1 else 's'}"
    yield f"delivery {record.id}: {record.status} ({tries})"
    due = _time(record.next_attempt_at) if record.status == "pending" else "-"
    yield from fields(
        [
            ("event", f"{record.source}/{record.event_id} ({record.event_type})"),
            ("sink", f"{record.sink} (action {record.action})"),
            ("key", record.idempotency_key),
            ("made", _time(record.created_at)),
            ("next attempt", due),
            ("delivered_at", _time(record.delivered_at)),
            ("last error", record.last_error or "-"),
        ]
    )
    yield from _why_lines(detail, why)
    yield "params:"
    yield from _indented(json.dumps(detail.params, indent=2, ensure_ascii=False))
    yield "event:"
    yield from _indented(json.dumps(detail.event, indent=2, ensure_ascii=False))
    if detail.members:
        yield "grouped into it:"
        yield from (f"  {line}" for line in delivery_table(detail.members, indent=2))
    if not detail.attempts:
        never = record.status in NEVER_ATTEMPTED
        if never:
            yield "attempts: none (never attempted on its own)"
        elif record.status == "dead":
            yield "attempts: none (dead before its first: see its error)"
        else:
            yield "attempts: none yet"
        return
    yield "attempts:"
    yield from (f"  {line}" for line in _attempts(detail.attempts))


def _why_lines(detail: DeliveryDetail, why: dict[str, Any]) -> Iterator[str]:
    record = detail.delivery
    yield f"why: route {printable(record.route)!r}, action {record.action}, {record.event_type}"
    if detail.why is not None:
        yield from _indented(detail.why)
    if why["configured"]:
        yield f"  match {printable(json.dumps(why['match'], ensure_ascii=False))}"
    else:
        yield "  the route is no longer in the configuration"
    if (gate := _gate(detail)) is not None:
        yield f"  {gate}"


def _indented(text: str) -> Iterator[str]:
    return (f"  {printable(line)}" for line in text.splitlines())


def _one_line(text: str | None) -> str:
    """``text`` with its lines and runs of spaces joined by one space; ``-`` for none."""
    return " ".join((text or "").split()) or "-"


def _attempts(attempts: Sequence[AttemptRecord]) -> Iterator[str]:
    """The attempts as a table; the response and error are cut to fit the terminal."""
    rows = [("#", "started", "outcome", "status", "latency", "response", "error")]
    for a in attempts:
        status = "-" if a.status_code is None else str(a.status_code)
        started, latency = _time(a.started_at), f"{a.latency_ms} ms"
        said = (_one_line(a.response), "" if a.error is None else _one_line(a.error))
        rows.append((str(a.number), started, a.outcome, status, latency, *said))
    width = terminal_width()
    fit = None if width is None else width - 2
    return table(rows, width=fit, shrink=(5, 6), right=(0, 4), paint=state_painter(2))


COLUMNS = ("id", "status", "try", "sink", "route", "event", "made", "error")
#: The columns cut, widest first, for the table to fit the terminal.
SHRINK = (3, 4, 5, 7)


def _cells(record: DeliveryRecord) -> tuple[str, ...]:
    error = record.last_error.splitlines()[0] if record.last_error else ""
    event = f"{record.source}/{record.event_type}"
    attempts = str(record.attempts)
    made = record.created_at.strftime("%m-%d %H:%M")
    return (str(record.id), record.status, attempts, record.sink, record.route, event, made, error)


def delivery_table(records: Sequence[DeliveryRecord], indent: int = 0) -> Iterator[str]:
    """``records`` as a table that fits the terminal (less ``indent`` columns)."""
    width = terminal_width()
    rows = [COLUMNS, *(_cells(record) for record in records)]
    fit = None if width is None else width - indent
    return table(rows, width=fit, shrink=SHRINK, right=(0, 2), paint=state_painter(1))
