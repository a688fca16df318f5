"""For any JSON and any bytes, the parser returns events or raises PayloadRejected."""

from __future__ import annotations

import json
from typing import Any

from deskdirector_support import CONFIG, STATUSES, load, request_for
from hypothesis import given, settings
from hypothesis import strategies as st

from hookyard import Event, PayloadRejected
from hookyard_deskdirector import parse

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=25,
)


def _outcome(body: bytes) -> list[Event] | PayloadRejected:
    try:
        return parse(CONFIG, request_for(body))
    except PayloadRejected as rejected:
        return rejected


@given(JSON)
def test_any_json_value(value: Any) -> None:
    outcome = _outcome(json.dumps(value).encode())
    assert isinstance(outcome, PayloadRejected) or all(isinstance(e, Event) for e in outcome)


@given(st.binary())
def test_any_bytes(body: bytes) -> None:
    outcome = _outcome(body)
    assert isinstance(outcome, PayloadRejected | list)


@settings(max_examples=300)
@given(st.sampled_from(STATUSES), st.data())
def test_a_fixture_with_any_value_anywhere(status: str, data: st.DataObject) -> None:
    """Real sessions with one value replaced: the paths a shallow fuzzer never reaches."""
    body = load(status)
    target, key = _pick(body[0], data)
    target[key] = data.draw(JSON)
    outcome = _outcome(json.dumps(body).encode())
    assert isinstance(outcome, PayloadRejected) or len(outcome) == 1


def _pick(node: dict[str, Any] | list[Any], data: st.DataObject) -> tuple[Any, Any]:
    """A container inside ``node`` and one of its keys (or indexes), chosen by ``data``."""
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = data.draw(st.sampled_from(keys))
        child = node[key]
        if not isinstance(child, dict | list) or not child or data.draw(st.booleans()):
            return node, key
        node = child
