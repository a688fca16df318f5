"""Dedup ids: a retried delivery gets the same id, any other delivery a different one."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from livechat_support import RECEIVED_AT, SECRET, Body, changed, fixture_names, load, request_for

from hookyard_livechat import LiveChatConfig, parse

CONFIG = LiveChatConfig(secret=SECRET)


def event_id(body: Body | bytes, later: int = 0) -> str:
    received_at = RECEIVED_AT + timedelta(seconds=later)
    (event,) = parse(CONFIG, request_for(body, received_at))
    return event.id


@pytest.mark.parametrize("name", fixture_names())
def test_a_retry_gets_the_same_id(name: str) -> None:
    assert event_id(load(name)) == event_id(load(name), later=20)


@pytest.mark.parametrize("name", fixture_names())
def test_a_reserialized_retry_gets_the_same_id(name: str) -> None:
    pretty = json.dumps(load(name), indent=4, sort_keys=True).encode()
    assert event_id(pretty) == event_id(load(name))


def test_every_fixture_has_its_own_id() -> None:
    ids = [event_id(load(name)) for name in fixture_names()]
    assert len(set(ids)) == len(ids)


def test_incoming_event_uses_the_livechat_event_id() -> None:
    assert event_id(load("incoming_event")) == "event:K600PKZON8_3"
    body = load("incoming_event")
    body["payload"]["event"]["id"] = "K600PKZON8_4"
    assert event_id(body) == "event:K600PKZON8_4"


@pytest.mark.parametrize(
    ("name", "path", "value"),
    [
        ("incoming_chat", ("payload", "chat", "id"), "PJ0MRSHTDH"),
        ("incoming_chat", ("payload", "chat", "thread", "id"), "K600PKZON9"),
        ("incoming_chat", ("organization_id",), "another-organization"),
        ("chat_deactivated", ("payload", "thread_id"), "K600PKZON9"),
        ("chat_deactivated", ("payload", "user_id"), "smith@example.com"),
        ("chat_transferred", ("payload", "transferred_to", "agent_ids"), ["jones@example.com"]),
        ("chat_transferred", ("payload", "transferred_to", "group_ids"), [20]),
        ("chat_transferred", ("payload", "reason"), "inactive"),
        ("chat_transferred", ("payload", "requester_id"), "smith@example.com"),
        ("user_added_to_chat", ("payload", "user", "id"), "smith@example.com"),
        ("user_added_to_chat", ("payload", "reason"), "other"),
        ("user_removed_from_chat", ("payload", "user_id"), "jones@example.com"),
        ("user_removed_from_chat", ("payload", "requester_id"), "jones@example.com"),
        ("thread_tagged", ("payload", "tag"), "sales"),
        ("thread_tagged", ("payload", "chat_id"), "PJ0MRSHTDH"),
        ("thread_untagged", ("payload", "thread_id"), "K600PKZON9"),
        ("events_marked_as_seen", ("payload", "seen_up_to"), "2017-10-12T15:29:21.010200Z"),
    ],
)
def test_a_different_delivery_gets_a_different_id(
    name: str, path: tuple[str, ...], value: object
) -> None:
    assert event_id(changed(name, *path, value=value)) != event_id(load(name))


def test_presence_changes_do_not_make_a_duplicate_look_new() -> None:
    body = changed("thread_tagged", "additional_data", "chat_presence_user_ids", value=[])
    body["webhook_id"] = "0" * 32  # the same event sent by a second registered webhook
    assert event_id(body) == event_id(load("thread_tagged"))
