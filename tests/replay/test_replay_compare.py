"""The comparison of one stored event, and the tally of many: what ``hookyard replay``
prints is made of these (no database: stored events are built as the store reads them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from attrs import evolve

from hookyard.replay import BACKFILLED, Applied, Report, backfills, compare_event
from hookyard.routing import PlannedDelivery
from hookyard.routing.gates import Gate
from hookyard.store.backfill import StoredDelivery, StoredEvent


def stored(
    route: str, params: Any, *, status: str = "delivered", sink: str = "ops", id: int = 1
) -> StoredDelivery:
    return StoredDelivery(id, route, sink, "post", params, status, None)


def planned(
    route: str,
    params: Any,
    *,
    sink: str = "ops",
    error: str | None = None,
    gate: Gate | None = None,
) -> Any:
    return PlannedDelivery(route, sink, "post", params, error, gate, f"route {route!r} matched")


def event(event_id: str, *made: StoredDelivery) -> StoredEvent:
    now = datetime.now(UTC)
    body = {"id": event_id, "source": "chats"}
    return StoredEvent(1, event_id, "chats", "generic", "chat.started", now, now, body, None, made)


def _kinds(changes: list[Any]) -> list[tuple[str, str]]:
    return [(change.route, change.kind) for change in changes]


def test_each_route_is_added_removed_changed_or_unchanged() -> None:
    changes = compare_event(
        [
            planned("same", {"text": "hi"}),
            planned("new", {"text": "hi"}),
            planned("edited", {"text": "hello", "channel": "#ops"}),
        ],
        [
            stored("same", {"text": "hi"}),
            stored("edited", {"text": "hi", "channel": "#ops"}),
            stored("gone", {}),
        ],
    )
    assert _kinds(changes) == [
        ("same", "unchanged"),
        ("new", "added"),
        ("edited", "changed"),
        ("gone", "removed"),
    ]
    [difference] = changes[2].differences
    assert (difference.key, difference.old, difference.new) == ("with.text", "hi", "hello")


def test_a_change_names_every_key_that_differs() -> None:
    [change] = compare_event(
        [planned("r", {"body": {"title": "New", "tags": ["a"]}, "extra": 1}, sink="desk")],
        [stored("r", {"body": {"title": "Old", "tags": ["a", "b"]}, "gone": True})],
    )
    shown = [(d.key, d.old, d.new) for d in change.differences]
    assert shown == [
        ("sink", "ops", "desk"),
        ("with.body.title", "Old", "New"),
        ("with.body.tags", ["a", "b"], ["a"]),
        ("with.gone", True, None),
        ("with.extra", None, 1),
    ]
    # As the store keeps them: a tuple is the list it was stored as; 1 is not True.
    [same] = compare_event([planned("r", {"tags": ("a",)})], [stored("r", {"tags": ["a"]})])
    assert same.kind == "unchanged"
    [typed] = compare_event([planned("r", {"n": 1})], [stored("r", {"n": True})])
    assert [(d.key, d.old, d.new) for d in typed.differences] == [("with.n", True, 1)]


def test_a_template_that_fails_now_is_a_difference() -> None:
    error = "routes[0].with.text: template failed: boom"
    [change] = compare_event([planned("r", {}, error=error)], [stored("r", {"text": "hi"})])
    assert [(d.key, d.new) for d in change.differences] == [("with.text", None), ("error", error)]


def test_suppressed_and_grouped_deliveries_are_deliveries_of_their_route() -> None:
    for status in ("suppressed", "grouped", "dead", "pending"):
        [change] = compare_event([planned("r", {"a": 1})], [stored("r", {"a": 1}, status=status)])
        assert change.kind == "unchanged", status


def test_a_gate_is_compared_and_a_groups_params_are_not() -> None:
    dedup = Gate("dedup", "c-1", 600.0, 1)
    kept = StoredDelivery(1, "r", "ops", "post", {"a": 1}, "suppressed", None, "dedup", "c-1")
    [same] = compare_event([planned("r", {"a": 1}, gate=dedup)], [kept])
    assert same.kind == "unchanged"
    rekeyed = Gate("dedup", "u-1", 600.0, 1)
    [change] = compare_event([planned("r", {"a": 1}, gate=rekeyed)], [kept])
    assert [(d.key, d.old, d.new) for d in change.differences] == [
        ("gate", "dedup c-1", "dedup u-1")
    ]
    [dropped] = compare_event([planned("r", {"a": 1})], [kept])
    assert [(d.key, d.old, d.new) for d in dropped.differences] == [("gate", "dedup c-1", None)]
    # A group's head keeps the params its group was delivered with; routing has none.
    group = Gate("group", "c-1", 60.0, 100)
    head = StoredDelivery(2, "g", "ops", "post", {"text": "3 events"}, "delivered", None)
    [grouped] = compare_event(
        [planned("g", {}, gate=group)], [evolve(head, gate="group", gate_key="c-1")]
    )
    assert grouped.kind == "unchanged"


def test_of_several_stored_for_a_route_the_one_that_matches_counts() -> None:
    made = [stored("r", {"a": 1}, id=1), stored("r", {"a": 2}, id=2)]
    [change] = compare_event([planned("r", {"a": 2})], made)
    assert (change.kind, change.stored) == ("unchanged", made[1])
    [other] = compare_event([planned("r", {"a": 3})], made)
    assert (other.kind, other.stored) == ("changed", made[0])


def test_the_report_counts_every_event_and_keeps_three_examples_of_each_kind() -> None:
    report = Report(["kept", "new"])
    for number in range(5):
        made = event(f"e{number}", stored("kept", {"n": number}), stored("old", {}))
        report.add(made, compare_event([planned("kept", {"n": 0}), planned("new", {})], []))
        report.add(made, compare_event([planned("kept", {"n": 0})], made.deliveries))
    assert report.events == 10
    assert report.totals() == {"added": 10, "removed": 5, "changed": 4, "unchanged": 1}
    kept, new, old = report.ordered()
    assert (kept.route, new.route, old.route) == ("kept", "new", "old")
    assert (kept.configured, old.configured) == (True, False)
    assert [e.event for e in kept.examples["changed"]] == ["e1", "e2", "e3"]
    assert [e.event for e in new.examples["added"]] == ["e0", "e1", "e2"]
    routes = report.as_json()["routes"]
    assert [r["route"] for r in routes] == ["kept", "new", "old"]
    assert routes[0]["examples"]["changed"][0]["differences"] == [
        {"key": "with.n", "old": 1, "new": 0}
    ]


def test_only_added_deliveries_that_render_and_have_no_gate_are_backfilled() -> None:
    made = event("e1", stored("kept", {}))
    throttle = Gate("throttle", "c-1", 3600.0, 5)
    changes = compare_event(
        [
            planned("kept", {}),
            planned("new", {"a": 1}),
            planned("broken", {}, error="boom"),
            planned("throttled", {"a": 1}, gate=throttle),
        ],
        made.deliveries,
    )
    applied = Applied()
    [backfill, gated] = backfills(made, changes, applied)
    assert (backfill.planned.route, backfill.planned.params) == ("new", {"a": 1})
    assert (backfill.event, applied.failed, applied.gated) == (made, 1, 1)
    assert backfill.planned.why == f"route 'new' matched\n{BACKFILLED}"
    assert backfill.planned.gate is None
    assert (gated.planned.route, gated.planned.gate) == ("throttled", throttle)
