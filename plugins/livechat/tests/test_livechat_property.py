"""For any JSON value and any bytes, the parser returns one event or raises PayloadRejected."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from livechat_support import SECRET, changed, fixture_names, load

from hookyard.testing.strategies import assert_parses_or_rejects, json_scalars, json_values
from hookyard_livechat import LiveChatConfig, parse
from hookyard_livechat._parse import HANDLERS

CONFIG = LiveChatConfig(secret=SECRET)
SCALARS = json_scalars(
    st.sampled_from(["2017-10-12T15:19:21.010200Z", "0001-01-01T00:00:00+01:00", "message"]),
    max_text=12,
)
JSON = json_values(SCALARS, max_leaves=10)


def _paths(value: Any, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """The path of every value inside ``value`` (keys and indexes from the top)."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    found: list[tuple[str | int, ...]] = []
    for key, item in items:
        found.append((*path, key))
        if isinstance(item, dict | list):
            found.extend(_paths(item, (*path, key)))
    return found


#: (fixture, path) for every value of every fixture: replacing one with arbitrary JSON
#: reaches each field a handler reads, however deep.
PLACES = [(name, path) for name in fixture_names() for path in _paths(load(name))]
KEYS = st.sampled_from(sorted({str(path[-1]) for _name, path in PLACES}))
ENVELOPES = st.fixed_dictionaries(
    {
        "action": st.sampled_from(sorted(HANDLERS)) | st.text(max_size=8),
        "payload": st.dictionaries(KEYS, JSON, max_size=8) | JSON,
    },
    optional={"organization_id": JSON, "requester": JSON},
)


#: One value of every JSON kind, and strings that look like LiveChat's.
ODD_VALUES: list[object] = [
    None,
    True,
    3,
    4.5,
    "text",
    "2017-10-12T15:19:21",
    "0001-01-01T00:00:00+01:00",
    [],
    [1],
    {},
    {"id": 1},
]


def _outcome(body: object) -> None:
    assert_parses_or_rejects(parse, CONFIG, body, source="livechat-main", count=1)


@settings(max_examples=150, deadline=None)
@given(JSON)
def test_any_json_value(value: object) -> None:
    _outcome(value)


@settings(max_examples=300, deadline=None)
@given(ENVELOPES)
def test_any_envelope(value: object) -> None:
    _outcome(value)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PLACES), JSON)
def test_any_value_anywhere_in_a_real_delivery(
    place: tuple[str, tuple[str | int, ...]], value: object
) -> None:
    name, path = place
    _outcome(changed(name, *path, value=value))


def test_every_odd_value_in_every_place_of_every_fixture() -> None:
    """Exhaustive where hypothesis samples: each of the fixtures' values, replaced."""
    for name, path in PLACES:
        for value in ODD_VALUES:
            _outcome(changed(name, *path, value=value))


@settings(max_examples=300, deadline=None)
@given(st.binary())
def test_any_bytes(body: bytes) -> None:
    _outcome(body)
