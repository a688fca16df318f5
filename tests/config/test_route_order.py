"""Which routes deliver, in which order: ``continue: false``, a final catch-all,
``enabled: false``, and the route index giving what trying every route in turn gives."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hookyard.config import Config, parse_config
from hookyard.config.converter import make_converter
from hookyard.events import Chat, Event
from hookyard.plugins import configure_converter, get_plugin_manager
from hookyard.routing import CompiledRoute, Router, compile_routes

if TYPE_CHECKING:
    from hookyard.plugins import Registry

Load = Callable[..., Config]
SINKS = "sinks:\n  log: {plugin: log}\n"
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
TYPES = ("chat.started", "chat.message", "chat.closed", "webhook.test")
VENDORS = ("livechat", "comm100", "helpcrunch")
SOURCES = ("main", "eu", "us")
TAGS = ("vip", "sales", "spam")


def event(
    type_: str = "chat.message",
    vendor: str = "livechat",
    source: str = "main",
    tags: tuple[str, ...] = (),
) -> dict[str, Any]:
    made = Event("e-1", source, vendor, type_, "x", NOW, NOW, chat=Chat(id="c-1", tags=tags))
    return dict(make_converter().unstructure(made))


@pytest.fixture
def router(load: Load, registry: Registry) -> Callable[[str], Router]:
    def compile_(routes: str) -> Router:
        return compile_routes(load(SINKS, textwrap.dedent(routes)), registry)

    return compile_


def routed(router: Router, routed_event: dict[str, Any]) -> list[str]:
    return [planned.route for planned in router.plan(routed_event)]


FIRST_MATCH = """\
routes:
  - {name: audit, to: log}
  - {name: vips, to: log, match: {chat.tags: vip}, continue: false}
  - {name: sales, to: log, match: {chat.tags: sales}, continue: false}
  - {name: everything else, to: log}
"""


def test_continue_false_stops_at_the_first_match_and_a_catch_all_gets_the_rest(
    router: Callable[[str], Router],
) -> None:
    routes = router(FIRST_MATCH)
    assert routed(routes, event(tags=("vip", "sales"))) == ["audit", "vips"]
    assert routed(routes, event(tags=("sales",))) == ["audit", "sales"]
    assert routed(routes, event(tags=("spam",))) == ["audit", "everything else"]


def test_every_matching_route_delivers_by_default(router: Callable[[str], Router]) -> None:
    routes = router(FIRST_MATCH.replace(", continue: false", ""))
    assert routed(routes, event(tags=("vip", "sales"))) == [
        "audit",
        "vips",
        "sales",
        "everything else",
    ]


def test_a_disabled_route_is_skipped_and_stops_nothing(router: Callable[[str], Router]) -> None:
    routes = router(
        """\
        routes:
          - {name: paused, to: log, enabled: false, continue: false}
          - {name: vips, to: log, match: {chat.tags: vip}, enabled: true}
          - {name: old vips, to: log, match: {chat.tags: vip}, enabled: false}
          - {name: last, to: log}
        """
    )
    assert routed(routes, event(tags=("vip",))) == ["vips", "last"]
    assert [route.name for route in routes.routes] == ["paused", "vips", "old vips", "last"]


def test_indexed_and_unindexed_routes_keep_the_file_order(router: Callable[[str], Router]) -> None:
    routes = router(
        """\
        routes:
          - {name: a, to: log, match: {type: chat.message}}
          - {name: b, to: log, match: {chat.tags: vip}}
          - {name: c, to: log, match: {vendor: {in: [livechat, comm100]}}}
          - {name: d, to: log, match: {source: main, type: {eq: chat.message}}}
          - {name: e, to: log, match: {not: {type: chat.message}}}
          - {name: f, to: log, match: {any: [{type: chat.closed}, {vendor: livechat}]}}
          - {name: g, to: log, match: {type: chat.closed}}
        """
    )
    assert routed(routes, event(tags=("vip",))) == ["a", "b", "c", "d", "f"]
    assert routed(routes, event("chat.closed", "comm100", "eu")) == ["c", "e", "f", "g"]
    assert routed(routes, event("chat.closed", "comm100", "eu")) == ["c", "e", "f", "g"]


def _type_pin(kind: str, values: list[str]) -> Any:
    return {"short": values[0], "eq": {"eq": values[0]}, "in": {"in": values}}[kind]


@st.composite
def a_route(draw: st.DrawFn) -> dict[str, Any]:
    """A route pinning any of type, vendor and source, or none, with other conditions."""
    match: dict[str, Any] = {}
    for field, values in (("type", TYPES), ("vendor", VENDORS), ("source", SOURCES)):
        if draw(st.booleans()):
            chosen = draw(st.lists(st.sampled_from(values), min_size=1, max_size=2, unique=True))
            match[field] = _type_pin(draw(st.sampled_from(["short", "eq", "in"])), chosen)
    extra = draw(st.sampled_from(["none", "tag", "not type", "any"]))
    if extra == "tag":
        match["chat.tags"] = {"contains": draw(st.sampled_from(TAGS))}
    elif extra == "not type":
        match["not"] = {"type": draw(st.sampled_from(TYPES))}
    elif extra == "any":
        match["any"] = [{"vendor": draw(st.sampled_from(VENDORS))}, {"chat.tags": "vip"}]
    return {
        "to": "log",
        "match": match,
        "continue": draw(st.booleans()),
        "enabled": draw(st.integers(0, 4)) > 0,
    }


an_event = st.builds(
    event,
    st.sampled_from(TYPES),
    st.sampled_from(VENDORS),
    st.sampled_from(SOURCES),
    st.lists(st.sampled_from(TAGS), max_size=2, unique=True).map(tuple),
)


def every_route_in_turn(router: Router, routed_event: dict[str, Any]) -> list[CompiledRoute]:
    found = []
    for route in router.routes:
        if route.enabled and route.matches(routed_event):
            found.append(route)
            if not route.continues:
                break
    return found


@pytest.fixture(scope="module")
def compile_text(registry: Registry) -> Callable[[str], Router]:
    """``load`` and ``compile_routes`` with one converter, made once: hypothesis calls it often."""
    converter = make_converter()
    configure_converter(get_plugin_manager(disabled=[]), converter)
    return lambda text: compile_routes(parse_config(text, converter, registry, None), registry)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(routes=st.lists(a_route(), max_size=12), events=st.lists(an_event, min_size=1, max_size=6))
def test_the_index_delivers_what_trying_every_route_delivers(
    compile_text: Callable[[str], Router],
    routes: list[dict[str, Any]],
    events: list[dict[str, Any]],
) -> None:
    compiled = compile_text(
        SINKS + "routes:\n" + "".join(f"  - {json.dumps(route)}\n" for route in routes)
    )
    for routed_event in events + events:  # the second time from the index's cache
        indexed = [route.index for route in compiled.matching(routed_event)]
        assert indexed == [route.index for route in every_route_in_turn(compiled, routed_event)]
