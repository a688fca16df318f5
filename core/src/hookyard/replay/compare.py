"""One stored event compared: what a configuration's routes plan for it now against the
deliveries stored for it, route by route."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard._json import dumps, loads
from hookyard.config.located import format_path
from hookyard.routing import PlannedDelivery  # noqa: TC001 (attrs fields, read at runtime)
from hookyard.store.backfill import StoredDelivery  # noqa: TC001
from hookyard.store.intake import stored_event_id

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from hookyard.config.located import Path as KeyPath

__all__ = [
    "ADDED",
    "CHANGED",
    "KINDS",
    "REMOVED",
    "UNCHANGED",
    "Difference",
    "RouteChange",
    "compare_event",
    "differences",
    "gate_text",
]

ADDED = "added"
REMOVED = "removed"
CHANGED = "changed"
UNCHANGED = "unchanged"
#: What a route can do differently with an event, in the order they are shown.
KINDS = (ADDED, REMOVED, CHANGED)


@frozen
class Difference:
    """One thing a changed delivery does differently: ``key`` is ``sink``, ``action``,
    ``gate``, ``error`` or the place of a param (``with.text``, ``with.body.title``)."""

    key: str
    old: Any
    new: Any


@frozen
class RouteChange:
    """What one route does with one event now, against what was stored.

    :param kind: :data:`ADDED` (planned now, nothing stored for the route),
        :data:`REMOVED` (stored, not planned now), :data:`CHANGED` or :data:`UNCHANGED`.
    :param planned: what the route plans now; None for a removed one.
    :param stored: the route's stored delivery; None for an added one.
    """

    route: str
    kind: str
    planned: PlannedDelivery | None = None
    stored: StoredDelivery | None = None
    differences: tuple[Difference, ...] = ()


def compare_event(
    planned: Sequence[PlannedDelivery], stored: Sequence[StoredDelivery]
) -> list[RouteChange]:
    """Each route's change for one event: those planned in their order, then the routes
    only stored, by name.

    Every stored delivery of a route counts, whatever its status: pending, delivered, dead,
    and ``suppressed`` or ``grouped`` ones too (the route's gate decided them, they were not
    lost). Of several stored for one route, one that the plan matches makes it unchanged;
    else it is compared with the first.
    """
    by_route: dict[str, list[StoredDelivery]] = {}
    for made in stored:
        by_route.setdefault(made.route, []).append(made)
    found = []
    for delivery in planned:
        kept = by_route.pop(delivery.route, None)
        if not kept:
            found.append(RouteChange(delivery.route, ADDED, planned=delivery))
            continue
        compared = [(differences(delivery, each), each) for each in kept]
        differing, closest = next((pair for pair in compared if not pair[0]), compared[0])
        kind = CHANGED if differing else UNCHANGED
        found.append(RouteChange(delivery.route, kind, delivery, closest, tuple(differing)))
    for route in sorted(by_route):
        found.append(RouteChange(route, REMOVED, stored=by_route[route][0]))
    return found


def differences(planned: PlannedDelivery, stored: StoredDelivery) -> list[Difference]:
    """What ``planned`` does differently from ``stored``: sink, action, each param that
    differs (its place), its gate, and a render failure that the stored one did not have.

    A ``group`` route's params are not compared: they are rendered when the group is
    delivered, from all of its events, so routing has none for one event.
    """
    found = []
    if planned.sink != stored.sink:
        found.append(Difference("sink", stored.sink, planned.sink))
    if planned.action != stored.action:
        found.append(Difference("action", stored.action, planned.action))
    if planned.gate is None or planned.gate.kind != "group":
        # As the store would keep them: JSON, so a tuple and a list are the same params.
        found += _param_differences(stored.params, loads(dumps(planned.params)), ("with",))
    old, new = gate_text(stored.gate, stored.gate_key), _planned_gate(planned)
    if old != new:
        found.append(Difference("gate", old, new))
    if planned.error is not None and planned.error != stored.last_error:
        found.append(Difference("error", stored.last_error, planned.error))
    return found


def gate_text(kind: str | None, key: str | None) -> str | None:
    """A gate as a difference shows it, its kind and key: ``dedup c-1``; None for none."""
    return None if kind is None else f"{kind} {key}"


def _planned_gate(planned: PlannedDelivery) -> str | None:
    """The gate ``planned`` would be stored with: none for one that fails (it is dead)."""
    gate = planned.gate
    if gate is None or planned.error is not None:
        return None
    return gate_text(gate.kind, stored_event_id(gate.key))


def _param_differences(old: Any, new: Any, path: KeyPath) -> Iterator[Difference]:
    """Mappings are compared key by key (keys missing on one side are None there); any
    other value, a list included, as a whole."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(key for key in new if key not in old)]:
            yield from _param_differences(old.get(key), new.get(key), (*path, key))
    elif old != new or type(old) is not type(new):
        yield Difference(format_path(path), old, new)
