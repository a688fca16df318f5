"""The generic vendor, fed by the http sink as one hookyard feeds another."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from standardwebhooks.webhooks import Webhook

from hookyard import signing
from hookyard.builtin import generic as generic_plugin
from hookyard.builtin.generic import GenericConfig, GenericVendor, simulate, verify
from hookyard.builtin.http import HttpSink, HttpSinkConfig
from hookyard.config.converter import make_converter
from hookyard.events import Attachment, Chat, Event, Message, Person, Rating, stable_event_id
from hookyard.plugins import collect_registry, get_plugin_manager
from hookyard.vendors import AuthenticationFailed, PayloadRejected, WebhookRequest

if TYPE_CHECKING:
    from collections.abc import Mapping

    from conftest import MakeRequest
    from hookyard.testing import RecordingServer

SECRET = "whsec_c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seQ=="
CONFIG = GenericConfig(secret=SECRET)
OTHER_SECRET = "whsec_YW5vdGhlci1rZXktb2YtMjQtYnl0ZXMtb3ItbW9yZQ=="


def _configured_vendor() -> GenericVendor:
    """The plugin object as a plugin manager makes it, handed hookyard's one converter."""
    vendor = GenericVendor()
    vendor.hookyard_configure_converter(make_converter())
    return vendor


parse = _configured_vendor().parse


def _request(
    body: bytes | dict[str, Any], headers: Mapping[str, str] = {}, at: datetime | None = None
) -> WebhookRequest:
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    return WebhookRequest("upstream", data, dict(headers), at or datetime.now(UTC))


def _signed(body: dict[str, Any], *, secret: str = SECRET, age: float = 0) -> WebhookRequest:
    data = json.dumps(body).encode()
    stamp = int(datetime.now(UTC).timestamp() - age)
    return _request(data, signing.signature_headers(secret, "msg-1", data, stamp))


def test_registered_through_the_plugin_manager() -> None:
    pm = get_plugin_manager(disabled=())
    spec = collect_registry(pm).vendors["generic"]
    assert spec.config_type is GenericConfig
    assert spec.auth_fields == ("secret",)
    assert spec.actions == ("chat.started", "chat.message", "chat.closed", "webhook.test")
    assert (spec.verify, spec.simulate) == (verify, simulate)
    assert spec.parse.__self__ is pm.get_plugin("generic")
    assert generic_plugin.__all__


def test_each_plugin_manager_has_its_own_generic_plugin() -> None:
    first, second = get_plugin_manager(disabled=()), get_plugin_manager(disabled=())
    assert isinstance(first.get_plugin("generic"), GenericVendor)
    assert first.get_plugin("generic") is not second.get_plugin("generic")


def test_parsing_needs_the_converter_hookyard_hands_the_plugin() -> None:
    body = {"type": "chat.started", "chat": {"id": "c1"}}
    with pytest.raises(RuntimeError, match="hookyard_configure_converter"):
        GenericVendor().parse(CONFIG, _request(body))


def test_config_defaults_and_structure() -> None:
    assert GenericConfig() == GenericConfig(None, None, None, (), None)
    assert (GenericConfig().max_age, GenericConfig(SECRET, 60.0).max_age) == (300.0, 60.0)
    config = make_converter().structure({"secret": SECRET, "tolerance": 60}, GenericConfig)
    assert config == GenericConfig(SECRET, 60.0)
    assert SECRET not in repr(config)
    with pytest.raises(ValueError, match="tolerance must be more than 0"):
        GenericConfig(SECRET, tolerance=0)


# --- verify -------------------------------------------------------------------------


async def test_http_sink_output_verifies_and_parses(
    recording_server: RecordingServer, make_request: MakeRequest
) -> None:
    sink = HttpSink(HttpSinkConfig(recording_server.url, secret=SECRET))
    request = make_request()
    await sink.deliver(request)
    await sink.aclose()
    [got] = recording_server.requests
    webhook = WebhookRequest("upstream", got.body, got.headers, datetime.now(UTC))
    verify(CONFIG, webhook)
    [event] = parse(CONFIG, webhook)
    sent = request.event
    assert (event.id, event.type, event.vendor_type) == (sent["id"], sent["type"], "incoming_chat")
    assert (event.source, event.vendor) == ("upstream", "generic")
    assert event.customer == Person(id="cust-1", name="Zoë Ångström", email="zoe@example.com")
    assert event.chat == Chat("chat-42", "thread-7", "open", "sales", ("vip",))
    assert event.occurred_at == datetime(2025, 3, 4, 10, 11, 12, tzinfo=UTC)
    assert event.raw == sent


