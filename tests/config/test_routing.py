"""Routes: which events they match, what they deliver, and how their mistakes are named."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from hookyard.config import Config, ConfigError
from hookyard.config.converter import make_converter
from hookyard.events import Chat, Event, Person
from hookyard.host import Host
from hookyard.routing import Router, compile_routes

if TYPE_CHECKING:
    from pathlib import Path

    from hookyard.plugins import Registry

Load = Callable[..., Config]

#: Sinks on lines 1-4; routes start on line 5.
SINKS = """\
sinks:
  journal: {plugin: file, path: journal.jsonl}
  console: {plugin: log}
  ops: {plugin: http, url: "http://127.0.0.1:9/in"}
"""
NOW = datetime(2025, 3, 4, 10, 11, 12, tzinfo=UTC)


def event(type_: str = "chat.started", **parts: Any) -> dict[str, Any]:
    """An event in its JSON form, as routing sees it."""
    defaults: dict[str, Any] = {
        "chat": Chat(id="chat-1", tags=("vip", "sales")),
        "customer": Person(name="Zoë", email="zoe@example.com"),
    }
    made = Event(
        id="evt-1",
        source="chats",
        vendor="livechat",
        type=type_,
        vendor_type="incoming_chat",
        occurred_at=NOW,
        received_at=NOW,
        **{**defaults, **parts},
    )
    return dict(make_converter().unstructure(made))


@pytest.fixture
def router(load: Load, registry: Registry) -> Callable[[str], Router]:
    def compile_(routes: str) -> Router:
        return compile_routes(load(SINKS, routes), registry)

    return compile_


def routed(router: Router, routed_event: dict[str, Any]) -> list[str]:
    return [planned.route for planned in router.plan(routed_event)]


ROUTES = """\
routes:
  - {name: starts, to: journal, match: {type: chat.started}}
  - {name: vips, to: journal, match: {chat.tags: vip}}
  - {name: zoe, to: journal, match: {customer.email: zoe@example.com}}
  - {name: closing, to: journal, match: {type: [chat.closed, chat.missed]}}
  - {name: vip closes, to: journal, match: {type: chat.closed, chat.tags: [gold, vip]}}
"""


def test_match_on_type_fields_lists_and_list_membership(router: Callable[[str], Router]) -> None:
    routes = router(ROUTES)
    assert routed(routes, event()) == ["starts", "vips", "zoe"]
    assert routed(routes, event("chat.closed")) == ["vips", "zoe", "closing", "vip closes"]
    assert routed(routes, event("chat.missed", chat=Chat(tags=("gold",)))) == [
        "zoe",
        "closing",
    ]
    stranger = Person(email="someone@example.com")
    assert routed(routes, event("chat.closed", chat=None, customer=stranger)) == ["closing"]


def test_an_event_no_route_matches_is_not_delivered(router: Callable[[str], Router]) -> None:
    routes = router(ROUTES)
    assert routes.plan(event("agent.created", chat=None, customer=None)) == []


def test_each_matching_route_yields_one_delivery_in_order(
    router: Callable[[str], Router],
) -> None:
    routes = router(
        """\
        routes:
          - {name: first, to: ops}
          - {name: second, to: console, with: {message: "{{ event.type }}"}}
          - {name: not this one, to: journal, match: {type: chat.closed}}
          - {name: third, to: journal, action: append}
        """
    )
    planned = routes.plan(event())
    assert [(p.route, p.sink, p.action, p.params, p.error) for p in planned] == [
        ("first", "ops", "post", {}, None),
        ("second", "console", "write", {"message": "chat.started"}, None),
        ("third", "journal", "append", {}, None),
    ]
    assert [p.why for p in planned] == [
        "route 'first' (routes[0]) matched: every event",
        "route 'second' (routes[1]) matched: every event",
        "route 'third' (routes[3]) matched: every event",
    ]


def test_templates_render_nested_values_and_pass_other_values_through(
    router: Callable[[str], Router],
) -> None:
    routes = router(
        """\
        routes:
          - to: ops
            with:
              body:
                text: "New chat from {{ event.customer.name }} ({{ event.vendor }})"
                tags: ["{{ event.chat.tags | join(',') }}", "{{ event.chat.tags | length }}"]
                count: 3
                urgent: true
                nothing: null
        """
    )
    (planned,) = routes.plan(event())
    assert planned.error is None
    assert planned.params == {
        "body": {
            "text": "New chat from Zoë (livechat)",
            "tags": ["vip,sales", "2"],
            "count": 3,
            "urgent": True,
            "nothing": None,
        }
    }


def test_missing_fields_render_empty(router: Callable[[str], Router]) -> None:
    routes = router(
        """\
        routes:
          - to: console
            with: {message: "[{{ event.agent.name }}|{{ event.data.nope.deeper }}]"}
        """
    )
    (planned,) = routes.plan(event(agent=None))
    assert (planned.params, planned.error) == ({"message": "[|]"}, None)


@pytest.mark.parametrize(
    "template",
    [
        "{{ event.__class__.__mro__ }}",
        "{{ ''.__class__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ event.update({'type': 'x'}) }}",
        "{{ event.customer.__len__() }}",
    ],
)
def test_the_sandbox_turns_unsafe_access_into_an_error(
    router: Callable[[str], Router], template: str
) -> None:
    routes = router(f"routes:\n  - to: console\n    with: {{message: {json.dumps(template)}}}\n")
    (planned,) = routes.plan(event())
    assert planned.params == {}
    assert planned.error is not None
    assert planned.error.startswith("routes[0].with.message: template failed: access to attribute")
    assert "is unsafe" in planned.error


async def test_an_unsafe_template_becomes_a_dead_delivery(tmp_path: Path) -> None:
    config = tmp_path / "hookyard.yaml"
    config.write_text(
        """\
