"""Internal: why each route takes an event or not, and what it would deliver.

``hookyard route explain`` and ``hookyard test`` show this. The decision is the router's
own (:meth:`Router.matching`, :meth:`Router.plan`); the verdicts only put it into words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import evolve, frozen

from hookyard.routing.conditions import Verdict
from hookyard.routing.gates import decide
from hookyard.routing.router import TEST_TYPE, PlannedDelivery

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from hookyard.routing.router import CompiledRoute, Router

__all__ = [
    "MATCHED",
    "RESULTS",
    "Decided",
    "RouteExplanation",
    "explain_routes",
    "plan_together",
    "verdict_json",
]

MATCHED = "matched"
#: What a route did with an event: it delivers, did not match, is switched off, or was
#: not tried because an earlier route with ``continue: false`` matched.
RESULTS = (MATCHED, "not matched", "disabled", "skipped")
#: The verdict of a route that does not route ``webhook.test`` events, for one.
NOT_FOR_TESTS = Verdict(
    f"type {TEST_TYPE!r} is routed only by routes whose match.type names it", False
)


@frozen
class RouteExplanation:
    """One route's answer to one event.

    :param result: one of :data:`RESULTS`.
    :param decided_by: what decided a route that does not deliver: the first condition
        that did not hold, ``enabled: false``, or the route that stopped the list.
    :param verdicts: one per condition of its ``match``, then its ``when``; also for a
        disabled or skipped route (what it would have said).
    :param delivery: what a matched route delivers: rendered params or the reason it fails.
    """

    index: int
    route: str
    sink: str
    action: str
    result: str
    decided_by: str | None
    verdicts: tuple[Verdict, ...]
    delivery: PlannedDelivery | None = None


def explain_routes(router: Router, event: Mapping[str, Any]) -> list[RouteExplanation]:
    """Every route of ``router`` in file order, for ``event`` (its JSON form)."""
    matched = router.matching(event)
    together = plan_together(router, [event])
    planned = dict(
        zip((id(route) for route in matched), (d.delivery for d in together), strict=True)
    )
    found = []
    stopped_by: CompiledRoute | None = None
    for route in router.routes:
        verdicts = tuple(_verdicts(route, event))
        if stopped_by is not None:
            result, decided = "skipped", f"{stopped_by.name!r} matched with continue: false"
        elif not route.enabled:
            result, decided = "disabled", "enabled: false"
        elif id(route) in planned:
            result, decided = MATCHED, None
            if not route.continues:
                stopped_by = route
        else:
            failed = next((v for v in verdicts if not v.matched), None)
            result, decided = "not matched", "" if failed is None else failed.condition
        found.append(
            RouteExplanation(
                route.index,
                route.name,
                route.sink,
                route.action,
                result,
                decided,
                verdicts,
                planned.get(id(route)),
            )
        )
    return found


def _verdicts(route: CompiledRoute, event: Mapping[str, Any]) -> list[Verdict]:
    if event.get("type") == TEST_TYPE and not route.routes_tests:
        return [NOT_FOR_TESTS, *route.explain(event)]
    return route.explain(event)


@frozen
class Decided:
    """A delivery planned for one event of several, with what its route's gate made of it.

    :param event: the event's index in the events planned together.
    :param status: ``pending`` (delivers; a group's head, its params rendered with every
        event of its group), ``suppressed``, ``grouped`` (joined an earlier event's group)
        or ``dead`` (a template failed).
    """

    event: int
    delivery: PlannedDelivery
    status: str
    why: str


def plan_together(router: Router, events: Sequence[Mapping[str, Any]]) -> list[Decided]:
    """What ``events`` would make, arriving in that order with nothing stored before: the
    gates (dedup, throttle, group) decided as intake decides them (routing/gates.py)."""
    planned = [(index, d) for index, event in enumerate(events) for d in router.plan(event)]
    gated = [d for _, d in planned if d.gate is not None and d.error is None]
    decisions = iter(decide([(d.route, d.gate) for d in gated if d.gate is not None], {}))
    found: list[Decided] = []
    gated_at: list[int] = []  # where each gated delivery is in found
    members: dict[int, list[int]] = {}  # a group's head (in found): its events
    for index, delivery in planned:
        if delivery.gate is None or delivery.error is not None:
            status = "pending" if delivery.error is None else "dead"
            found.append(Decided(index, delivery, status, delivery.why))
            continue
        decision = next(decisions)
        gated_at.append(len(found))
        why = f"{delivery.why}\n{decision.why}"
        found.append(Decided(index, delivery, decision.status, why))
        if delivery.gate.kind != "group":
            continue
        if decision.head_row is None:
            members[len(found) - 1] = [index]
        else:
            members[gated_at[decision.head_row]].append(index)
    for head, indexes in members.items():
        group = sorted((events[i] for i in indexes), key=lambda e: str(e.get("occurred_at")))
        params, error = router.render_group(found[head].delivery.route, group)
        delivery = evolve(found[head].delivery, params=params, error=error)
        found[head] = evolve(found[head], delivery=delivery, status="dead" if error else "pending")
    return found


def verdict_json(verdict: Verdict) -> dict[str, Any]:
    """A verdict as ``--json`` writes it: its line of text, and its parts'."""
    found: dict[str, Any] = {"matched": verdict.matched, "text": str(verdict)}
    if verdict.parts:
        found["parts"] = [verdict_json(part) for part in verdict.parts]
    return found
