"""Dedup ids: a retried delivery gets the same id, any other delivery a different one; and
dedup groups: the events that change one state share one, so that a repeat is told from a
retry."""

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


ORG = "390e44e6-f1e6-0368c-z6ddb-74g14508c2ex"
CHAT = f"{ORG}:PJ0MRSHTDG"
THREAD = f"{CHAT}:K600PKZON8"
EVENT = f"{THREAD}:0affb00a-82d6-4e07-ae61-56ba5c36f743"

#: Each fixture's ``dedup_group``: what its event reports the state of, shared by the
#: actions that change it. None where the id holds something used once (a LiveChat event
#: id, a thread, which starts and closes once, a time, a bot's fresh random id): those
#: events' retries are duplicates forever.
GROUPS: dict[str, str | None] = {
    "agent_approved": f"livechat:agent:{ORG}:smith@example.com",
    "agent_created": f"livechat:agent:{ORG}:smith@example.com",
    "agent_deleted": f"livechat:agent:{ORG}:smith@example.com",
    "agent_suspended": f"livechat:agent:{ORG}:smith@example.com",
    "agent_unsuspended": f"livechat:agent:{ORG}:smith@example.com",
    "agent_updated": f"livechat:agent:{ORG}:smith@example.com",
    "auto_accesses_updated": f"livechat:auto_access:{ORG}",
    "bot_created": None,
    "bot_deleted": None,
    "bot_updated": f"livechat:bot:{ORG}:5c9871d5372c824cbf22d860a707a578",
    "chat_access_updated": f"livechat:access:{CHAT}",
    "chat_deactivated": None,
    "chat_properties_deleted": f"livechat:chat_properties:{CHAT}",
    "chat_properties_updated": f"livechat:chat_properties:{CHAT}",
    "chat_transferred": f"livechat:transfer:{THREAD}",
    "customer_session_fields_updated": (
        f"livechat:session_fields:{ORG}:5280e68c-9692-4212-4ba9-85f7d8af55cd:PJ0MRSHTDG"
    ),
    "event_deleted": None,
    "event_properties_deleted": f"livechat:event_properties:{EVENT}",
    "event_properties_updated": f"livechat:event_properties:{EVENT}",
    "event_updated": f"livechat:event:{THREAD}:K600PKZON8_3",
    "events_marked_as_seen": None,
    "group_created": f"livechat:config_group:{ORG}:42",
    "group_deleted": f"livechat:config_group:{ORG}:42",
    "group_updated": f"livechat:config_group:{ORG}:1",
    "incoming_chat": None,
    "incoming_customer": None,
    "incoming_event": None,
    "incoming_event_file": None,
    "incoming_event_rating": None,
    "incoming_rich_message_postback": (
        f"livechat:postback:{EVENT}:b7eff798-f8df-4364-8059-649c35c9ed0c"
    ),
    "routing_status_set": f"livechat:routing_status:{ORG}:agent1@example.com",
    "tag_created": f"livechat:config_tag:{ORG}:docs_feedback",
    "tag_deleted": f"livechat:config_tag:{ORG}:docs_feedback",
    "tag_updated": f"livechat:config_tag:{ORG}:docs_feedback",
    "thread_properties_deleted": f"livechat:thread_properties:{THREAD}",
    "thread_properties_updated": f"livechat:thread_properties:{THREAD}",
    "thread_summary_set": f"livechat:summary:{THREAD}",
    "thread_tagged": f"livechat:tag:{THREAD}:bug_report",
    "thread_untagged": f"livechat:tag:{THREAD}:bug_report",
    "user_added_to_chat": f"livechat:participant:{THREAD}:jones@example.com",
    "user_removed_from_chat": f"livechat:participant:{THREAD}:agent@example.com",
}


def dedup_group(body: Body) -> str | None:
    (event,) = parse(CONFIG, request_for(body))
    return event.dedup_group


def test_every_fixture_has_a_documented_group() -> None:
    assert sorted(GROUPS) == fixture_names()


@pytest.mark.parametrize("name", fixture_names())
def test_the_group_names_what_the_event_reports_the_state_of(name: str) -> None:
    assert dedup_group(load(name)) == GROUPS[name]


def test_an_unknown_actions_group_is_its_chats_or_else_the_organizations() -> None:
    body = changed("thread_tagged", "action", value="chat_unfollowed")
    assert dedup_group(body) == f"livechat:unknown:{CHAT}"
    del body["payload"]["chat_id"]
    assert dedup_group(body) == f"livechat:unknown:{ORG}"


def test_a_removal_shares_the_group_of_adding_the_same_user() -> None:
    body = changed("user_removed_from_chat", "payload", "user_id", value="jones@example.com")
    assert dedup_group(body) == GROUPS["user_added_to_chat"]


@pytest.mark.parametrize(
    ("name", "path", "value"),
    [
        ("thread_tagged", ("payload", "tag"), "sales"),
        ("thread_tagged", ("payload", "thread_id"), "K600PKZON9"),
        ("thread_tagged", ("payload", "chat_id"), "PJ0MRSHTDH"),
        ("thread_tagged", ("organization_id",), "another-organization"),
        ("user_added_to_chat", ("payload", "user", "id"), "smith@example.com"),
        ("routing_status_set", ("payload", "agent_id"), "agent2@example.com"),
        ("agent_suspended", ("payload", "id"), "jones@example.com"),
        ("thread_properties_updated", ("payload", "thread_id"), "K600PKZON9"),
        ("event_properties_updated", ("payload", "event_id"), "K600PKZON8_4"),
        ("incoming_rich_message_postback", ("payload", "user_id"), "smith@example.com"),
        ("customer_session_fields_updated", ("payload", "active_chat", "chat_id"), "OTHER"),
        ("tag_deleted", ("payload", "name"), "sales"),
    ],
)
def test_another_thing_has_another_group(
    name: str, path: tuple[str | int, ...], value: object
) -> None:
    assert dedup_group(changed(name, *path, value=value)) != GROUPS[name]


def test_the_groups_of_an_agent_and_a_bot_never_meet() -> None:
    body = changed("bot_updated", "payload", "id", value="smith@example.com")
    assert dedup_group(body) != GROUPS["agent_updated"]


def test_a_thread_tag_and_a_license_tag_never_share_a_group() -> None:
    """A license tag's name is free text: a kind of its own keeps it apart from thread tags."""
    body = changed("tag_deleted", "payload", "name", value="PJ0MRSHTDG:K600PKZON8:bug_report")
    assert dedup_group(body) != GROUPS["thread_tagged"]


def test_without_an_organization_the_group_leaves_it_empty() -> None:
    body = load("thread_tagged")
    del body["organization_id"]
    assert dedup_group(body) == "livechat:tag::PJ0MRSHTDG:K600PKZON8:bug_report"


def test_tag_untag_tag_gives_the_second_tag_the_first_tags_id_and_group() -> None:
    """The store keeps it as a repeat because the untag came between (see the README)."""
    tagged, untagged = event_id(load("thread_tagged")), event_id(load("thread_untagged"))
    assert tagged != untagged
    assert event_id(load("thread_tagged"), later=95) == tagged
    assert dedup_group(load("thread_tagged")) == dedup_group(load("thread_untagged"))
