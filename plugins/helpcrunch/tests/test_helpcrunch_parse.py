"""What each HelpCrunch event becomes, field by field, from corrected copies of the docs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from helpcrunch_support import RECEIVED_AT, SOURCE, Body, fixture_names, load, raw

from hookyard import Chat, Event, Message, Person, Rating

ParseOne = Callable[[Body | bytes], Event]

CUSTOMER = Person(id="8745474", name="Paul", email="paul@example.com")
ASSIGNEE = Person(id="2924", name="Paul", email="paul.agent@example.com")
TYPES = {
    "chat_new": "chat.started",
    "chat_status_updated": "chat.status_changed",
    "chat_assigned": "chat.assigned",
    "chat_snoozed": "chat.snoozed",
    "chat_unsnoozed": "chat.unsnoozed",
    "chat_closed": "chat.closed",
    "chat_rated": "chat.rated",
    "message_chat_customer": "chat.message",
    "message_email_customer": "chat.message",
    "message_private": "chat.message",
    "message_chat_agent": "chat.message",
    "message_email_agent": "chat.message",
    "customer_new": "customer.created",
    "customer_email_updated": "customer.updated",
    "customer_tags_changed": "customer.updated",
    "customer_unsubscribed": "customer.updated",
    "customer_subscribed": "customer.updated",
    "customer_blocked": "customer.updated",
    "customer_unblocked": "customer.updated",
    "customer_deleted": "customer.deleted",
}


def at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def test_every_documented_event_has_a_fixture() -> None:
    assert sorted(TYPES) == fixture_names()
    assert len(TYPES) == 7 + 5 + 8


@pytest.mark.parametrize(("name", "event_type"), sorted(TYPES.items()))
def test_common_fields(helpcrunch_parse_one: ParseOne, name: str, event_type: str) -> None:
    body = load(name)
    event = helpcrunch_parse_one(raw(name))
    assert (event.type, event.vendor, event.source) == (event_type, "helpcrunch", SOURCE)
    assert event.vendor_type == body["event"]
    assert event.id == body["id"]
    assert event.occurred_at == at(body["createdAt"])
    assert event.received_at == RECEIVED_AT
    assert event.raw == body
    assert event.data["attempts"] == body["attempts"]
    assert event.data["last_attempt_at"] == at(body["lastAttemptAt"]).isoformat()[:19] + "Z"
    assert event.customer is not None and event.customer.id == "8745474"


def test_chat_new(helpcrunch_parse_one: ParseOne) -> None:
    event = helpcrunch_parse_one(raw("chat_new"))
    assert event.chat == Chat(id="5224081", status="new", department="233231")
    assert event.customer == CUSTOMER
    assert event.agent is None
    assert event.message == Message(
        id="9685290",
        text="Hi! Where is my order https://shop.example.com/orders/A-10023 ?",
        created_at=datetime(2020, 12, 9, 19, 6, 7, 166000, tzinfo=UTC),
    )
    assert event.occurred_at == datetime(2020, 12, 9, 19, 6, 7, tzinfo=UTC)
    assert event.data["chat_created_at"] == "2020-12-09T19:06:07.414000Z"
    assert event.data["department_name"] == "Sales"
    assert event.data["applications"] == [743, 42]
    assert event.data["communicated_agents"] == []
    assert event.data["customer_user_id"] == "example_9106"
    assert event.changes == {}


def test_chat_status_updated(helpcrunch_parse_one: ParseOne) -> None:
    event = helpcrunch_parse_one(raw("chat_status_updated"))
    assert event.changes == {"status": "open"}
    assert event.chat is not None and event.chat.status == "open"
    assert event.message is None
    assert event.data["last_message"] == {
        "id": "9685301",
        "text": "set_rating",
        "created_at": "2020-12-09T19:27:10.679000Z",
    }


def test_chat_assigned(helpcrunch_parse_one: ParseOne) -> None:
    event = helpcrunch_parse_one(raw("chat_assigned"))
    assert event.agent == ASSIGNEE
    assert event.changes == {"assignee_id": "2924"}
    assert (event.data["assignee_role"], event.data["communicated_agents"]) == ("admin", [2924])


def test_chat_snoozed_is_the_docs_example(helpcrunch_parse_one: ParseOne) -> None:
    event = helpcrunch_parse_one(raw("chat_snoozed"))
    assert event.id == "252041ed-62a7-4303-81f9-842ec6e8d18f"
    assert event.changes == {"snoozed": True, "snoozed_until": "2020-11-23T18:21:54Z"}
    assert event.chat == Chat(
        id="5224081", status="closed", department="233231", rating=Rating(value="great")
    )
    assert event.data["closed_at"] == "2020-12-09T19:27:10.713000Z"


def test_chat_unsnoozed(helpcrunch_parse_one: ParseOne) -> None:
    event = helpcrunch_parse_one(raw("chat_unsnoozed"))
    assert event.changes == {"snoozed": False}
    assert "snoozed_until" not in event.data


def test_chat_closed(helpcrunch_parse_one: ParseOne) -> None:
    event = helpcrunch_parse_one(raw("chat_closed"))
    assert event.chat is not None and (event.chat.status, event.chat.rating) == ("closed", None)
    assert event.data["closed_by"] == "customer"
    assert event.data["closed_at"] == "2020-12-09T19:27:10.713000Z"


def test_chat_rated(helpcrunch_parse_one: ParseOne) -> None:
    event = helpcrunch_parse_one(raw("chat_rated"))
    assert event.chat is not None and event.chat.rating == Rating(value="great")
    assert event.changes == {"rating": "great"}
    assert event.data["attempts"] == 1


@pytest.mark.parametrize(
    ("name", "role", "channel", "private", "message_id"),
    [
        ("message_chat_customer", "customer", "chat", False, "9685290"),
        ("message_email_customer", "customer", "email", False, "9685295"),
        ("message_private", "agent", "chat", True, "9685296"),
        ("message_chat_agent", "agent", "chat", False, "9685297"),
        ("message_email_agent", "agent", "email", False, "9685298"),
    ],
)
def test_messages(
    helpcrunch_parse_one: ParseOne,
    name: str,
    role: str,
    channel: str,
    private: bool,  # noqa: FBT001
    message_id: str,
) -> None:
    body = load(name)
    event = helpcrunch_parse_one(raw(name))
    assert event.chat == Chat(id="5224081")
    assert event.customer == CUSTOMER
    assert event.agent == (ASSIGNEE if role == "agent" else None)
    assert event.message is not None
    assert (event.message.id, event.message.author_role) == (message_id, role)
    assert event.message.author_id == ("2924" if role == "agent" else "8745474")
    assert event.message.text == body["eventData"]["message"]["text"]
    assert event.message.created_at == at(float(body["eventData"]["message"]["createdAt"]))
    assert (event.data["channel"], event.data["private"]) == (channel, private)
    assert (event.data["edited"], event.data["read"]) == (False, False)


def test_php_escaped_slashes_are_read(helpcrunch_parse_one: ParseOne) -> None:
    body = raw("message_chat_agent")
    assert b"https:\\/\\/track.example.com" in body
    message = helpcrunch_parse_one(body).message
    assert message is not None and message.text is not None
    assert message.text.endswith("see https://track.example.com/A-10023")


CUSTOMER_CHANGES = {
    "customer_new": {},
    "customer_email_updated": {"email": "paul.new@example.com"},
    "customer_tags_changed": {"tags": ["vip", "wholesale"]},
    "customer_unsubscribed": {"unsubscribed": True},
    "customer_subscribed": {"unsubscribed": False},
    "customer_blocked": {"blocked": True},
    "customer_unblocked": {"blocked": False},
    "customer_deleted": {},
}


@pytest.mark.parametrize(("name", "changes"), sorted(CUSTOMER_CHANGES.items()))
def test_customers(helpcrunch_parse_one: ParseOne, name: str, changes: dict[str, object]) -> None:
    event = helpcrunch_parse_one(raw(name))
    email = changes.get("email", "paul@example.com")
    assert event.customer == Person(
        id="8745474", name="Paul", email=str(email), phone="+48 600 100 200", company="Example Shop"
    )
    assert event.changes == changes
    assert (event.chat, event.agent, event.message) == (None, None, None)
    assert event.data["user_id"] == "example_9106"
    assert event.data["customer_created_at"] == "2020-12-09T19:05:00.120000Z"
    assert event.data["custom_data"] == {"plan": "pro"}


def test_customer_wrapped_in_customer_key(helpcrunch_parse_one: ParseOne) -> None:
    body = load("customer_new")
    body["eventData"] = {"customer": body["eventData"]}
    assert helpcrunch_parse_one(body).customer == load_person("customer_new")


def load_person(name: str) -> Person:
    data = load(name)["eventData"]
    keys = ("name", "email", "phone", "company")
    return Person(id=str(data["id"]), **{key: data[key] for key in keys})
