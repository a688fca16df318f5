"""For any JSON value and any bytes, the parser returns events or raises PayloadRejected."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from helpcrunch_support import SOURCE, load
from hypothesis import given, settings
from hypothesis import strategies as st

from hookyard import PayloadRejected, WebhookRequest
from hookyard_helpcrunch import EVENTS, HelpCrunchConfig, parse

CONFIG = HelpCrunchConfig(secret="x")
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=25,
)
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


def _outcome(body: bytes) -> None:
    request = WebhookRequest(source=SOURCE, body=body, headers={}, received_at=datetime.now(UTC))
    try:
        events = parse(CONFIG, request)
    except PayloadRejected:
        return
    assert len(events) == 1


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_any_json_value(value: object) -> None:
    _outcome(json.dumps(value).encode())


@settings(max_examples=300, deadline=None)
@given(ENVELOPES)
def test_any_envelope(value: object) -> None:
    _outcome(json.dumps(value).encode())


@settings(max_examples=300, deadline=None)
@given(st.binary())
def test_any_bytes(body: bytes) -> None:
    _outcome(body)
