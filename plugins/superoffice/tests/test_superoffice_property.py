"""For any JSON value and any bytes, the parser returns events or raises PayloadRejected,
and intake answers 200, 400 or 401: never 500, never a payload kept as unparsed."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from superoffice_support import SECRET, SOURCE, delivery_headers, fixture_names, load, signed

from hookyard.testing import open_host
from hookyard.testing.strategies import assert_parses_or_rejects, json_scalars, json_values
from hookyard_superoffice import EVENTS, SuperOfficeConfig, parse

if TYPE_CHECKING:
    from pathlib import Path

    from hookyard import Event

CONFIG = SuperOfficeConfig(secret=SECRET)
SCALARS = json_scalars(max_text=20)
JSON = json_values(SCALARS, max_leaves=10, max_items=3, max_keys=4)
#: Values shaped like SuperOffice's (and their edge cases), so that generated bodies get
#: past the first checks and into every reader.
TIMES = SCALARS | st.sampled_from(
    [
        "0001-01-01T00:00:00",
        "0001-01-01T00:30:00+02:00",
        "9999-12-31T23:59:59.9999999-05:00",
        "2018-04-24T08:52:59.0005158Z",
        "2020-02-16T17:50:17",
        "2020-02-16T17:50:17+99:00",
        "2025-02-30T10:00:00Z",
    ]
)
NUMBERS = SCALARS | st.sampled_from(["21", "-0", " 7 ", "1e3", "True", "false", 0, 1, 7, 11, 12])
CHANGES = SCALARS | st.lists(
    st.sampled_from(["status", "chatSession.status", "chatSession.rating", "chatMessage.status"])
)
LIKELY = st.one_of(TIMES, NUMBERS, CHANGES)
#: Keys SuperOffice uses, in both cases, so that generated objects reach deep into the parser.
_KEYS = sorted(
    {
        *load("chatsession_created"),
        *load("chatsession_created")["FieldValues"],
        *load("chatsession_changed_closed")["FieldValues"],
        *load("webhook_errors")["FieldValues"],
    }
)
KEYS = st.sampled_from(_KEYS)
FIELDS = st.dictionaries(KEYS, LIKELY, max_size=10)
BODIES = st.fixed_dictionaries(
    {"Event": st.sampled_from(EVENTS) | st.sampled_from(["webhook7.errors", "x"])},
    optional={
        "EventId": SCALARS,
        "Timestamp": TIMES,
        "Changes": CHANGES,
        "PrimaryKey": NUMBERS,
        "ContextIdentifier": SCALARS,
        "ChangedByAssociateId": NUMBERS,
        "FieldValues": FIELDS | SCALARS,
        "fieldValues": FIELDS,
    },
)
#: Every fixture with the (unsigned) headers SuperOffice sends with it.
EVENT_FIXTURES = {name: delivery_headers(name) for name in fixture_names()}
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "x-hook-test": st.sampled_from(["true", "True", "no"]),
        "x-superoffice-retry": st.text(),
    },
)


def _outcome(body: object, headers: dict[str, str] | None = None) -> list[Event]:
    return assert_parses_or_rejects(parse, CONFIG, body, source=SOURCE, headers=headers, count=1)


@settings(max_examples=150, deadline=None)
@given(JSON)
def test_any_json_value(value: Any) -> None:
    _outcome(value)


@settings(max_examples=200, deadline=None)
@given(BODIES, HEADERS)
@example({"Event": "test", "Timestamp": "0001-01-01T00:30:00+02:00"}, {})
@example({"Event": "test", "Timestamp": "9999-12-31T23:59:59.9999999-05:00"}, {})
@example({"Event": "webhook.errors", "FieldValues": {"updated": "0001-01-01T01:00:00+01:30"}}, {})
@example(
    {"Event": "chatsession.changed", "PrimaryKey": " 7 ", "FieldValues": {"Status": "1e3"}}, {}
)
def test_any_notification(value: dict[str, Any], headers: dict[str, str]) -> None:
    for event in _outcome(value, headers):
        assert event.raw == value


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(EVENT_FIXTURES)), st.data())
def test_a_fixture_with_any_value_anywhere(name: str, data: st.DataObject) -> None:
    """Real notifications with one value replaced: the paths a shallow fuzzer never reaches."""
    body = load(name)
    target, key = _pick(body, data)
    target[key] = data.draw(LIKELY | JSON)
    _outcome(body, EVENT_FIXTURES[name])


def _pick(node: dict[str, Any] | list[Any], data: st.DataObject) -> tuple[Any, Any]:
    """A container inside ``node`` and one of its keys (or indexes), chosen by ``data``."""
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key: Any = data.draw(st.sampled_from(keys))
        child = node[key]
        if not isinstance(child, dict | list) or not child or data.draw(st.booleans()):
            return node, key
        node = child


@settings(max_examples=150, deadline=None)
@given(st.binary())
def test_any_bytes(body: bytes) -> None:
    _outcome(body)


def test_intake_never_answers_500(tmp_path: Path) -> None:
    """One host for every example: signed and unsigned bodies of any shape."""
    config = {"sources": {SOURCE: {"vendor": "superoffice", "secret": SECRET}}}
    with asyncio.Runner() as runner:
        opened = open_host(config, tmp_path)
        host = runner.run(opened.__aenter__())
        try:

            @settings(max_examples=40, deadline=None)
            @given(BODIES.map(lambda v: json.dumps(v).encode()) | st.binary(), st.booleans())
            def post(body: bytes, sign: bool) -> None:
                headers = signed(body) if sign else {}
                answered = runner.run(host.post(SOURCE, body, headers))
                assert answered.status in ({200, 400} if sign else {401})
                assert "unparsed" not in answered.body

            post()
        finally:
            runner.run(opened.__aexit__(None, None, None))
