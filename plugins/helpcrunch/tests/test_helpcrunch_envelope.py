"""The envelope: what is HelpCrunch's shape (else 400), event ids, string ``eventData``."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from helpcrunch_support import Body, load, request_for

from hookyard import Event, PayloadRejected, stable_event_id
from hookyard_helpcrunch import HelpCrunchConfig, parse

ParseOne = Callable[[Body | bytes], Event]


def rejected(body: Body | bytes, match: str) -> None:
    with pytest.raises(PayloadRejected, match=match):
        parse(HelpCrunchConfig(), request_for(body))


@pytest.mark.parametrize("body", [b"[]", b'"chat.new"', b"42", b"null", b"{", b"\xff"])
def test_not_an_object_is_rejected(body: bytes) -> None:
    with pytest.raises(PayloadRejected):
        parse(HelpCrunchConfig(), request_for(body))


@pytest.mark.parametrize("name", [None, "", 7, ["chat.new"]])
def test_event_name_must_be_a_string(name: object) -> None:
    body = load("chat_new")
    body["event"] = name
    rejected(body, "no event name")


@pytest.mark.parametrize("data", [None, [], 5, "not json", "[1]"])
def test_event_data_must_be_an_object(data: object) -> None:
    body = load("chat_new")
    body["eventData"] = data
    rejected(body, "eventData|not JSON")


@pytest.mark.parametrize(
    ("name", "path", "value", "match"),
    [
        ("chat_new", ("chat_id",), None, "no chat_id"),
        ("chat_new", ("chat_id",), 1.5, "chat_id is not an id"),
        ("chat_new", ("createdAt",), "yesterday", "createdAt is not a Unix timestamp"),
        ("chat_new", ("createdAt",), "nan", "createdAt is not a Unix timestamp"),
        ("chat_new", ("applications",), {"743": 42}, "applications is not a list"),
        ("chat_new", ("customer",), "Paul", "customer is not an object"),
        ("chat_rated", ("rating",), 5, "rating is not a string"),
        ("message_chat_customer", ("message",), None, "message is not an object"),
        ("message_chat_customer", ("message", "read"), "no", "read is not a boolean"),
        ("customer_new", ("id",), None, "no customer id"),
        ("customer_tags_changed", ("tags",), [{"color": "#fff"}], "not a tag"),
    ],
)
def test_wrong_field_types_are_rejected_naming_the_field(
    name: str, path: tuple[str, ...], value: object, match: str
) -> None:
    body = load(name)
    target = body["eventData"]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    rejected(body, match)


@pytest.mark.parametrize("stamp", [-1, 10**15, True, "1e9", " 1607542030"])
def test_envelope_time_out_of_range_or_malformed_is_rejected(stamp: object) -> None:
    body = load("chat_new")
    body["createdAt"] = stamp
    rejected(body, "createdAt")


def test_float_envelope_time_is_read(helpcrunch_parse_one: ParseOne) -> None:
    body = load("chat_new")
    body["createdAt"] = 1607540767.5
    assert helpcrunch_parse_one(body).occurred_at.microsecond == 500000


def test_without_created_at_the_event_occurred_when_received(
    helpcrunch_parse_one: ParseOne,
) -> None:
    body = load("chat_new")
    del body["createdAt"]
    event = helpcrunch_parse_one(body)
    assert event.occurred_at == event.received_at


def test_event_data_as_a_json_string_is_decoded(helpcrunch_parse_one: ParseOne) -> None:
    body = load("message_chat_customer")
    expected = helpcrunch_parse_one(body)
    body["eventData"] = json.dumps(body["eventData"])
    event = helpcrunch_parse_one(body)
    assert (event.message, event.chat, event.customer) == (
        expected.message,
        expected.chat,
        expected.customer,
    )
    assert event.raw == body


@pytest.mark.parametrize(
    ("name", "identity"),
    [
        ("chat_closed", ("5224081",)),
        ("message_email_agent", ("5224081", "9685298")),
        ("customer_deleted", ("8745474",)),
    ],
)
def test_without_vendor_id_the_id_is_stable(
    helpcrunch_parse_one: ParseOne, name: str, identity: tuple[str, ...]
) -> None:
    body = load(name)
    del body["id"]
    first = helpcrunch_parse_one(body)
    body["attempts"], body["lastAttemptAt"] = 3, body["lastAttemptAt"] + 600
    assert helpcrunch_parse_one(body).id == first.id
    assert first.id == stable_event_id(body["event"], body["createdAt"], *identity)


def test_vendor_id_must_be_a_string() -> None:
    body = load("chat_new")
    body["id"] = 252041
    rejected(body, "id is not a string")


def test_unknown_event_names_are_kept(helpcrunch_parse_one: ParseOne) -> None:
    body = load("chat_new")
    body["event"] = "chat.tagged"
    event = helpcrunch_parse_one(body)
    assert (event.type, event.vendor_type, event.id) == ("unknown", "chat.tagged", body["id"])
    assert event.raw == body
