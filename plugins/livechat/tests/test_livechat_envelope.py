"""Bodies LiveChat never sends are refused (400), naming the place of what is wrong."""

from __future__ import annotations

import json

import pytest
from livechat_support import SECRET, Body, changed, fixture_names, load, request_for

from hookyard import PayloadRejected
from hookyard_livechat import LiveChatConfig, parse

CONFIG = LiveChatConfig(secret=SECRET)


@pytest.mark.parametrize(
    "body",
    [
        b"action=incoming_chat",
        b"",
        b'{"action": "incoming_chat", }',
        json.dumps([1, 2]).encode(),
        json.dumps({"payload": {}}).encode(),
        json.dumps({"action": 7, "payload": {}}).encode(),
        json.dumps({"action": "", "payload": {}}).encode(),
        json.dumps({"action": "incoming_chat"}).encode(),
        json.dumps({"action": "incoming_chat", "payload": "chat"}).encode(),
    ],
)
def test_wrong_envelope_is_rejected(body: bytes) -> None:
    with pytest.raises(PayloadRejected):
        parse(CONFIG, request_for(body))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            changed("incoming_chat", "payload", "chat", value="PJ0MRSHTDG"),
            "payload.chat: expected an object, got a string",
        ),
        (
            changed("incoming_chat", "payload", "chat", "users", value={}),
            "payload.chat.users: expected an array, got an object",
        ),
        (
            changed("incoming_chat", "payload", "chat", "users", 1, "email", value=3),
            "payload.chat.users[1].email: expected a string, got 3",
        ),
        (
            changed("incoming_chat", "payload", "chat", "thread", "events", 0, value=7),
            "payload.chat.thread.events[0]: expected an object, got 7",
        ),
        (
            changed("incoming_chat", "payload", "chat", "thread", "tags", 0, value=None),
            "payload.chat.thread.tags[0]: expected a string, got null",
        ),
        (
            changed("incoming_event", "payload", "event", value=None),
            "payload.event: expected an object, got null",
        ),
        (
            changed("incoming_event", "payload", "event", "created_at", value="yesterday"),
            "payload.event.created_at: expected an RFC 3339 time with a time zone, "
            "got a string that is not a time",
        ),
        (
            changed(
                "incoming_event", "payload", "event", "created_at", value="2017-10-12T15:21:07"
            ),
            "payload.event.created_at: expected an RFC 3339 time with a time zone, "
            "got a time without one",
        ),
        (
            changed(
                "incoming_event",
                "payload",
                "event",
                "created_at",
                value="0001-01-01T00:00:00+01:00",
            ),
            "payload.event.created_at: the time is out of range",
        ),
        (
            changed("incoming_event", "payload", "chat_id", value=42),
            "payload.chat_id: expected a string, got 42",
        ),
        (
            changed("incoming_event_file", "payload", "event", "size", value="big"),
            "payload.event.size: expected an integer, got a string",
        ),
        (
            changed("incoming_event_rating", "payload", "event", "text_vars", "score", value=[]),
            "payload.event.text_vars.score: expected a string or a number, got an array",
        ),
        (
            changed("chat_transferred", "payload", "transferred_to", "group_ids", value=["19"]),
            "payload.transferred_to.group_ids[0]: expected an integer, got a string",
        ),
        (
            changed("thread_tagged", "payload", "tag", value=None),
            "payload.tag: expected a string, got null",
        ),
        (
            changed("user_added_to_chat", "payload", "user", value="jones@example.com"),
            "payload.user: expected an object, got a string",
        ),
        (
            changed("thread_untagged", "payload", value=[]),
            "payload: expected an object, got an array",
        ),
        (
            changed(
                "chat_properties_deleted",
                "payload",
                "properties",
                "0805e283233042b37f460ed8fbf22160",
                value=[1],
            ),
            "payload.properties.0805e283233042b37f460ed8fbf22160[0]: expected a string, got 1",
        ),
        (
            changed("agent_created", "payload", "groups", 1, "id", value=True),
            "payload.groups[1].id: expected an integer, got true",
        ),
        (
            changed("agent_created", "requester", value="jones"),
            "requester: expected an object, got a string",
        ),
        (
            changed("auto_accesses_updated", "payload", 1, "id", value=None),
            "payload[1].id: expected a string, got null",
        ),
        (
            changed("auto_accesses_updated", "payload", value={}),
            "payload: expected an array, got an object",
        ),
        (
            changed("group_deleted", "payload", "id", value=4.5),
            "payload.id: expected an integer, got 4.5",
        ),
        (
            changed("routing_status_set", "payload", "status", value=False),
            "payload.status: expected a string, got false",
        ),
    ],
)
def test_malformed_inside_is_rejected_naming_the_place(body: Body, message: str) -> None:
    with pytest.raises(PayloadRejected) as info:
        parse(CONFIG, request_for(body))
    assert str(info.value) == message


def test_a_missing_identifying_field_is_named() -> None:
    body = load("event_deleted")
    del body["payload"]["event_id"]
    with pytest.raises(PayloadRejected, match=r"^payload.event_id: missing \(expected a string\)$"):
        parse(CONFIG, request_for(body))


def test_strings_the_sender_wrote_are_never_quoted() -> None:
    body = changed("incoming_event_file", "payload", "event", "size", value=SECRET)
    with pytest.raises(PayloadRejected) as info:
        parse(CONFIG, request_for(body))
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("name", fixture_names())
def test_raw_keeps_the_body_without_the_secret(name: str) -> None:
    body = load(name)
    (event,) = parse(CONFIG, request_for(body))
    assert "secret_key" not in event.raw
    assert SECRET not in json.dumps(event.raw)
    assert event.raw == {key: value for key, value in body.items() if key != "secret_key"}
    assert event.raw["webhook_id"] == body["webhook_id"]
