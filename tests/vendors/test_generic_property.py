"""For any JSON value and any bytes, the ``generic`` parser returns events or raises
PayloadRejected, in both modes; and intake answers 200 or 400, never 500, and never keeps a
delivery as unparsed (a parser crash)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from generic_support import (
    ACME_MAPPING,
    ACME_SIGNATURE,
    HMAC_SECRET,
    INSTALLED_PLUGINS,
    SW_SECRET,
    acme_headers,
    standard_headers,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hookyard import EVENT_TYPES
from hookyard.builtin.generic import GenericConfig, GenericVendor
from hookyard.config.converter import make_converter
from hookyard.testing.strategies import assert_parses_or_rejects, json_scalars, json_values

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard.testing import HostFactory, TestHost

SCALARS = json_scalars(max_text=20)
JSON = json_values(SCALARS)
#: Timestamps as platforms write them, and near misses.
TIMES = (
    st.datetimes(timezones=st.none() | st.just(UTC) | st.just(timezone(timedelta(hours=-5)))).map(
        datetime.isoformat
    )
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.from_regex(r"-?\d{1,20}(\.\d{1,6})?", fullmatch=True)
    | JSON
)
#: The keys the Acme mapping and the JSON form read, so generated objects reach the parser.
KEYS = st.sampled_from(
    [
        "event_name",
        "delivery_id",
        "created_at",
        "conversation",
        "id",
        "state",
        "labels",
        "contact",
        "email",
        "assignee",
        "message",
        "body",
        "sender",
        "sent_at_ms",
        "account",
        "plan",
        "items",
        "sku",
        "0",
    ]
)
NESTED = st.recursive(
    SCALARS | TIMES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=30,
)
ACME_BODIES = st.fixed_dictionaries(
    {
        "event_name": st.sampled_from(["message.new", "conversation.created", "ping"]) | NESTED,
    },
    optional={
        "delivery_id": NESTED,
        "created_at": TIMES,
        "conversation": st.fixed_dictionaries(
            {},
            optional={
                "id": NESTED,
                "state": NESTED,
                "labels": st.lists(NESTED, max_size=3) | NESTED,
                "contact": st.dictionaries(st.sampled_from(["email", "name"]), NESTED) | NESTED,
                "assignee": NESTED,
            },
        )
        | NESTED,
        "message": st.fixed_dictionaries(
            {},
            optional={
                "id": NESTED,
                "body": NESTED,
                "sender": st.sampled_from(["visitor", "operator", "robot"]) | NESTED,
                "sent_at_ms": TIMES,
            },
        )
        | NESTED,
        "account": NESTED,
        "items": st.lists(st.dictionaries(st.just("sku"), NESTED), max_size=3) | NESTED,
    },
)
PARTS = st.dictionaries(
    st.sampled_from(
        ["id", "text", "name", "email", "status", "tags", "rating", "value", "author_role"]
        + ["created_at", "attachments", "size", "url"]
    ),
    NESTED,
    max_size=6,
)
JSON_FORMS = st.fixed_dictionaries(
    {"type": st.sampled_from(sorted(EVENT_TYPES)) | JSON},
    optional={
        "id": JSON,
        "vendor_type": JSON,
        "occurred_at": TIMES,
        "chat": PARTS | JSON,
        "customer": PARTS | JSON,
        "agent": PARTS | JSON,
        "message": PARTS | JSON,
        "changes": JSON,
        "data": JSON,
    },
)
BODIES = (
    st.binary(max_size=200)
    | JSON.map(lambda value: json.dumps(value).encode())
    | ACME_BODIES.map(lambda value: json.dumps(value).encode())
    | JSON_FORMS.map(lambda value: json.dumps(value).encode())
)


def _parser(options: dict[str, Any]) -> Callable[[object], None]:
    """The parser of a source with ``options``, structured by hookyard's converter."""
    vendor = GenericVendor()
    converter = make_converter()
    vendor.hookyard_configure_converter(converter)
    config = converter.structure(options, GenericConfig)

    def outcome(body: object) -> None:
        for event in assert_parses_or_rejects(vendor.parse, config, body, source="p", count=1):
            assert event.source == "p" and event.vendor == "generic"

    return outcome


json_form = _parser({})
mapped = _parser({"mapping": ACME_MAPPING})


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_any_json_value(value: object) -> None:
    json_form(value)
    mapped(value)


@settings(max_examples=300, deadline=None)
@given(ACME_BODIES)
def test_any_delivery_shaped_like_the_platforms(value: object) -> None:
    mapped(value)


@settings(max_examples=300, deadline=None)
@given(JSON_FORMS)
def test_any_event_shaped_like_the_json_form(value: object) -> None:
    json_form(value)


@settings(max_examples=300, deadline=None)
@given(st.binary())
def test_any_bytes(body: bytes) -> None:
    json_form(body)
    mapped(body)


INTAKE = {
    "sources": {
        "form": {"vendor": "generic", "auth": "none"},
        "mapped": {"vendor": "generic", "auth": "none", "mapping": ACME_MAPPING},
        "signed-form": {"vendor": "generic", "secret": SW_SECRET},
        "signed-mapped": {
            "vendor": "generic",
            "secret": HMAC_SECRET,
            "signature": ACME_SIGNATURE,
            "mapping": ACME_MAPPING,
        },
    }
}


def _headers(source: str, body: bytes) -> dict[str, str]:
    if source == "signed-form":
        return _standard_headers(body)
    return acme_headers(body) if source == "signed-mapped" else {}


def _standard_headers(body: bytes) -> dict[str, str]:
    """Standard Webhooks headers for any bytes (the reference library signs text only)."""
    try:
        body.decode()
        return standard_headers(SW_SECRET, body)
    except UnicodeDecodeError:
        stamp = str(int(datetime.now(UTC).timestamp()))
        key = base64.b64decode(SW_SECRET.removeprefix("whsec_"))
        digest = hmac.new(key, f"msg_1.{stamp}.".encode() + body, hashlib.sha256).digest()
        signature = "v1," + base64.b64encode(digest).decode()
        return {"webhook-id": "msg_1", "webhook-timestamp": stamp, "webhook-signature": signature}


def test_intake_answers_200_or_400_and_never_keeps_a_crash(hookyard_host: HostFactory) -> None:
    with asyncio.Runner() as runner:
        opened = hookyard_host(INTAKE, disabled=INSTALLED_PLUGINS)
        host: TestHost = runner.run(opened.__aenter__())
        try:

            @settings(
                max_examples=150,
                deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture],
            )
            @given(BODIES)
            def post_everywhere(body: bytes) -> None:
                for source in INTAKE["sources"]:
                    answered = runner.run(host.post(source, body, _headers(source, body)))
                    assert answered.status in (200, 400), (source, body, answered)
                    assert "unparsed" not in answered.body, (source, body, answered)

            post_everywhere()
        finally:
            runner.run(opened.__aexit__(None, None, None))
