"""What each LiveChat action becomes, field by field, from the vendor docs' examples."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from livechat_support import RECEIVED_AT, Body, fixture_names, load

from hookyard import Attachment, Chat, Event, Person, Rating
from hookyard_livechat._parse import HANDLERS

ParseOne = Callable[[Body | bytes], Event]


#: Every fixture -> its normalized type; the chat actions name chat PJ0MRSHTDG.
TYPES = {
    "incoming_chat": "chat.started",
    "chat_deactivated": "chat.closed",
    "chat_access_updated": "chat.updated",
    "chat_transferred": "chat.transferred",
    "user_added_to_chat": "chat.participant_added",
    "user_removed_from_chat": "chat.participant_removed",
    "incoming_event": "chat.message",
    "incoming_event_file": "chat.message",
    "incoming_event_rating": "chat.rated",
    "event_deleted": "chat.message_deleted",
    "event_updated": "chat.message_updated",
    "incoming_rich_message_postback": "chat.message_updated",
    "chat_properties_updated": "chat.updated",
    "chat_properties_deleted": "chat.updated",
    "thread_properties_updated": "chat.updated",
    "thread_properties_deleted": "chat.updated",
    "event_properties_updated": "chat.message_updated",
    "event_properties_deleted": "chat.message_updated",
    "thread_tagged": "chat.tagged",
    "thread_untagged": "chat.untagged",
    "thread_summary_set": "chat.updated",
    "events_marked_as_seen": "chat.seen",
    "customer_session_fields_updated": "customer.updated",
}
NO_CHAT = {
    "routing_status_set": "agent.status_changed",
    "incoming_customer": "customer.created",
    "agent_created": "agent.created",
    "agent_approved": "agent.updated",
    "agent_updated": "agent.updated",
    "agent_suspended": "agent.updated",
    "agent_unsuspended": "agent.updated",
    "agent_deleted": "agent.deleted",
    "bot_created": "agent.created",
    "bot_updated": "agent.updated",
    "bot_deleted": "agent.deleted",
    "auto_accesses_updated": "config.changed",
    "group_created": "config.changed",
    "group_updated": "config.changed",
    "group_deleted": "config.changed",
    "tag_created": "config.changed",
    "tag_updated": "config.changed",
    "tag_deleted": "config.changed",
}


def test_every_fixture_has_an_expected_type() -> None:
    assert sorted({**TYPES, **NO_CHAT}) == fixture_names()


def test_every_documented_action_is_mapped() -> None:
    actions = {load(name)["action"] for name in fixture_names()}
    assert len(actions) == 39  # the 38 actions of v3.6 and v3.5's incoming_customer
    assert set(HANDLERS) - actions == {"auto_access_added"}


@pytest.mark.parametrize(("name", "event_type"), sorted({**TYPES, **NO_CHAT}.items()))
def test_common_fields(parse_one: ParseOne, name: str, event_type: str) -> None:
    body = load(name)
    event = parse_one(body)
    assert event.type == event_type
    assert (event.vendor, event.source, event.vendor_type) == (
        "livechat",
        "livechat-main",
        body["action"],
    )
    assert event.received_at == RECEIVED_AT
    if name in TYPES:
        assert event.chat is not None and event.chat.id == "PJ0MRSHTDG"
    else:
        assert event.chat is None


def test_incoming_chat(parse_one: ParseOne) -> None:
    event = parse_one(load("incoming_chat"))
    assert event.chat is not None
    assert (event.chat.thread_id, event.chat.status) == ("K600PKZON8", "open")
    assert event.chat.tags == ("orders",)
    assert event.chat.department == "0"
    assert event.data["group_ids"] == [0]
    assert event.customer == Person(
        id="b7eff798-f8df-4364-8059-649c35c9ed0c",
        name="Thomas Anderson",
        email="t.anderson@example.com",
    )
    assert event.agent == Person(
        id="smith@example.com", name="Agent Smith", email="smith@example.com"
    )
    assert event.occurred_at == datetime(2017, 10, 12, 15, 19, 21, 10200, tzinfo=UTC)


def test_incoming_chat_first_message_skips_the_prechat_form(parse_one: ParseOne) -> None:
    message = parse_one(load("incoming_chat")).message
    assert message is not None
    assert message.id == "K600PKZON8_2"
    assert message.text == "Hello, my order A-10023 has not arrived yet."
    assert message.author_role == "customer"
    assert message.created_at == datetime(2017, 10, 12, 15, 19, 23, 501300, tzinfo=UTC)


def test_incoming_chat_without_agent_or_message(parse_one: ParseOne) -> None:
    body = load("incoming_chat")
    chat = body["payload"]["chat"]
    chat["users"] = [user for user in chat["users"] if user["type"] == "customer"]
    chat["thread"]["events"] = chat["thread"]["events"][:1]
    event = parse_one(body)
    assert event.agent is None
    assert event.message is None
    assert event.customer is not None and event.customer.name == "Thomas Anderson"


def test_incoming_chat_with_several_groups_has_no_single_department(parse_one: ParseOne) -> None:
    body = load("incoming_chat")
    body["payload"]["chat"]["thread"]["access"]["group_ids"] = [1, 2]
    event = parse_one(body)
    assert event.chat is not None and event.chat.department is None
    assert event.data["group_ids"] == [1, 2]


def test_message(parse_one: ParseOne) -> None:
    event = parse_one(load("incoming_event"))
    assert event.id == "event:K600PKZON8_3"
    assert event.chat is not None and event.chat.thread_id == "K600PKZON8"
    message = event.message
    assert message is not None
    assert message.id == "K600PKZON8_3"
    assert message.text == "Could you check where my parcel is?"
    assert message.author_id == "b7eff798-f8df-4364-8059-649c35c9ed0c"
    assert message.author_role is None  # the webhook does not say who wrote it
    assert message.created_at == datetime(2017, 10, 12, 15, 21, 7, 347100, tzinfo=UTC)
    assert event.occurred_at == message.created_at
    assert event.data["event_type"] == "message"
    assert event.data["visibility"] == "all"


def test_internal_note_is_marked_by_visibility(parse_one: ParseOne) -> None:
    body = load("incoming_event")
    body["payload"]["event"]["visibility"] = "agents"
    assert parse_one(body).data["visibility"] == "agents"


def test_older_recipients_field_is_read_as_visibility(parse_one: ParseOne) -> None:
    body = load("incoming_event")
    del body["payload"]["event"]["visibility"]
    body["payload"]["event"]["recipients"] = "agents"
    assert parse_one(body).data["visibility"] == "agents"


def test_file(parse_one: ParseOne) -> None:
    message = parse_one(load("incoming_event_file")).message
    assert message is not None
    assert message.attachments == (
        Attachment(
            name="image25.png",
            url="https://cdn.livechat-files.com/api/file/lc/att/8948324/"
            "45a3581b59a7295145c3825c86ec7ab3/image25.png",
            content_type="image/png",
            size=123444,
        ),
    )
    assert message.text is None


def test_rating(parse_one: ParseOne) -> None:
    event = parse_one(load("incoming_event_rating"))
    assert event.id == "event:K600PKZON8_9"
    assert event.chat is not None
    assert event.chat.rating == Rating(value="good")
    assert event.customer is not None and event.customer.name == "Thomas Anderson"
    assert event.message is not None and event.message.author_role == "system"
    assert event.data["system_message_type"] == "rating.chat_rated"
    assert "canceled" not in event.data


def _rating_body(system_message_type: str, text_vars: dict[str, object]) -> Body:
    body = load("incoming_event_rating")
    body["payload"]["event"].update(system_message_type=system_message_type, text_vars=text_vars)
    return body


@pytest.mark.parametrize(
    ("text_vars", "value"),
    [({"rate": "bad"}, "bad"), ({"rating": "great"}, "great"), ({"score": 5}, "5")],
)
def test_rating_score_variants(
    parse_one: ParseOne, text_vars: dict[str, object], value: str
) -> None:
    event = parse_one(_rating_body("rating.chat_rated", text_vars))
    assert event.chat is not None and event.chat.rating == Rating(value=value)


def test_rating_comment(parse_one: ParseOne) -> None:
    body = _rating_body("rating.chat_commented", {"customer": "Thomas", "comment": "Very quick!"})
    event = parse_one(body)
    assert event.type == "chat.rated"
    assert event.chat is not None
    assert event.chat.rating == Rating(value=None, comment="Very quick!")


def test_rating_canceled(parse_one: ParseOne) -> None:
    event = parse_one(_rating_body("rating.chat_rating_canceled", {"customer": "Thomas"}))
    assert event.type == "chat.rated"
    assert event.chat is not None and event.chat.rating == Rating(value=None, comment=None)
    assert event.data["canceled"] is True


def test_other_system_message_is_a_system_chat_message(parse_one: ParseOne) -> None:
    body = _rating_body("routing.assigned", {"agent": "Agent Smith"})
    body["payload"]["event"]["text"] = "Chat assigned to Agent Smith"
    event = parse_one(body)
    assert event.type == "chat.message"
    assert event.message is not None
    assert (event.message.text, event.message.author_role) == (
        "Chat assigned to Agent Smith",
        "system",
    )
    assert event.data["system_message_type"] == "routing.assigned"
    assert event.chat is not None and event.chat.rating is None


def test_chat_closed_by_a_user(parse_one: ParseOne) -> None:
    event = parse_one(load("chat_deactivated"))
    assert event.chat is not None
    assert (event.chat.thread_id, event.chat.status) == ("K600PKZON8", "closed")
    assert event.data == {
        "closed_by": "user",
        "user_id": "b7eff798-f8df-4364-8059-649c35c9ed0c",
    }
    assert event.occurred_at == RECEIVED_AT  # the payload has no timestamp


def test_chat_closed_by_the_router(parse_one: ParseOne) -> None:
    body = load("chat_deactivated")
    del body["payload"]["user_id"]
    event = parse_one(body)
    assert event.data == {"closed_by": "router", "user_id": None}


def test_transfer(parse_one: ParseOne) -> None:
    event = parse_one(load("chat_transferred"))
    assert event.data["transferred_to"] == {
        "group_ids": [19],
        "agent_ids": ["smith@example.com"],
    }
    assert event.data["reason"] == "manual"
    assert event.data["requester_id"] == "jones@example.com"
    assert event.data["queue"]["position"] == 42
    assert event.agent == Person(id="smith@example.com")
    assert event.chat is not None and event.chat.department == "19"


def test_transfer_of_an_inactive_chat_without_queue(parse_one: ParseOne) -> None:
    body = load("chat_transferred")
    del body["payload"]["thread_id"], body["payload"]["queue"]
    body["payload"]["transferred_to"] = {"group_ids": [3, 4]}
    event = parse_one(body)
    assert event.chat is not None
    assert (event.chat.thread_id, event.chat.department) == (None, None)
    assert event.agent is None
    assert "queue" not in event.data
    assert event.data["transferred_to"] == {"group_ids": [3, 4], "agent_ids": []}


def test_agent_added(parse_one: ParseOne) -> None:
    event = parse_one(load("user_added_to_chat"))
    assert event.agent == Person(
        id="jones@example.com", name="Agent Jones", email="jones@example.com"
    )
    assert event.customer is None
    assert event.data == {
        "user_id": "jones@example.com",
        "user_type": "agent",
        "reason": "manual",
        "requester_id": "smith@example.com",
    }


def test_customer_added(parse_one: ParseOne) -> None:
    body = load("user_added_to_chat")
    body["payload"]["user"] = load("incoming_chat")["payload"]["chat"]["users"][0]
    body["payload"]["user_type"] = "customer"
    event = parse_one(body)
    assert event.agent is None
    assert event.customer is not None and event.customer.email == "t.anderson@example.com"


def test_user_removed(parse_one: ParseOne) -> None:
    event = parse_one(load("user_removed_from_chat"))
    assert event.data["user_id"] == "agent@example.com"
    assert event.data["reason"] == "manual"
    assert event.data["requester_id"] == "smith@example.com"
    assert (event.agent, event.customer) == (None, None)  # no user_type: unknown


def test_user_removed_with_user_type(parse_one: ParseOne) -> None:
    body = load("user_removed_from_chat")
    body["payload"]["user_type"] = "agent"
    event = parse_one(body)
    assert event.agent == Person(id="agent@example.com")
    assert event.data["user_type"] == "agent"


def test_tagged(parse_one: ParseOne) -> None:
    event = parse_one(load("thread_tagged"))
    assert event.chat is not None and event.chat.tags == ("bug_report",)
    assert event.changes == {"tag_added": "bug_report"}


def test_untagged(parse_one: ParseOne) -> None:
    event = parse_one(load("thread_untagged"))
    assert event.chat is not None and event.chat.tags == ()
    assert event.changes == {"tag_removed": "bug_report"}


def test_unmapped_action_is_kept_as_unknown(parse_one: ParseOne) -> None:
    body = load("thread_tagged")
    body["action"] = "chat_unfollowed"
    event = parse_one(body)
    assert (event.type, event.vendor_type) == ("unknown", "chat_unfollowed")
    assert event.chat == Chat(id="PJ0MRSHTDG", thread_id="K600PKZON8")
    assert event.raw["payload"] == body["payload"]


def test_array_payload_of_an_unmapped_action_is_kept_as_unknown(parse_one: ParseOne) -> None:
    body = load("auto_accesses_updated")
    body["action"] = "auto_accesses_reordered"
    event = parse_one(body)
    assert (event.type, event.chat) == ("unknown", None)
    assert event.raw["payload"] == body["payload"]
