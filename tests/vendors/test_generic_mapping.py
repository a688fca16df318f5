"""``mapping:`` reads another platform's JSON into the event: JSON paths per field, value
maps, timestamps, ids; a value of the wrong kind is a 400 naming its path."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from generic_support import (
    ACME_MAPPING,
    ACME_SIGNATURE,
    HMAC_SECRET,
    INSTALLED_PLUGINS,
    SOURCE,
    acme_delivery,
    acme_headers,
    encoded,
    generic_source,
    stored_events,
    stored_rows,
)

from hookyard import Chat, Event, Message, PayloadRejected, Person, WebhookRequest, stable_event_id
from hookyard.testing import load_config

if TYPE_CHECKING:
    from pathlib import Path

    from hookyard.testing import HostFactory

RECEIVED = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
Parse = Callable[..., list[Event]]


@pytest.fixture
def mapped(tmp_path: Path) -> Callable[[dict[str, Any]], Parse]:
    """``mapped(mapping)(body, headers)``: the source's parser, loaded as ``check`` loads it."""

    def load(mapping: dict[str, Any]) -> Parse:
        config = generic_source(auth="none", mapping=mapping)
        setup = load_config(config, tmp_path, disabled=INSTALLED_PLUGINS)
        spec = setup.registry.vendors["generic"]
        options = setup.config.sources[SOURCE].options

        def parse(body: Any, headers: dict[str, str] | None = None) -> list[Event]:
            request = WebhookRequest(SOURCE, encoded(body), headers or {}, RECEIVED)
            return list(spec.parse(options, request))

        return parse

    return load


def test_every_mapped_field_is_read(mapped: Callable[[dict[str, Any]], Parse]) -> None:
    delivery = acme_delivery()
    assert mapped(ACME_MAPPING)(delivery) == [
        Event(
            id="dlv_1",
            source=SOURCE,
            vendor="generic",
            type="chat.message",
            vendor_type="message.new",
            occurred_at=datetime(2025, 3, 4, 9, 11, 12, tzinfo=UTC),
            received_at=RECEIVED,
            chat=Chat(id="4711", status="open", tags=("vip", "7")),
            customer=Person(name="Zoë", email="zoe@example.com"),
            agent=Person(id="op-3"),
            message=Message(
                id="m-9",
                text="Hi!",
                author_role="customer",
                created_at=datetime(2025, 3, 4, 10, 11, 12, 500000, tzinfo=UTC),
            ),
            data={"plan": "pro", "first_item": "A-1"},
            raw=delivery,
        )
    ]


@pytest.mark.parametrize(
    ("event_name", "event_type", "vendor_type"),
    [
        ("conversation.created", "chat.started", "conversation.created"),
        ("conversation.closed", "chat.closed", "conversation.closed"),
        ("chat.rated", "chat.rated", "chat.rated"),  # not listed, but a normalized type
        ("contact.merged", "unknown", "contact.merged"),
        (17, "unknown", "17"),
        (None, "unknown", ""),
    ],
)
def test_the_type_goes_through_its_value_map(
    mapped: Callable[[dict[str, Any]], Parse],
    event_name: object,
    event_type: str,
    vendor_type: str,
) -> None:
    [event] = mapped(ACME_MAPPING)({**acme_delivery(), "event_name": event_name})
    assert (event.type, event.vendor_type) == (event_type, vendor_type)


def test_a_star_maps_every_value_not_listed(mapped: Callable[[dict[str, Any]], Parse]) -> None:
    parse = mapped({"type": {"path": "kind", "values": {"a": "chat.started", "*": "chat.updated"}}})
    types = [parse({"kind": kind})[0].type for kind in ("a", "b", "chat.closed")]
    assert types == ["chat.started", "chat.updated", "chat.updated"]
    [missing] = parse({})
    assert (missing.type, missing.vendor_type) == ("unknown", "")


def test_missing_paths_leave_fields_null(mapped: Callable[[dict[str, Any]], Parse]) -> None:
    [event] = mapped(ACME_MAPPING)({"event_name": "ping", "conversation": None, "items": []})
    assert event.type == "webhook.test"
    assert (event.chat, event.customer, event.agent, event.message) == (None, None, None, None)
    assert event.data == {"plan": None, "first_item": None}
    assert event.occurred_at == RECEIVED