def test_one_matching_signature_among_several_is_enough() -> None:
    request = _signed({"type": "webhook.test"})
    good = request.headers["webhook-signature"]
    headers = {**request.headers, "webhook-signature": f"v1,bm90LWl0 {good}"}
    verify(CONFIG, _request(request.body, headers))


def test_a_secret_without_the_prefix_is_base64_as_the_reference_reads_it() -> None:
    """The reference library base64-decodes a secret with or without ``whsec_``."""
    bare = SECRET.removeprefix("whsec_")
    request = _signed({"type": "webhook.test"}, secret=SECRET)
    verify(GenericConfig(bare), request)
    reference = Webhook(bare)  # the same key as the prefixed form
    reference.verify(request.body, dict(request.headers), json_parse=False)


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda r: _request(r.body + b" ", r.headers), "no webhook-signature matches"),
        (lambda r: _request(r.body, {**r.headers, "webhook-id": "msg-2"}), "no webhook-sig"),
        (lambda r: _request(r.body, {**r.headers, "webhook-timestamp": "x"}), "not an integer"),
        (lambda r: _request(r.body, {"webhook-id": "msg-1"}), "missing webhook-id"),
    ],
)
def test_tampered_requests_fail(tamper: Any, reason: str) -> None:
    request = _signed({"type": "chat.started"})
    verify(CONFIG, request)
    with pytest.raises(AuthenticationFailed, match=reason):
        verify(CONFIG, tamper(request))


def test_wrong_secret_fails() -> None:
    request = _signed(
        {"type": "chat.started"}, secret="whsec_YW5vdGhlci1rZXktb2YtMjQtYnl0ZXMtb3ItbW9yZQ=="
    )
    with pytest.raises(AuthenticationFailed) as caught:
        verify(CONFIG, request)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(("age", "word"), [(301, "old"), (-301, "in the future")])
def test_timestamps_outside_the_tolerance_fail(age: float, word: str) -> None:
    verify(CONFIG, _signed({"type": "chat.started"}, age=age / 2))
    with pytest.raises(AuthenticationFailed, match=f"more than 300s {word}"):
        verify(CONFIG, _signed({"type": "chat.started"}, age=age))


def test_tolerance_is_configurable() -> None:
    request = _signed({"type": "chat.started"}, age=100)
    verify(CONFIG, request)
    with pytest.raises(AuthenticationFailed, match="more than 60s old"):
        verify(GenericConfig(SECRET, tolerance=60), request)


def test_no_secret_fails() -> None:
    with pytest.raises(AuthenticationFailed, match="no secret"):
        verify(GenericConfig(), _signed({"type": "chat.started"}))


# --- parse --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "body is not JSON"),
        (b"[1, 2]", "body must be a JSON object"),
        (b'{"id": "e1"}', "type must be a normalized event type, got None"),
        (b'{"type": "chat.exploded"}', "got 'chat.exploded'"),
        (b'{"type": ["chat.started"]}', "type must be a normalized event type"),
        (b'{"type": "chat.started", "occurred_at": "yesterday"}', "not an ISO 8601"),
        (b'{"type": "chat.started", "occurred_at": "2025-01-01T10:00:00"}', "no time zone"),
        (b'{"type": "chat.started", "chat": "chat-1"}', "chat"),
        (b'{"type": "chat.started", "data": [1]}', "data must be a JSON object"),
        (b'{"type": "chat.started", "id": {"a": 1}}', "id must be a string"),
        (
            b'{"type": "chat.message", "message": {"author_role": "robot"}}',
            "'robot' is not an author role",
        ),
    ],
)
def test_wrong_shapes_are_rejected(body: bytes, reason: str) -> None:
    with pytest.raises(PayloadRejected, match=reason.replace("[", r"\[")):
        parse(CONFIG, _request(body))


