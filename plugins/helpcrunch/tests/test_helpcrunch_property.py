"""For any JSON value and any bytes, the parser returns events or raises PayloadRejected."""

from __future__ import annotations

from helpcrunch_support import SOURCE, load
from hypothesis import given, settings
from hypothesis import strategies as st

from hookyard.testing.strategies import assert_parses_or_rejects, json_values
from hookyard_helpcrunch import EVENTS, HelpCrunchConfig, parse

CONFIG = HelpCrunchConfig(secret="x")
JSON = json_values()
#: Keys HelpCrunch uses, so that generated objects reach deep into the parser.
KEYS = st.sampled_from(
    sorted(
        {
            *load("chat_snoozed")["eventData"],
            *load("customer_new")["eventData"],
            "message",
            "agent",
            "chat_id",
            "id",
            "text",
            "createdAt",
            "name",
        }
    )
)
FIELDS = st.dictionaries(KEYS, JSON | st.dictionaries(KEYS, JSON, max_size=6), max_size=10)
ENVELOPES = st.fixed_dictionaries(
    {"event": st.sampled_from(EVENTS) | st.text(max_size=8), "eventData": FIELDS | JSON},
    optional={"id": JSON, "createdAt": JSON, "attempts": JSON, "lastAttemptAt": JSON},
)


def _outcome(body: object) -> None:
    assert_parses_or_rejects(parse, CONFIG, body, source=SOURCE, count=1)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_any_json_value(value: object) -> None:
    _outcome(value)


@settings(max_examples=300, deadline=None)
@given(ENVELOPES)
def test_any_envelope(value: object) -> None:
    _outcome(value)


@settings(max_examples=300, deadline=None)
@given(st.binary())
def test_any_bytes(body: bytes) -> None:
    _outcome(body)