def test_without_an_id_the_webhook_id_header_or_a_hash_of_the_body_is_used(
    mapped: Callable[[dict[str, Any]], Parse],
) -> None:
    parse = mapped(ACME_MAPPING)
    body = {**acme_delivery(), "delivery_id": None}
    [hashed] = parse(body)
    [again] = parse(json.loads(json.dumps(body)))
    [other] = parse({**body, "event_name": "conversation.created"})
    [from_header] = parse(body, {"webhook-id": "msg_42"})
    assert hashed.id == again.id == stable_event_id(body)
    assert other.id != hashed.id
    assert from_header.id == "msg_42"


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2025-03-04T10:11:12Z", datetime(2025, 3, 4, 10, 11, 12, tzinfo=UTC)),
        ("2025-03-04T10:11:12-05:00", datetime(2025, 3, 4, 15, 11, 12, tzinfo=UTC)),
        ("2025-03-04 10:11:12", datetime(2025, 3, 4, 10, 11, 12, tzinfo=UTC)),  # taken as UTC
        (1741083072, datetime(2025, 3, 4, 10, 11, 12, tzinfo=UTC)),
        (1741083072.25, datetime(2025, 3, 4, 10, 11, 12, 250000, tzinfo=UTC)),
        (1741083072250, datetime(2025, 3, 4, 10, 11, 12, 250000, tzinfo=UTC)),  # milliseconds
        ("1741083072", datetime(2025, 3, 4, 10, 11, 12, tzinfo=UTC)),
        (None, RECEIVED),
    ],
)
def test_timestamps_are_iso_8601_or_unix_seconds_or_milliseconds(
    mapped: Callable[[dict[str, Any]], Parse], written: object, expected: datetime
) -> None:
    [event] = mapped({"type": "t", "occurred_at": "at"})({"at": written})
    assert event.occurred_at == expected


def test_paths_index_lists_escape_dots_and_take_numbers_as_keys_of_objects(
    mapped: Callable[[dict[str, Any]], Parse],
) -> None:
    parse = mapped(
        {
            "type": "events.1.name",
            "chat.id": r"meta.chat\.id",
            "customer.id": "people.0",
            "data": {"back": r"odd\\key"},
        }
    )
    body = {
        "events": [{"name": "x"}, {"name": "chat.closed"}],
        "meta": {"chat.id": "c-7", "chat": {"id": "not this"}},
        "people": {"0": "u-1"},
        "odd\\key": [1, 2],
    }
    [event] = parse(body)
    assert (event.type, event.chat, event.customer) == ("chat.closed", Chat("c-7"), Person("u-1"))
    assert event.data == {"back": [1, 2]}


def test_an_author_role_that_maps_to_no_role_is_left_null(
    mapped: Callable[[dict[str, Any]], Parse],
) -> None:
    parse = mapped(ACME_MAPPING)
    delivery = acme_delivery()
    delivery["message"]["sender"] = "robot"
    [event] = parse(delivery)
    assert event.message is not None and event.message.author_role is None
    assert event.raw["message"]["sender"] == "robot"


def test_a_value_map_on_a_text_field_maps_and_passes_others_through(
    mapped: Callable[[dict[str, Any]], Parse],
) -> None:
    parse = mapped(
        {"type": "t", "chat.status": {"path": "s", "values": {"1": "open", "2": "closed"}}}
    )
    statuses = [parse({"s": s})[0].chat for s in (1, "2", "pending")]
    assert statuses == [Chat(status="open"), Chat(status="closed"), Chat(status="pending")]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"conversation": {"id": {"n": 1}}},
            "conversation.id is an object, but chat.id takes text",
        ),
        ({"event_name": ["message.new"]}, "event_name is an array, but type takes text"),
        ({"delivery_id": True}, "delivery_id is true, but id takes text"),
        ({"conversation": {"labels": "vip"}}, "conversation.labels is 'vip', but chat.tags takes"),
        ({"conversation": {"labels": [{"a": 1}]}}, "conversation.labels.0 is an object"),
        ({"created_at": "yesterday"}, "created_at is 'yesterday', but occurred_at takes an ISO"),
        ({"created_at": False}, "created_at is false, but occurred_at"),
        ({"created_at": 10**30}, "but occurred_at takes an ISO 8601 timestamp"),
        ({"created_at": "0001-01-01T00:00:00+01:00"}, "created_at is '0001-01-01T00:00:00+01:00'"),
        (
            {"message": {"sent_at_ms": {}}},
            "message.sent_at_ms is an object, but message.created_at",
        ),
    ],
)
def test_a_value_of_the_wrong_kind_is_rejected_naming_its_path(
    mapped: Callable[[dict[str, Any]], Parse], change: dict[str, Any], reason: str
) -> None:
    with pytest.raises(PayloadRejected, match=re.escape(reason)):
        mapped(ACME_MAPPING)({**acme_delivery(), **change})


