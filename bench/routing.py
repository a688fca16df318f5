"""Routing cost per event with 10, 1,000 and 10,000 routes, in one process.

Each configuration is made of routes a large deployment has: each pins an event type and
one of 50 sources and adds a condition of its own (a tag, an e-mail domain, a rating),
and five routes pin nothing (a regex on the e-mail, an ``any`` of tags, business hours...)
so every event tries them. 2,000 events of every type, source and a few tags are routed
through ``Router.plan`` (what intake calls: matching, then each delivery's parameters) and
through ``Router.matching`` alone; each figure is the best of five passes, in µs per event,
beside the 10-route figure of the same run. For comparison, the same routes tried one by
one, without the index (matching alone).

Run: ``.venv/bin/python bench/routing.py`` or ``.venv/bin/python bench/run.py --scenario routing``
"""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from hookyard.config import parse_config
from hookyard.config.converter import make_converter
from hookyard.events import EVENT_TYPES, Chat, Event, Person, Rating
from hookyard.plugins import collect_registry, configure_converter, get_plugin_manager
from hookyard.routing import Router, compile_routes

__all__ = ["main", "measure"]

SIZES = (10, 1_000, 10_000)
EVENTS = 2_000
PASSES = 5
SOURCES = [f"source-{i}" for i in range(50)]
TYPES = sorted(EVENT_TYPES - {"webhook.test"})
TAGS = ["vip", "sales", "billing", "spam", "gold", "trial"]
UNPINNED = [
    {"match": {"customer.email": {"regex": r"@(acme|example)\.com$"}}},
    {"match": {"any": [{"chat.tags": "vip"}, {"chat.rating.value": {"gte": 4}}]}},
    {"match": {"not": {"chat.tags": {"contains": "spam"}}, "vendor": {"ne": "comm100"}}},
    {"match": {"message.text": {"contains": "invoice"}}},
    {"when": {"timezone": "Europe/Berlin", "hours": ["09:00-17:30"], "outside": True}},
]


def config_text(size: int, rng: random.Random) -> str:
    routes: list[dict[str, Any]] = [dict(route, to="sink") for route in UNPINNED]
    for index in range(size - len(UNPINNED)):
        match: dict[str, Any] = {"type": rng.choice(TYPES), "source": rng.choice(SOURCES)}
        kind = index % 3
        if kind == 0:
            match["chat.tags"] = {"contains": rng.choice(TAGS)}
        elif kind == 1:
            match["customer.email"] = {"ends_with": rng.choice(["@acme.com", "@example.org"])}
        else:
            match["chat.rating.value"] = {"gte": rng.randint(1, 5)}
        routes.append({"name": f"route {index}", "to": "sink", "match": match})
    lines = "".join(f"  - {json.dumps(route)}\n" for route in routes)
    return f"sinks:\n  sink: {{plugin: log}}\nroutes:\n{lines}"


def events(rng: random.Random) -> list[dict[str, Any]]:
    converter = make_converter()
    start = datetime(2026, 3, 2, tzinfo=UTC)
    made = []
    for index in range(EVENTS):
        moment = start + timedelta(minutes=17 * index)
        event = Event(
            f"e-{index}",
            rng.choice(SOURCES),
            rng.choice(["livechat", "comm100", "helpcrunch"]),
            rng.choice(TYPES),
            "x",
            moment,
            moment,
            chat=Chat(
                id=f"c-{index}",
                tags=tuple(rng.sample(TAGS, rng.randint(0, 2))),
                rating=Rating(value=str(rng.randint(1, 5))),
            ),
            customer=Person(email=rng.choice(["zoe@acme.com", "li@example.org", "x@y.com"])),
        )
        made.append(dict(converter.unstructure(event)))
    return made


def _per_event(route: Any, routed: list[dict[str, Any]]) -> float:
    best = float("inf")
    for _ in range(PASSES):
        started = time.perf_counter()
        for event in routed:
            route(event)
        best = min(best, time.perf_counter() - started)
    return best / len(routed) * 1e6


def _in_turn(router: Router) -> Any:
    def plan(event: dict[str, Any]) -> list[Any]:
        found = []
        for route in router.routes:
            if route.enabled and route.matches(event):
                found.append(route)
                if not route.continues:
                    break
        return found

    return plan


def measure() -> list[dict[str, Any]]:
    """One row per size: µs per event through the index and tried in turn, deliveries."""
    rng = random.Random(7)
    registry = collect_registry(get_plugin_manager(disabled=[]))
    converter = make_converter()
    configure_converter(get_plugin_manager(disabled=[]), converter)
    routed = events(rng)
    rows = []
    for size in SIZES:
        config = parse_config(config_text(size, rng), converter, registry, None)
        started = time.perf_counter()
        router = compile_routes(config, registry)
        compiled = time.perf_counter() - started
        delivered = sum(len(router.plan(event)) for event in routed) / len(routed)
        row = {
            "routes": size,
            "compile_s": compiled,
            "indexed_us": _per_event(router.plan, routed),
            "matching_us": _per_event(router.matching, routed),
            "in_turn_us": _per_event(_in_turn(router), routed),
            "deliveries_per_event": delivered,
        }
        rows.append(row)
    return rows


def report(rows: list[dict[str, Any]]) -> None:
    base, matching = rows[0]["indexed_us"], rows[0]["matching_us"]
    print(f"\nrouting: {EVENTS} events, µs per event, best of {PASSES} passes")
    print(
        "  routes    plan  ×10-route   matching  ×10-route   tried in turn   deliveries/event"
        "   compile"
    )
    for row in rows:
        print(
            f"  {row['routes']:>6,}  {row['indexed_us']:>6.1f}  {row['indexed_us'] / base:>9.2f}"
            f"   {row['matching_us']:>8.1f}  {row['matching_us'] / matching:>9.2f}"
            f"   {row['in_turn_us']:>13.1f}   {row['deliveries_per_event']:>16.2f}"
            f"   {row['compile_s']:>5.2f} s"
        )
    worst = rows[-1]["indexed_us"]
    size = rows[-1]["routes"]
    print(f"  goal: ≤ 50 µs/event at {size:,} routes: {worst:.1f} µs ({worst / 50:.2f}×)")


def main() -> None:
    report(measure())


if __name__ == "__main__":
    sys.exit(main())
