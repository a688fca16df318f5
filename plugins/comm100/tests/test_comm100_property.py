"""For any JSON value and any bytes, the parser returns one event or raises PayloadRejected."""

from __future__ import annotations

from comm100_support import SOURCE, fixture_names, load
from hypothesis import given, settings
from hypothesis import strategies as st

from hookyard.testing.strategies import assert_parses_or_rejects, json_scalars, json_values
from hookyard_comm100 import EVENTS, Comm100Config, parse

CONFIG = Comm100Config()
SCALARS = json_scalars(
    st.text(st.characters(categories=["Cs"]), max_size=2),  # lone surrogates: "\\ud800"
    st.builds(
        "/Date({}{})/".format, st.integers(), st.sampled_from(["", "+0800", "-0530", "+2599"])
    ),
)
JSON = json_values(SCALARS, max_leaves=12)
#: Keys Comm100 uses, so that generated objects reach deep into the parser.
KEYS = st.sampled_from(
    sorted(
        {
            *load("chat_ended")["visitor"],
            *load("chat_ended")["chat"],
            *load("offline_message_submitted")["offline_message"],
            *load("chat_wrapped_up")["wrapup"],
            "agents",
            "custom_variable",
            "url",
            "email",
        }
    )
)
IDS = st.uuids().map(str) | st.integers()
FIELDS = st.fixed_dictionaries({}, optional={"chat_id": IDS, "id": IDS}).flatmap(
    lambda ids: st.dictionaries(KEYS, SCALARS, max_size=8).map(lambda d: {**ids, **d})
)
BODIES = st.fixed_dictionaries(
    {"event": st.sampled_from(EVENTS) | st.text(max_size=8)},
    optional={
        "visitor": FIELDS,
        "chat": FIELDS | SCALARS,
        "offline_message": FIELDS,
        "wrapup": FIELDS,
        "chat_id": IDS | SCALARS,
        "operator_id": IDS | SCALARS,
    },
)
#: A fixture with one value replaced, top level or inside one of its objects.
MUTATIONS = st.tuples(
    st.sampled_from(fixture_names()),
    st.sampled_from(["", "visitor", "chat", "offline_message", "wrapup"]),
    KEYS | st.sampled_from(["event", "chat_id", "operator_id", "visitor", "chat"]),
    SCALARS | JSON,
)


def _outcome(body: object) -> None:
    assert_parses_or_rejects(parse, CONFIG, body, source=SOURCE, count=1)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_any_json_value(value: object) -> None:
    _outcome(value)


@settings(max_examples=300, deadline=None)
@given(BODIES)
def test_any_comm100_shaped_body(value: object) -> None:
    _outcome(value)


@settings(max_examples=300, deadline=None)
@given(MUTATIONS)
def test_any_fixture_with_one_value_changed(mutation: tuple[str, str, str, object]) -> None:
    name, where, key, value = mutation
    body = load(name)
    target = body.get(where) if where else body
    if isinstance(target, dict):
        target[key] = value
    _outcome(body)


@settings(max_examples=300, deadline=None)
@given(st.binary())
def test_any_bytes(body: bytes) -> None:
    _outcome(body)
