"""The match language: each operator and combinator matching or not, the check error for
a wrong operand of each at its place, paths into lists, ``data`` and ``raw``, and the
verdicts that say why a route matched."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from hookyard.config import Config, ConfigError
from hookyard.config.converter import make_converter
from hookyard.events import Attachment, Chat, Event, Message, Person, Rating
from hookyard.routing import Router, compile_routes

if TYPE_CHECKING:
    from hookyard.plugins import Registry

Load = Callable[..., Config]
#: The sink on lines 1-2; in :func:`matches` and :func:`problem`, the match on line 5.
SINKS = "sinks:\n  log: {plugin: log}\n"
OPERATORS = "eq, ne, in, not_in, exists, regex, contains, starts_with, ends_with, gt, gte, lt, lte"


def event(**parts: Any) -> dict[str, Any]:
    """A chat message in its JSON form (as routing sees it), with ``parts`` replaced."""
    defaults: dict[str, Any] = {
        "type": "chat.message",
        "chat": Chat(id="c-100", tags=("vip", "sales"), rating=Rating(value="4")),
        "customer": Person(name="Zoë", email="zoe@acme.com"),
        "message": Message(
            text="Hello, I need an invoice",
            attachments=(Attachment(name="invoice.pdf", size=2048),),
        ),
        "data": {"priority": 3, "transfer": {"target": "billing"}},
        "raw": {"payload": {"flag": True, "items": [{"sku": "X1"}, {"sku": "Y2"}]}},
    }
    made = Event(
        id="evt-1",
        source="chats",
        vendor="livechat",
        vendor_type="incoming_chat",
        occurred_at=datetime(2026, 3, 2, 10, 0, tzinfo=UTC),
        received_at=datetime(2026, 3, 2, 10, 0, 1, tzinfo=UTC),
        **{**defaults, **parts},
    )
    return dict(make_converter().unstructure(made))


def route(match: str) -> str:
    return f"routes:\n  - to: log\n    match: {match}\n"


@pytest.fixture
def router(load: Load, registry: Registry) -> Callable[[str], Router]:
    def compile_(routes: str) -> Router:
        return compile_routes(load(SINKS, textwrap.dedent(routes)), registry)

    return compile_


@pytest.fixture
def problems(load: Load, registry: Registry) -> Callable[[str], list[str]]:
    """What ``check`` says of routes (YAML text after the sinks); they must be rejected."""

    def problems(routes: str) -> list[str]:
        with pytest.raises(ConfigError) as caught:
            compile_routes(load(SINKS, textwrap.dedent(routes)), registry)
        return caught.value.problems

    return problems


MATCHING = [
    # operators, each beside a case that does not match
    ("{customer.email: {eq: zoe@acme.com}}", True),
    ("{customer.email: {eq: x@y.com}}", False),
    ("{chat.id: {ne: c-1}}", True),
    ("{chat.id: {ne: c-100}}", False),
    ("{agent.name: {ne: Bob}}", True),  # no agent at all: not Bob
    ("{type: {in: [chat.message, chat.closed]}}", True),
    ("{type: {in: [chat.closed, chat.missed]}}", False),
    ("{chat.tags: {not_in: [spam, junk]}}", True),
    ("{chat.tags: {not_in: [spam, vip]}}", False),  # no tag may be one of them
    ("{agent.email: {exists: false}}", True),
    ("{customer.email: {exists: false}}", False),
    ("{chat.tags: {exists: true}}", True),
    ("{chat.department: {exists: true}}", False),
    ("{customer.email: {regex: '@acme\\.com$'}}", True),
    ('{customer.email: {regex: "^admin@"}}', False),
    ('{customer.email: {regex: "(?i)ZOE@"}}', True),
    ("{message.text: {contains: invoice}}", True),
    ("{message.text: {contains: refund}}", False),
    ("{chat.tags: {contains: vip}}", True),
    ("{chat.tags: {contains: vi}}", False),  # a list contains items, not parts of them
    ("{chat.id: {starts_with: c-}}", True),
    ("{chat.id: {starts_with: x-}}", False),
    ("{message.attachments.name: {ends_with: .pdf}}", True),
    ("{message.attachments.name: {ends_with: .png}}", False),
    ("{data.priority: {gt: 2}}", True),
    ("{data.priority: {gt: 3}}", False),
    ("{data.priority: {gte: 3}}", True),
    ("{data.priority: {lt: 3}}", False),
    ("{data.priority: {lte: 3.5}}", True),
    ("{chat.rating.value: {gte: 4}}", True),  # text that is a number compares as one
    ("{chat.rating.value: {gt: 4}}", False),
    ('{occurred_at: {gte: "2026-03-01T00:00:00Z"}}', True),
    ("{occurred_at: {gte: 2026-03-02T10:00:01Z}}", False),  # unquoted: YAML's own time
    ('{occurred_at: {lt: "2026-03-02T11:00:00+01:00"}}', False),  # the same moment
    ('{occurred_at: {lte: "2026-03-02T11:00:00+01:00"}}', True),
    ("{data.priority: {gte: 1, lte: 5}}", True),  # every operator must hold
    ("{data.priority: {gte: 1, lte: 2}}", False),
    # lists, list items, the vendor's JSON
    ("{chat.tags: [gold, vip]}", True),
    ("{chat.tags: gold}", False),
    ("{message.attachments.size: {gt: 1000}}", True),
    ("{message.attachments.0.name: invoice.pdf}", True),
    ("{message.attachments.1.name: invoice.pdf}", False),
    ("{data.transfer.target: billing}", True),
    ("{raw.payload.items.sku: Y2}", True),  # any item's
    ("{raw.payload.items.0.sku: Y2}", False),
    ("{raw.payload.flag: true}", True),
    ("{raw.payload.flag: 1}", False),  # true is not 1
    ("{data.transfer: {target: billing}}", True),  # not operators: a value, compared as is
    ("{data.transfer: {eq: {target: billing}}}", True),
    ("{data.transfer: {exists: true}}", True),
    ("{data.nothing: {exists: true}}", False),
    # combinators
    ("{any: [{chat.tags: gold}, {customer.email: {ends_with: acme.com}}]}", True),
    ("{any: [{chat.tags: gold}, {type: chat.closed}]}", False),
    ("{all: [{chat.tags: vip}, {chat.tags: sales}]}", True),
    ("{all: [{chat.tags: vip}, {chat.tags: gold}]}", False),
    ("{not: {chat.tags: spam}}", True),
    ("{not: {chat.tags: vip, type: chat.message}}", False),
    ("{not: {chat.tags: vip, type: chat.closed}}", True),  # not (all of them)
    (
        "{any: [{not: {chat.tags: vip}}, {all: [{data.priority: {gt: 2}},"
        " {not: {customer.email: {exists: false}}}]}]}",
        True,
    ),
]


@pytest.mark.parametrize(("match", "expected"), MATCHING)
def test_each_operator_and_combinator_matches_or_not(
    router: Callable[[str], Router], match: str, expected: bool
) -> None:
    assert [p.route for p in router(route(match)).plan(event())] == (
        ["route-0"] if expected else []
    )


WRONG = [
    (
        "{customer.id: {eq: 123}}",
        "customer.id.eq",
        "customer.id holds text, but YAML read 123 "
        'as a number: write the value in quotes as the vendor sends it (e.g. "123"), or it never '
        "matches",
    ),
    (
        "{type: {ne: chat.strted}}",
        "type.ne",
        "'chat.strted' is not an event type; did you "
        "mean 'chat.started'? (docs/events.md lists them)",
    ),
    ("{type: {in: chat.started}}", "type.in", "in takes a list of values, got text"),
    (
        "{chat.tags: {not_in: []}}",
        "chat.tags.not_in",
        "an empty not_in list leaves out nothing; name the chat.tags values to leave out",
    ),
    ("{chat.id: {exists: 1}}", "chat.id.exists", "exists takes true or false, got 1"),
    (
        "{type: {exists: false}}",
        "type.exists",
        "every event has a type, so exists: false never matches",
    ),
    (
        '{customer.email: {regex: "(unclosed"}}',
        "customer.email.regex",
        "not a regular expression: missing ) at position 9",
    ),
    (
        "{message.text: {contains: 4}}",
        "message.text.contains",
        "contains takes text, got a number 4",
    ),
    ("{chat.tags: {contains: [vip]}}", "chat.tags.contains", "expected a value, got a list"),
    (
        '{message.attachments.size: {starts_with: "1"}}',
        "message.attachments.size.starts_with",
        "starts_with looks at text, but message.attachments.size is a number; compare it with "
        "gt, lt ...",
    ),
    ("{chat.id: {ends_with: 7}}", "chat.id.ends_with", "ends_with takes text, got a number 7"),
    (
        "{occurred_at: {gt: 5}}",
        "occurred_at.gt",
        "occurred_at is a time; compare it with a time such as '2026-01-01T00:00:00Z'",
    ),
    (
        '{occurred_at: {gte: "2026-01-01T00:00:00"}}',
        "occurred_at.gte",
        "2026-01-01T00:00:00 has no time zone; add Z or an offset such as +01:00",
    ),
    (
        "{data.deadline: {lt: soon}}",
        "data.deadline.lt",
        "expected a number or an ISO 8601 time such as '2026-01-01T00:00:00Z', got 'soon'",
    ),
    (
        "{occurred_at: {lte: 2026-01-01}}",
        "occurred_at.lte",
        "2026-01-01 is a date; expected "
        "a number or an ISO 8601 time such as '2026-01-01T00:00:00Z' (a time with its zone)",
    ),
    (
        '{message.attachments.size: {lte: "2026-01-01T00:00:00Z"}}',
        "message.attachments.size.lte",
        "message.attachments.size is a number; lte takes a number here, got '2026-01-01T00:00:00Z'",
    ),
    (
        "{chat.id: {startswith: c}}",
        "chat.id.startswith",
        f"unknown operator; did you mean 'starts_with'? (operators: {OPERATORS})",
    ),
    (
        "{data.x: {eq: 1, foo: 2}}",
        "data.x",
        "mixes operators (eq) with other keys (foo); to "
        "compare this mapping as it is, write it under eq: {eq: {...}}",
    ),
    (
        "{message.attachments: {eq: x}}",
        "message.attachments.eq",
        "message.attachments is a list of objects; match one of their fields",
    ),
    ("{any: {chat.tags: vip}}", "any", "any takes a list of match mappings, got a mapping"),
    ("{all: []}", "all", "all takes a list of match mappings, got an empty list"),
    ("{any: [vip]}", "any[0]", "expected a match mapping, got text"),
    ("{not: [{chat.tags: vip}]}", "not", "not takes one match mapping, got a list"),
    (
        "{not: {chat.tagz: vip}}",
        "not.chat.tagz",
        "chat has no field 'tagz'; did you mean "
        "'tags'? (fields: department, id, rating, status, tags, thread_id)",
    ),
    ("{chat.tags.x: vip}", "chat.tags.x", "chat.tags holds text; it has no field 'x'"),
]


@pytest.mark.parametrize(("match", "place", "message"), WRONG)
def test_a_wrong_operand_is_a_check_error_at_its_place(
    problems: Callable[[str], list[str]], match: str, place: str, message: str
) -> None:
    assert problems(route(match)) == [f"routes[0].match.{place} (line 5): {message}"]


def test_a_problem_deep_in_combinators_names_its_whole_place_and_line(
    problems: Callable[[str], list[str]],
) -> None:
    found = problems(
        """\
        routes:
          - to: log
            match:
              type: chat.message
              any:
                - chat.tags: vip
                - all:
                    - customer.email: {regex: "[acme"}
                    - not: {data.x: {gt: soon}}
        """
    )
    assert found == [
        "routes[0].match.any[1].all[0].customer.email.regex (line 10): not a regular "
        "expression: unterminated character set at position 5",
        "routes[0].match.any[1].all[1].not.data.x.gt (line 11): expected a number or an ISO "
        "8601 time such as '2026-01-01T00:00:00Z', got 'soon'",
    ]


def test_a_disabled_route_is_checked_all_the_same(problems: Callable[[str], list[str]]) -> None:
    found = problems('routes:\n  - {to: log, enabled: false, match: {chat.id: {regex: "("}}}\n')
    assert found == [
        "routes[0].match.chat.id.regex (line 4): not a regular expression: missing ) at position 1",
    ]


@pytest.mark.parametrize("key", ["continue", "enabled"])
def test_continue_and_enabled_are_true_or_false(load: Load, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(SINKS, f"routes:\n  - {{to: log, {key}: maybe}}\n")
    assert caught.value.problems == [
        f"routes[0].{key} (line 4): expected true or false, got 'maybe'"
    ]


def test_verdicts_say_why_each_condition_decided(router: Callable[[str], Router]) -> None:
    compiled = router(
        route(
            "{chat.tags: {contains: vip}, customer.email: {regex: '@acme'},"
            " any: [{type: chat.closed}, {not: {data.priority: {lt: 2}}}]}"
        )
    )
    (only,) = compiled.routes
    verdicts = only.explain(event(customer=Person(email="x@y.com")))
    assert [str(v) for v in verdicts] == [
        "matched: chat.tags contains 'vip'",
        "not matched: customer.email regex '@acme' on 'x@y.com'",
        "matched: any of 2",
    ]
    assert verdicts[2].lines() == [
        "matched: any of 2",
        "  not matched: type eq 'chat.closed' on 'chat.message'",
        "  matched: not",
        "    not matched: data.priority lt 2 on 3",
    ]
    assert compiled.plan(event(customer=Person(email="x@y.com"))) == []
    assert [str(v) for v in only.explain(event())][1] == "matched: customer.email regex '@acme'"


def test_a_missing_field_is_shown_as_null(router: Callable[[str], Router]) -> None:
    (only,) = router(route("{agent.email: {ends_with: '@acme.com'}}")).routes
    (verdict,) = only.explain(event())
    assert str(verdict) == "not matched: agent.email ends_with '@acme.com' on null"


def test_test_events_reach_a_route_naming_the_type_inside_a_combinator(
    router: Callable[[str], Router],
) -> None:
    compiled = router(
        """\
        routes:
          - {name: tests, to: log, match: {any: [{type: webhook.test}, {chat.tags: vip}]}}
          - {name: vips, to: log, match: {chat.tags: {contains: vip}}}
        """
    )
    assert [p.route for p in compiled.plan(event(type="webhook.test"))] == ["tests"]
    assert [p.route for p in compiled.plan(event())] == ["tests", "vips"]


def test_two_tests_of_a_pinned_field_both_hold(router: Callable[[str], Router]) -> None:
    routes = router(route("{type: {eq: chat.started, in: [chat.started, chat.closed]}}"))
    assert [p.route for p in routes.plan(event(type="chat.closed"))] == []
    assert len(routes.plan(event(type="chat.started"))) == 1


def test_a_catastrophic_regex_gives_up_instead_of_stopping_intake(
    router: Callable[[str], Router], caplog: pytest.LogCaptureFixture
) -> None:
    import time

    # (a+)+$, the classic, is fast with the regex module; this one is exponential in it too.
    routes = router(route('{message.text: {regex: "(a|aa)+$"}}'))
    started = time.monotonic()
    planned = routes.plan(event(message=Message(text="a" * 40 + "!")))
    assert planned == []
    assert time.monotonic() - started < 2
    assert "gave up on 41 characters" in caplog.text


def test_a_number_too_large_for_a_float_is_compared_exactly(
    router: Callable[[str], Router],
) -> None:
    routes = router(route("{data.x: {gt: 1}}"))
    assert len(routes.plan(event(data={"x": 10**400}))) == 1
    assert routes.plan(event(data={"x": "1" + "0" * 400})) == []  # text past a float: no


def test_a_regex_python_cannot_build_is_a_check_error(
    problems: Callable[[str], list[str]],
) -> None:
    [found] = problems(route('{message.text: {regex: "x{4294967296}"}}'))
    assert "routes[0].match.message.text.regex" in found
    assert "not a regular expression" in found


def test_a_path_part_of_other_digits_is_a_key_not_an_index(
    router: Callable[[str], Router],
) -> None:
    routes = router(route("{data.items.²: x}"))
    assert routes.plan(event(data={"items": [1]})) == []


def test_text_compares_as_a_number_only_as_json_writes_one(
    router: Callable[[str], Router],
) -> None:
    routes = router(route("{data.x: {gte: 4}}"))
    assert [len(routes.plan(event(data={"x": x}))) for x in ("7", "1e3", "1_000", " 7 ", "٥")] == [
        1,
        1,
        0,
        0,
        0,
    ]


def test_a_comparison_with_an_infinite_number_is_a_check_error(
    problems: Callable[[str], list[str]],
) -> None:
    [found] = problems(route("{data.x: {lt: .inf}}"))
    assert "routes[0].match.data.x.lt" in found and "takes a finite number" in found


def test_a_source_or_vendor_that_is_not_there_never_matches(load: Load, registry: Registry) -> None:
    text = (
        "sources: {chats: {vendor: generic, auth: none}}\n"
        + SINKS
        + "routes:\n  - {to: log, match: {source: chatz}}\n"
        + "  - {to: log, match: {vendor: livechatt}}\n"
    )
    with pytest.raises(ConfigError) as caught:
        compile_routes(load(text, ""), registry)
    found = caught.value.problems
    assert any("routes[0].match.source" in p and "did you mean 'chats'" in p for p in found)
    assert any(
        "routes[1].match.vendor" in p and "no vendor is named 'livechatt'" in p for p in found
    )
