"""For any JSON and any bytes, the parser returns events or raises PayloadRejected."""

from __future__ import annotations

from typing import Any

from deskdirector_support import CONFIG, STATUSES, load
from hypothesis import given, settings
from hypothesis import strategies as st

from hookyard.testing.strategies import assert_parses_or_rejects, json_values
from hookyard_deskdirector import parse

JSON = json_values(max_items=None, max_keys=None, keys=st.text())


@given(JSON)
def test_any_json_value(value: Any) -> None:
    assert_parses_or_rejects(parse, CONFIG, value)


@given(st.binary())
def test_any_bytes(body: bytes) -> None:
    assert_parses_or_rejects(parse, CONFIG, body)


@settings(max_examples=300)
@given(st.sampled_from(STATUSES), st.data())
def test_a_fixture_with_any_value_anywhere(status: str, data: st.DataObject) -> None:
    """Real sessions with one value replaced: the paths a shallow fuzzer never reaches."""
    body = load(status)
    target, key = _pick(body[0], data)
    target[key] = data.draw(JSON)
    assert_parses_or_rejects(parse, CONFIG, body, count=1)


def _pick(node: dict[str, Any] | list[Any], data: st.DataObject) -> tuple[Any, Any]:
    """A container inside ``node`` and one of its keys (or indexes), chosen by ``data``."""
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = data.draw(st.sampled_from(keys))
        child = node[key]
        if not isinstance(child, dict | list) or not child or data.draw(st.booleans()):
            return node, key
        node = child
