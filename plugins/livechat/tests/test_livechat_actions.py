"""The v3.6 actions beyond chats, messages and tags, field by field, from the vendor docs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from livechat_support import RECEIVED_AT, Body, load

from hookyard import Chat, Event, Message, Person

ParseOne = Callable[[Body | bytes], Event]
REQUESTER = {
    "user_id": "jones@example.com",
    "account_id": "f09ba25b-8be8-4fcd-a2c8-0b1c567aec85",
    "client_id": "1b4237f476826986da63022a76c35bb1",
}


def test_access_update_names_the_chat_and_its_groups(parse_one: ParseOne) -> None:
    event = parse_one(load("chat_access_updated"))
    assert event.chat == Chat(id="PJ0MRSHTDG")  # two groups: no single department
    assert event.changes == {"access": {"group_ids": [0, 1]}}
    assert event.data == {"group_ids": [0, 1]}


def test_message_edit_carries_the_new_text_and_the_time_of_receipt(parse_one: ParseOne) -> None:
    event = parse_one(load("event_updated"))
    assert event.message is not None
    assert (event.message.id, event.message.text) == (
        "K600PKZON8_3",
        "Could you check where my parcel A-10023 is?",
    )
    assert event.message.created_at == datetime(2017, 10, 12, 15, 21, 7, 347100, tzinfo=UTC)
    assert event.occurred_at == RECEIVED_AT  # created_at is the first posting, not the edit
    assert event.data["event_type"] == "message"


def test_message_deletion_names_the_event(parse_one: ParseOne) -> None:
    event = parse_one(load("event_deleted"))
    assert event.message == Message(id="K600PKZON8_3")
    assert event.chat == Chat(id="PJ0MRSHTDG", thread_id="K600PKZON8")


def test_postback_is_a_change_of_the_rich_message(parse_one: ParseOne) -> None:
    event = parse_one(load("incoming_rich_message_postback"))
    assert event.message == Message(id="0affb00a-82d6-4e07-ae61-56ba5c36f743")
    assert event.changes == {"postback": {"id": "action_yes", "toggled": True}}
    assert event.data == {"user_id": "b7eff798-f8df-4364-8059-649c35c9ed0c"}


@pytest.mark.parametrize(
    ("name", "change", "thread_id"),
    [
        ("chat_properties_updated", "properties", None),
        ("chat_properties_deleted", "properties_deleted", None),
        ("thread_properties_updated", "thread_properties", "K600PKZON8"),
        ("thread_properties_deleted", "thread_properties_deleted", "K600PKZON8"),
    ],
)
def test_chat_and_thread_properties(
    parse_one: ParseOne, name: str, change: str, thread_id: str | None
) -> None:
    body = load(name)
    event = parse_one(body)
    assert event.chat == Chat(id="PJ0MRSHTDG", thread_id=thread_id)
    assert event.changes == {change: body["payload"]["properties"]}


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("event_properties_updated", "properties"),
        ("event_properties_deleted", "properties_deleted"),
    ],
)
def test_event_properties(parse_one: ParseOne, name: str, change: str) -> None:
    body = load(name)
    event = parse_one(body)
    assert event.message == Message(id="0affb00a-82d6-4e07-ae61-56ba5c36f743")
    assert event.changes == {change: body["payload"]["properties"]}


def test_thread_summary(parse_one: ParseOne) -> None:
    event = parse_one(load("thread_summary_set"))
    assert event.chat == Chat(id="PJ0MRSHTDG", thread_id="K600PKZON8")
    assert event.changes["summary"].startswith("The customer asked where order A-10023 is")


def test_seen(parse_one: ParseOne) -> None:
    event = parse_one(load("events_marked_as_seen"))
    assert event.data == {
        "user_id": "b7eff798-f8df-4364-8059-649c35c9ed0c",
        "seen_up_to": "2017-10-12T15:19:21.010200Z",
    }
    assert event.occurred_at == RECEIVED_AT


def test_routing_status(parse_one: ParseOne) -> None:
    event = parse_one(load("routing_status_set"))
    assert event.agent == Person(id="agent1@example.com")
    assert event.changes == {"status": "accepting chats"}


def test_new_customer(parse_one: ParseOne) -> None:
    event = parse_one(load("incoming_customer"))
    assert event.customer == Person(
        id="b7eff798-f8df-4364-8059-649c35c9ed0c",
        name="Thomas Anderson",
        email="t.anderson@example.com",
    )
    assert event.occurred_at == datetime(2017, 10, 11, 15, 19, 21, 10200, tzinfo=UTC)


def test_session_fields(parse_one: ParseOne) -> None:
    event = parse_one(load("customer_session_fields_updated"))
    assert event.customer == Person(id="5280e68c-9692-4212-4ba9-85f7d8af55cd")
    assert event.chat == Chat(id="PJ0MRSHTDG", thread_id="K600PKZON8")
    assert event.changes == {"session_fields": [{"key": "value"}]}


def test_agent_created_keeps_its_groups_role_and_requester(parse_one: ParseOne) -> None:
    event = parse_one(load("agent_created"))
    assert event.agent == Person(id="smith@example.com", name="Agent Smith")
    assert event.data == {
        "agent_kind": "agent",
        "group_ids": [5, 2, 1],
        "role": "viceowner",
        "awaiting_approval": False,
        "requester": REQUESTER,
    }
    assert event.changes == {}


def test_bot_created(parse_one: ParseOne) -> None:
    event = parse_one(load("bot_created"))
    assert event.agent == Person(id="5c9871d5372c824cbf22d860a707a578", name="Bot Name")
    assert event.data["agent_kind"] == "bot"
    assert event.data["group_ids"] == [0]
    assert event.data["owner_client_id"] == "asXdesldiAJSq9padj"


@pytest.mark.parametrize(
    ("name", "kind", "changes"),
    [
        ("agent_approved", "agent", {"awaiting_approval": False}),
        ("agent_suspended", "agent", {"suspended": True}),
        ("agent_unsuspended", "agent", {"suspended": False}),
        ("agent_deleted", "agent", {}),
        ("bot_updated", "bot", {"name": "New Bot Name"}),
        ("bot_deleted", "bot", {}),
    ],
)
def test_account_changes(
    parse_one: ParseOne, name: str, kind: str, changes: dict[str, object]
) -> None:
    event = parse_one(load(name))
    assert event.agent is not None and event.agent.id == load(name)["payload"]["id"]
    assert event.changes == changes
    assert event.data == {"agent_kind": kind, "requester": REQUESTER}


def test_agent_update_lists_only_what_changed(parse_one: ParseOne) -> None:
    body = load("agent_updated")
    event = parse_one(body)
    assert event.changes == {"work_scheduler": body["payload"]["work_scheduler"]}


@pytest.mark.parametrize(
    ("name", "data", "changes"),
    [
        (
            "group_created",
            {"object": "group", "operation": "created", "object_id": "42"},
            {
                "name": "sales",
                "language_code": "en",
                "agent_priorities": {
                    "agent@example.com": "normal",
                    "other_agent@example.com": "first",
                },
            },
        ),
        (
            "group_updated",
            {"object": "group", "operation": "updated", "object_id": "1"},
            {"agent_priorities": {"agent@example.com": "normal"}},
        ),
        ("group_deleted", {"object": "group", "operation": "deleted", "object_id": "42"}, {}),
        (
            "tag_updated",
            {"object": "tag", "operation": "updated", "object_id": "docs_feedback"},
            {"group_ids": [0, 42]},
        ),
        (
            "tag_deleted",
            {"object": "tag", "operation": "deleted", "object_id": "docs_feedback"},
            {},
        ),
    ],
)
def test_configuration_changes(
    parse_one: ParseOne, name: str, data: dict[str, object], changes: dict[str, object]
) -> None:
    event = parse_one(load(name))
    assert event.data == {**data, "requester": REQUESTER}
    assert event.changes == changes
    assert event.occurred_at == RECEIVED_AT


def test_tag_created_has_its_time(parse_one: ParseOne) -> None:
    event = parse_one(load("tag_created"))
    assert event.occurred_at == datetime(2019, 12, 9, 12, 1, 18, 909000, tzinfo=UTC)
    assert event.changes["author_id"] == "smith@example.com"


def test_auto_access_rules_are_kept_as_sent(parse_one: ParseOne) -> None:
    body = load("auto_accesses_updated")
    event = parse_one(body)
    assert event.changes == {"auto_accesses": body["payload"]}
    assert event.data["object"] == "auto_access"


def test_the_action_name_of_the_vendor_samples_is_read_too(parse_one: ParseOne) -> None:
    body = load("auto_accesses_updated")
    body["action"] = "auto_access_added"
    event = parse_one(body)
    assert (event.type, event.vendor_type) == ("config.changed", "auto_access_added")


def test_chat_webhooks_carry_no_requester(parse_one: ParseOne) -> None:
    assert "requester" not in parse_one(load("thread_tagged")).data