@pytest.mark.parametrize("body", [b"[1, 2]", b'"text"', b"not json"])
def test_a_body_that_is_not_a_json_object_is_rejected(
    mapped: Callable[[dict[str, Any]], Parse], body: bytes
) -> None:
    with pytest.raises(PayloadRejected):
        mapped(ACME_MAPPING)(body)


# --- through the host ---------------------------------------------------------------

ACME = generic_source(secret=HMAC_SECRET, signature=ACME_SIGNATURE, mapping=ACME_MAPPING)


async def test_a_signed_delivery_is_stored_once_as_its_event(hookyard_host: HostFactory) -> None:
    body = encoded(acme_delivery())
    async with hookyard_host(ACME, disabled=INSTALLED_PLUGINS) as host:
        first = await host.post(SOURCE, body, acme_headers(body))
        retry = await host.post(SOURCE, body, acme_headers(body))
        [event] = await stored_events(host)
    assert (first.body, retry.body) == (
        {"stored": 1, "duplicates": 0},
        {"stored": 0, "duplicates": 1},
    )
    assert event["chat"] == {
        "id": "4711",
        "thread_id": None,
        "status": "open",
        "department": None,
        "tags": ["vip", "7"],
        "rating": None,
    }
    assert (event["type"], event["vendor_type"], event["id"]) == (
        "chat.message",
        "message.new",
        "dlv_1",
    )
    assert event["message"]["created_at"] == "2025-03-04T10:11:12.500000Z"
    assert event["data"] == {"plan": "pro", "first_item": "A-1"}
    assert event["raw"] == acme_delivery()


async def test_a_signed_delivery_of_the_wrong_shape_is_400_and_nothing_is_stored(
    hookyard_host: HostFactory,
) -> None:
    body = encoded({**acme_delivery(), "conversation": {"id": [4711]}})
    async with hookyard_host(ACME, disabled=INSTALLED_PLUGINS) as host:
        answered = await host.post(SOURCE, body, acme_headers(body))
        assert await stored_rows(host) == []
    assert answered.status == 400
    assert answered.body == {"error": "conversation.id is an array, but chat.id takes text"}


@pytest.mark.parametrize("action", ["chat.started", "chat.message", "chat.closed", "webhook.test"])
async def test_simulate_writes_the_platforms_json_which_reads_back_as_the_action(
    hookyard_host: HostFactory, action: str
) -> None:
    async with hookyard_host(ACME, disabled=INSTALLED_PLUGINS) as host:
        sample = host.registry.vendors["generic"].simulate(
            host.config.sources[SOURCE].options, action
        )
        answered = await host.simulate(SOURCE, action)
        [event] = await stored_events(host)
    body = json.loads(sample.body)
    assert answered.status == 200
    assert event["type"] == action
    assert event["vendor_type"] == body["event_name"] != action  # the platform's own name
    assert "X-Acme-Signature" in sample.headers and "type" not in body
    if action != "webhook.test":
        assert body["conversation"]["contact"]["email"] == event["customer"]["email"]
        assert event["chat"]["id"] == "chat-1001"
    assert (event["message"] is not None) == (action == "chat.message")
    if action == "chat.message":
        assert (body["message"]["sender"], event["message"]["author_role"]) == (
            "visitor",
            "customer",
        )


async def test_simulate_signs_the_json_form_with_an_hmac_too(hookyard_host: HostFactory) -> None:
    config = generic_source(secret=HMAC_SECRET, signature=ACME_SIGNATURE)
    async with hookyard_host(config, disabled=INSTALLED_PLUGINS) as host:
        answered = await host.simulate(SOURCE, "chat.started")
        [event] = await stored_events(host)
    assert (answered.status, event["type"], event["chat"]["id"]) == (
        200,
        "chat.started",
        "chat-1001",
    )