database: sqlite:///hookyard.db
sources:
  in: {vendor: generic, auth: none}
sinks:
  console: {plugin: log}
routes:
  - to: console
    with: {message: "{{ ''.__class__.__mro__ }}"}
"""
    )
    host = Host.from_file(config, disabled=[])
    await host.start(intake=True, workers=False)
    try:
        body = json.dumps({"id": "evt-7", "type": "chat.started"}).encode()
        answer = await host.intake.receive("in", {"content-type": "application/json"}, body)
        assert answer.status == 200
        (dead,) = await host.store.deliveries.list(status="dead")
        assert dead.last_error is not None and "is unsafe" in dead.last_error
        assert await host.store.deliveries.list(status="pending") == []
    finally:
        await host.stop()


def test_test_events_only_reach_routes_that_ask_for_them(
    router: Callable[[str], Router],
) -> None:
    routes = router(
        """\
        routes:
          - {name: everything, to: journal}
          - {name: vip, to: journal, match: {chat.tags: vip}}
          - {name: tests, to: journal, match: {type: webhook.test}}
          - {name: tests and starts, to: journal, match: {type: [chat.started, webhook.test]}}
        """
    )
    assert routed(routes, event("webhook.test")) == ["tests", "tests and starts"]
    assert routed(routes, event()) == ["everything", "vip", "tests and starts"]


def test_route_mistakes_are_named_with_path_and_line(load: Load, registry: Registry) -> None:
    config = load(
        SINKS,
        """\
        routes:
          - to: journal
            match: {custmer.name: x, chat.tagz: y}
          - to: console
            with:
              message: "{{ event.id "
          - to: journal
            with: {lines: "{{ event.id }}"}
        """,
    )
    with pytest.raises(ConfigError) as caught:
        compile_routes(config, registry)
    assert caught.value.problems[0].startswith(
        "routes[0].match.custmer.name (line 7): events have no field 'custmer'; did you mean "
        "'customer'? (fields: agent, "
    )
    assert caught.value.problems[1:] == [
        "routes[0].match.chat.tagz (line 7): chat has no field 'tagz'; did you mean 'tags'? "
        "(fields: department, id, rating, status, tags, thread_id)",
        "routes[1].with.message (line 10): template does not compile: unexpected end of "
        "template, expected 'end of print statement'.",
        "routes[2].with.lines (line 12): sink 'journal' action 'append' takes no 'lines' "
        "(it takes line)",
    ]


def test_an_action_the_sink_does_not_offer_is_rejected(load: Load) -> None:
    with pytest.raises(ConfigError) as caught:
        load(SINKS, "routes:\n  - {to: console, action: post}\n")
    assert caught.value.problems == [
        "routes[0].action (line 6): sink 'console' has no action 'post' (actions: write)"
    ]