def test_parse_maps_every_field() -> None:
    body = {
        "id": "evt-9",
        "type": "chat.message",
        "vendor_type": "incoming_event",
        "occurred_at": "2025-05-06T07:08:09+02:00",
        "chat": {"id": "c1", "tags": ["a", "b"], "rating": {"value": "good"}, "extra": 1},
        "customer": {"id": "u1", "name": "Ann", "phone": "+1 555"},
        "agent": {"id": "a1", "email": "agent@example.com"},
        "message": {
            "id": "m1",
            "text": "hello",
            "author_id": "u1",
            "author_role": "customer",
            "created_at": "2025-05-06T05:08:09Z",
            "attachments": [{"name": "a.png", "size": 3}],
        },
        "changes": {"status": ["open", "closed"]},
        "data": {"transfer_to": "sales"},
    }
    received = datetime(2025, 5, 6, 6, 0, tzinfo=UTC)
    assert parse(CONFIG, _request(body, at=received)) == [
        Event(
            id="evt-9",
            source="upstream",
            vendor="generic",
            type="chat.message",
            vendor_type="incoming_event",
            occurred_at=datetime(2025, 5, 6, 5, 8, 9, tzinfo=UTC),
            received_at=received,
            chat=Chat(id="c1", tags=("a", "b"), rating=Rating("good")),
            customer=Person(id="u1", name="Ann", phone="+1 555"),
            agent=Person(id="a1", email="agent@example.com"),
            message=Message(
                "m1",
                "hello",
                "u1",
                "customer",
                datetime(2025, 5, 6, 5, 8, 9, tzinfo=UTC),
                (Attachment(name="a.png", size=3),),
            ),
            changes={"status": ["open", "closed"]},
            data={"transfer_to": "sales"},
            raw=body,
        )
    ]


def test_parse_defaults() -> None:
    body = {"type": "chat.closed"}
    received = datetime(2025, 1, 1, tzinfo=UTC)
    [event] = parse(CONFIG, _request(body, at=received))
    assert event.id == stable_event_id(body)
    assert [e.id for e in parse(CONFIG, _request(body))] == [event.id]
    assert (event.vendor_type, event.occurred_at, event.chat) == ("chat.closed", received, None)
    assert (event.changes, event.data) == ({}, {})
    [from_header] = parse(CONFIG, _request(body, {"webhook-id": "msg-77"}))
    assert from_header.id == "msg-77"
    [numeric] = parse(CONFIG, _request({"type": "chat.closed", "id": 12}))
    assert numeric.id == "12"


# --- simulate -----------------------------------------------------------------------


@pytest.mark.parametrize("action", ["chat.started", "chat.message", "chat.closed", "webhook.test"])
def test_simulated_requests_verify_and_parse(action: str) -> None:
    sample = simulate(CONFIG, action)
    request = _request(sample.body, sample.headers)
    verify(CONFIG, request)
    [event] = parse(CONFIG, request)
    assert event.type == action
    assert event.id == json.loads(sample.body)["id"]
    assert sample.headers["content-type"] == "application/json"
    assert (event.message is not None) == (action == "chat.message")


def test_simulate_gives_fresh_ids_and_refuses_unknown_actions() -> None:
    first, second = simulate(CONFIG, "chat.started"), simulate(CONFIG, "chat.started")
    assert json.loads(first.body)["id"] != json.loads(second.body)["id"]
    with pytest.raises(ValueError, match="unknown action 'chat.exploded'"):
        simulate(CONFIG, "chat.exploded")


def test_simulate_without_secret_is_unsigned() -> None:
    sample = simulate(GenericConfig(), "chat.started")
    assert "webhook-signature" not in sample.headers
    assert sample.headers["webhook-id"] == json.loads(sample.body)["id"]


def test_timestamp_check_uses_the_receive_time() -> None:
    request = _signed({"type": "chat.started"})
    late = _request(request.body, request.headers, datetime.now(UTC) + timedelta(seconds=400))
    with pytest.raises(AuthenticationFailed, match="old"):
        verify(CONFIG, late)
