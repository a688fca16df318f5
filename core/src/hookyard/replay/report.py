"""The difference of a replay, route by route: counts, and a few examples of each kind."""

from __future__ import annotations

from collections.abc import Sequence  # noqa: TC003 (attrs fields, read at runtime)
from typing import TYPE_CHECKING, Any

from attrs import Factory, define, frozen

from hookyard.replay.compare import ADDED, CHANGED, KINDS, REMOVED, UNCHANGED, RouteChange

if TYPE_CHECKING:
    from hookyard.store.backfill import StoredEvent

__all__ = ["EXAMPLES", "Example", "Report", "RouteTally", "example_json"]

#: Examples kept per route of each kind (added, removed, changed).
EXAMPLES = 3


@frozen
class Example:
    """One event a route treats differently, and how."""

    event: str
    source: str
    change: RouteChange


def _counts() -> dict[str, int]:
    return dict.fromkeys((*KINDS, UNCHANGED), 0)


def _examples() -> dict[str, list[Example]]:
    return {kind: [] for kind in KINDS}


@define
class RouteTally:
    """One route's counts of each kind and its first examples of each.

    :param configured: whether the new configuration has a route of that name.
    """

    route: str
    configured: bool
    counts: dict[str, int] = Factory(_counts)
    examples: dict[str, list[Example]] = Factory(_examples)

    @property
    def differs(self) -> bool:
        return any(self.counts[kind] for kind in KINDS)


@define
class Report:
    """Every route's tally over the events compared so far.

    :param routes: the new configuration's route names, in file order (the order shown;
        routes it no longer has follow, by name).
    """

    routes: Sequence[str]
    events: int = 0
    tallies: dict[str, RouteTally] = Factory(dict)

    def add(self, event: StoredEvent, changes: Sequence[RouteChange]) -> None:
        """Count what each route does with ``event`` (compare_event's answer)."""
        self.events += 1
        for change in changes:
            tally = self.tallies.get(change.route)
            if tally is None:
                tally = RouteTally(change.route, change.route in self.routes)
                self.tallies[change.route] = tally
            tally.counts[change.kind] += 1
            shown = tally.examples.get(change.kind)
            if shown is not None and len(shown) < EXAMPLES:
                shown.append(Example(event.id, event.source, change))

    def ordered(self) -> list[RouteTally]:
        """The tallies of routes that planned or had a delivery: in file order, then the
        routes no longer configured."""
        known = [self.tallies[name] for name in self.routes if name in self.tallies]
        gone = [self.tallies[name] for name in sorted(self.tallies) if name not in self.routes]
        return [*known, *gone]

    def totals(self) -> dict[str, int]:
        totals = _counts()
        for tally in self.tallies.values():
            for kind, count in tally.counts.items():
                totals[kind] += count
        return totals

    def as_json(self) -> dict[str, Any]:
        """Counts and examples, as ``--json`` writes them."""
        return {
            "events": self.events,
            "totals": self.totals(),
            "routes": [
                {
                    "route": tally.route,
                    "configured": tally.configured,
                    **tally.counts,
                    "examples": {
                        kind: [example_json(example) for example in examples]
                        for kind, examples in tally.examples.items()
                    },
                }
                for tally in self.ordered()
            ],
        }


def example_json(example: Example) -> dict[str, Any]:
    """One example in full: what is planned now (added: with its gate's kind and rendered
    key), what was stored (removed), or each difference (changed)."""
    change = example.change
    found: dict[str, Any] = {"event": example.event, "source": example.source}
    if change.kind == ADDED and change.planned is not None:
        planned = change.planned
        found |= {"sink": planned.sink, "action": planned.action, "params": planned.params}
        gate = planned.gate
        found["gate"] = None if gate is None else {"kind": gate.kind, "key": gate.key}
        found["error"] = planned.error
    elif change.kind == REMOVED and change.stored is not None:
        stored = change.stored
        found |= {"sink": stored.sink, "action": stored.action, "params": stored.params}
        found |= {"status": stored.status, "delivery": stored.id}
    elif change.kind == CHANGED and change.stored is not None:
        found["delivery"] = change.stored.id
        found["differences"] = [
            {"key": each.key, "old": each.old, "new": each.new} for each in change.differences
        ]
    return found
