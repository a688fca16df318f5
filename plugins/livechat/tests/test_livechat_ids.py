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
        ("events_marked_as_seen", ("payload", "user_id"), "smith@example.com"),
        ("chat_access_updated", ("payload", "access", "group_ids"), [1]),
        ("event_deleted", ("payload", "event_id"), "K600PKZON8_4"),
        ("event_updated", ("payload", "event", "text"), "Where is my parcel?"),
        ("incoming_rich_message_postback", ("payload", "postback", "toggled"), False),
        ("incoming_rich_message_postback", ("payload", "postback", "id"), "action_no"),
        ("chat_properties_updated", ("payload", "properties", "ns"), {"a": 1}),
        ("thread_properties_deleted", ("payload", "thread_id"), "K600PKZON9"),
        ("event_properties_updated", ("payload", "event_id"), "K600PKZON8_4"),
        ("routing_status_set", ("payload", "status"), "not accepting chats"),
        ("routing_status_set", ("payload", "agent_id"), "agent2@example.com"),
        (
            "incoming_customer",
            ("payload", "customer", "id"),
            "5280e68c-9692-4212-4ba9-85f7d8af55cd",
        ),
        ("customer_session_fields_updated", ("payload", "session_fields"), [{"key": "other"}]),
        ("agent_suspended", ("payload", "id"), "jones@example.com"),
        ("agent_updated", ("requester", "user_id"), "smith@example.com"),
        ("bot_updated", ("payload", "name"), "Newer Bot Name"),
        ("group_updated", ("payload", "id"), 2),
        ("tag_created", ("payload", "created_at"), "2019-12-10T12:01:18.909000Z"),
        ("tag_deleted", ("payload", "name"), "sales"),
        ("auto_accesses_updated", ("payload", 0, "status"), "deleted"),
        ("thread_summary_set", ("payload", "summary"), "Another summary."),
    ],
)
def test_a_different_delivery_gets_a_different_id(
    name: str, path: tuple[str | int, ...], value: object
) -> None:
    assert event_id(changed(name, *path, value=value)) != event_id(load(name))


def test_presence_changes_do_not_make_a_duplicate_look_new() -> None:
    body = changed("thread_tagged", "additional_data", "chat_presence_user_ids", value=[])
    body["webhook_id"] = "0" * 32  # the same event sent by a second registered webhook
    assert event_id(body) == event_id(load("thread_tagged"))


#: Actions whose id holds something used once (a LiveChat event id, a thread that starts
#: or closes once, a time, a fresh random id): their retries are duplicates forever.
ONCE = {
    "incoming_chat",
    "incoming_event",
    "incoming_event_file",
    "incoming_event_rating",
    "chat_deactivated",
    "event_deleted",
    "events_marked_as_seen",
    "incoming_customer",
    "bot_created",
    "bot_deleted",
    "tag_created",
}


@pytest.mark.parametrize("name", fixture_names())
def test_repeatable_actions_are_duplicates_only_within_the_retry_window(name: str) -> None:
    """A tag added, removed and added again sends the same body twice: only the window
    (LiveChat retries within about a minute) tells the retry from the repeat."""
    (event,) = parse(CONFIG, request_for(load(name)))
    expected = None if name in ONCE else timedelta(seconds=90)
    assert event.dedup_window == expected


def test_an_unknown_action_is_repeatable_too() -> None:
    body = changed("thread_tagged", "action", value="chat_unfollowed")
    (event,) = parse(CONFIG, request_for(body))
    assert event.dedup_window == timedelta(seconds=90)


def test_tag_untag_tag_gives_the_second_tag_the_first_tags_id() -> None:
    """So the host keeps it only once the window has passed (see the README)."""
    tagged, untagged = event_id(load("thread_tagged")), event_id(load("thread_untagged"))
    assert tagged != untagged
    assert event_id(load("thread_tagged"), later=95) == tagged
