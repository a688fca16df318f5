"""What each SuperOffice event becomes, field by field, from corrected copies of the docs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from superoffice_support import (
    RECEIVED_AT,
    SOURCE,
    Body,
    fixture_names,
    fixture_request,
    load,
    request_for,
)

from hookyard import Chat, Event, Message, Person, Rating, WebhookRequest

ParseOne = Callable[[Body | bytes | WebhookRequest], Event]

TYPES = {
    "chatsession_created": "chat.started",
    "chatsession_message": "chat.message",
    "chatsession_changed": "chat.updated",
    "chatsession_changed_queued": "chat.requested",
    "chatsession_changed_closed": "chat.closed",
    "chatsession_changed_rated": "chat.rated",
    "chatsession_changed_status": "chat.status_changed",
    "test": "webhook.test",
    "webhook_started": "webhook.status_changed",
    "webhook_stopped": "webhook.status_changed",
    "webhook_errors": "webhook.status_changed",
}
#: What each ``ChatSessionStatus`` becomes when a ``chatsession.changed`` changes it.
STATUS_TYPES = {
    0: ("Invalid", "chat.status_changed"),
    1: ("PreChatForm", "chat.status_changed"),
    2: ("Faq", "chat.status_changed"),
    3: ("OfflineForm", "chat.status_changed"),
    4: ("InQueue", "chat.requested"),
    5: ("CustomerLast", "chat.status_changed"),
    6: ("UserLast", "chat.status_changed"),
    7: ("Finished", "chat.closed"),
    8: ("Deleted", "chat.status_changed"),
    9: ("Closed", "chat.closed"),
    10: ("RequestPosted", "chat.requested"),
    11: ("ClosedFromQueue", "chat.closed"),
}


def changed(**overrides: Any) -> Body:
    """The closed-chat fixture with top-level keys replaced."""
    body = load("chatsession_changed_closed")
    body.update(overrides)
    return body


def with_values(**values: Any) -> Body:
    """The closed-chat fixture with FieldValues keys replaced."""
    body = load("chatsession_changed_closed")
    body["FieldValues"].update(values)
    return body


def test_every_event_type_has_a_fixture() -> None:
    assert sorted(TYPES) == fixture_names()


@pytest.mark.parametrize(("name", "event_type"), sorted(TYPES.items()))
def test_common_fields(superoffice_parse_one: ParseOne, name: str, event_type: str) -> None:
    body = load(name)
    event = superoffice_parse_one(fixture_request(name))
    assert (event.type, event.vendor, event.source) == (event_type, "superoffice", SOURCE)
    assert event.vendor_type == body["Event"]
    assert event.id == body["EventId"]
    assert event.received_at == RECEIVED_AT
    assert event.raw == body
    assert event.data["context_identifier"] == body["ContextIdentifier"]
    assert event.data["webhook_name"] == "Name you provided"


def test_created_reads_the_samples_mixed_types(superoffice_parse_one: ParseOne) -> None:
    event = superoffice_parse_one(fixture_request("chatsession_created"))
    assert event.occurred_at == datetime(2018, 4, 24, 8, 18, 42, 89895, tzinfo=UTC)
    assert event.chat == Chat(id="178105", status="Invalid")
    assert event.customer == Person(id="12")  # "CustomerId": "12", a string
    assert event.agent is None  # UserId 0: no agent yet
    assert event.message is None
    assert event.changes == {}
    assert event.data["contact_id"] == 21  # "ContactId": "21" becomes a number
    assert event.data["project_id"] == 5
    assert event.data["customer_alias"] == 5
    assert event.data["changed_by_associate_id"] == 316
    assert (event.data["chatbot_is_active"], event.data["consented"]) == (False, False)
    assert "ticket_id" not in event.data and "sale_id" not in event.data  # 0 means none


def test_message_has_no_text_and_lists_what_changed(superoffice_parse_one: ParseOne) -> None:
    body = load("chatsession_message")
    event = superoffice_parse_one(fixture_request("chatsession_message"))
    assert event.chat == Chat(id="178105")
    assert event.message == Message()  # SuperOffice sends no message text
    assert event.changes == {"fields": body["Changes"]}
    assert event.customer is None and event.agent is None


def test_changed_without_changes_or_values_is_an_update(superoffice_parse_one: ParseOne) -> None:
    event = superoffice_parse_one(fixture_request("chatsession_changed"))
    assert event.type == "chat.updated"
    assert event.chat == Chat(id="178105")
    assert event.changes == {}


def test_closed_chat(superoffice_parse_one: ParseOne) -> None:
    event = superoffice_parse_one(fixture_request("chatsession_changed_closed"))
    assert event.type == "chat.closed"
    assert event.chat == Chat(id="178105", status="Finished", department="2")
    assert event.changes == {
        "fields": ["chatSession.status", "chatSession.whenEnded"],
        "status": "Finished",
    }
    assert (event.customer, event.agent) == (Person(id="12"), Person(id="7"))
    assert event.data["status_code"] == 7
    # 11:20:45.654321+02:00
    assert event.occurred_at == datetime(2025, 7, 7, 9, 20, 45, 654321, tzinfo=UTC)


def test_queued_chat_reads_a_status_sent_as_text(superoffice_parse_one: ParseOne) -> None:
    event = superoffice_parse_one(fixture_request("chatsession_changed_queued"))
    assert event.type == "chat.requested"
    assert event.chat is not None and event.chat.status == "RequestPosted"
    assert event.changes == {"fields": ["status"], "status": "RequestPosted"}
    assert event.agent is None
    # "2025-07-07T09:15:03.1234567": no offset, read as UTC; 7 digits cut to 6.
    assert event.occurred_at == datetime(2025, 7, 7, 9, 15, 3, 123456, tzinfo=UTC)


def test_rated_chat(superoffice_parse_one: ParseOne) -> None:
    event = superoffice_parse_one(fixture_request("chatsession_changed_rated"))
    assert event.type == "chat.rated"
    assert event.chat is not None and event.chat.rating == Rating(value="4")
    assert event.chat.status == "Closed"
    assert event.changes == {"fields": ["chatSession.rating"], "rating": 4}
    assert event.occurred_at == datetime(2025, 7, 7, 9, 22, 10, 0, tzinfo=UTC)


def test_offline_form_is_a_status_change(superoffice_parse_one: ParseOne) -> None:
    event = superoffice_parse_one(fixture_request("chatsession_changed_status"))
    assert event.type == "chat.status_changed"
    assert event.chat is not None and event.chat.status == "OfflineForm"
    assert event.changes["status"] == "OfflineForm"


@pytest.mark.parametrize(("code", "expected"), sorted(STATUS_TYPES.items()))
def test_each_status_change(
    superoffice_parse_one: ParseOne, code: int, expected: tuple[str, str]
) -> None:
    name, event_type = expected
    event = superoffice_parse_one(with_values(status=code))
    assert event.type == event_type
    assert event.chat is not None and event.chat.status == name
    assert event.changes["status"] == name


def test_a_status_superoffice_does_not_list(superoffice_parse_one: ParseOne) -> None:
    event = superoffice_parse_one(with_values(status=12))
    assert event.type == "chat.status_changed"
    assert event.chat is not None and event.chat.status == "12"
    assert event.data["status_code"] == 12


def test_empty_changes_let_the_status_decide(superoffice_parse_one: ParseOne) -> None:
    event = superoffice_parse_one(changed(Changes=[]))
    assert event.type == "chat.closed"
    assert event.changes == {"status": "Finished"}


def test_close_and_rating_together_is_a_close(superoffice_parse_one: ParseOne) -> None:
    body = changed(Changes=["chatSession.status", "chatSession.rating"])
    body["FieldValues"]["rating"] = 5
    event = superoffice_parse_one(body)
    assert event.type == "chat.closed"
    assert event.changes["rating"] == 5
    assert event.chat is not None and event.chat.rating == Rating(value="5")


def test_withdrawn_rating(superoffice_parse_one: ParseOne) -> None:
    event = superoffice_parse_one(changed(Changes=["rating"]))
    assert event.type == "chat.rated"
    assert event.chat is not None and event.chat.rating is None
    assert event.changes["rating"] == 0


@pytest.mark.parametrize(
    "changes", [["chatSession.ticketId"], ["chatMessage.status"], ["other.status"]]
)
def test_other_changes_are_updates(superoffice_parse_one: ParseOne, changes: list[str]) -> None:
    """Only the session's own status counts: ``chatMessage.status`` is not it."""
    event = superoffice_parse_one(changed(Changes=changes))
    assert event.type == "chat.updated"
    assert event.changes == {"fields": changes}


def test_pascal_and_camel_case_mean_the_same(superoffice_parse_one: ParseOne) -> None:
    camel = load("chatsession_changed_closed")
    pascal = dict(camel)
    pascal["FieldValues"] = {k[0].upper() + k[1:]: v for k, v in camel["FieldValues"].items()}
    mixed = dict(camel)
    mixed["FieldValues"] = {
        **{k: str(v) for k, v in camel["FieldValues"].items() if k.endswith("Id")},
        "STATUS": "7",
        "ChatbotIsactive": "False",
        "Consented": "True",
    }
    first, second = superoffice_parse_one(camel), superoffice_parse_one(pascal)
    third = superoffice_parse_one(mixed)
    assert (first.type, first.chat, first.customer, first.agent) == (
        second.type,
        second.chat,
        second.customer,
        second.agent,
    )
    assert (third.type, third.chat, third.customer, third.agent) == (
        first.type,
        Chat(id="178105", status="Finished", department="2"),
        first.customer,
        first.agent,
    )
    assert first.data == second.data
    assert (third.data["chatbot_is_active"], third.data["consented"]) == (False, True)


def test_top_level_keys_in_camel_case(superoffice_parse_one: ParseOne) -> None:
    body = {key[0].lower() + key[1:]: value for key, value in load("test").items()}
    event = superoffice_parse_one(body)
    assert (event.type, event.id) == ("webhook.test", body["eventId"])


@pytest.mark.parametrize(
    ("name", "event_type"),
    [
        ("ChatSession.Created", "chat.started"),
        ("CHATSESSION.MESSAGE", "chat.message"),
        ("Webhook12.Errors", "webhook.status_changed"),
        ("Test", "webhook.test"),
    ],
)
def test_event_names_in_any_case(
    superoffice_parse_one: ParseOne, name: str, event_type: str
) -> None:
    event = superoffice_parse_one(changed(Event=name))
    assert (event.type, event.vendor_type) == (event_type, name)


def test_test_delivery(superoffice_parse_one: ParseOne) -> None:
    event = superoffice_parse_one(fixture_request("test"))
    assert event.type == "webhook.test"
    assert event.id == "4b5ce038-50f2-4796-bdb2-f96908cf31c2"  # the body's, not the header's
    assert event.occurred_at == datetime(2018, 4, 24, 8, 52, 59, 515, tzinfo=UTC)
    assert (event.chat, event.customer, event.agent, event.message) == (None, None, None, None)
    assert event.data["test_header"] is True
    assert event.data["entity"] == "test"


def test_test_body_without_the_header_is_a_test(superoffice_parse_one: ParseOne) -> None:
    event = superoffice_parse_one(load("test"))
    assert event.type == "webhook.test"
    assert event.data["test_header"] is False


def test_test_header_makes_any_body_a_test(superoffice_parse_one: ParseOne) -> None:
    """A test delivery never reaches the routes of a real chat event."""
    body = load("chatsession_created")
    data = request_for(body).body
    request = request_for(data, {"x-hook-test": "True"})
    event = superoffice_parse_one(request)
    assert (event.type, event.vendor_type) == ("webhook.test", "chatsession.created")


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("webhook_started", "active"),
        ("webhook_stopped", "stopped"),
        ("webhook_errors", "too_many_errors"),
    ],
)
def test_webhook_state_events(superoffice_parse_one: ParseOne, name: str, state: str) -> None:
    event = superoffice_parse_one(fixture_request(name))
    assert event.type == "webhook.status_changed"
    assert event.changes == {"state": state}
    assert event.data["state"] == state
    assert event.data["header_event"] == f"webhook66.{name.split('_')[1]}"
    assert event.data["webhook_id"] == 66
    assert event.data["state_code"] == 2  # as sent; the docs' codes contradict each other
    assert event.data["events"] == 1
    assert event.data["registered"] == "2025-05-14T14:11:02.459343Z"
    assert event.data["updated"] is None  # 0001-01-01T00:00:00
    assert event.data["registered_associate_id"] == 5
    assert "changed_by_associate_id" not in event.data
    assert event.chat is None


def test_state_event_named_with_the_webhook_id_in_the_body(
    superoffice_parse_one: ParseOne,
) -> None:
    body = load("webhook_errors")
    body["Event"] = "webhook123.errors"
    event = superoffice_parse_one(body)
    assert (event.type, event.vendor_type) == ("webhook.status_changed", "webhook123.errors")
    assert event.data["state"] == "too_many_errors"


@pytest.mark.parametrize("name", ["contact.created", "webhook.deleted", "chatsession.deleted"])
def test_other_events_are_unknown(superoffice_parse_one: ParseOne, name: str) -> None:
    body = changed(Event=name, Entity="contact", PrimaryKey=994863)
    event = superoffice_parse_one(body)
    assert (event.type, event.vendor_type) == ("unknown", name)
    assert event.data["primary_key"] == 994863
    assert event.data["entity"] == "contact"
    assert event.raw == body


def test_retry_header_is_recorded(superoffice_parse_one: ParseOne) -> None:
    body = request_for(load("chatsession_created")).body
    event = superoffice_parse_one(request_for(body, {"x-superoffice-retry": "2"}))
    assert event.data["retry"] == 2
    garbled = superoffice_parse_one(request_for(body, {"x-superoffice-retry": "two"}))
    assert "retry" not in garbled.data


def test_without_event_id_the_id_is_stable(superoffice_parse_one: ParseOne) -> None:
    body = load("chatsession_changed_closed")
    del body["EventId"]
    first, again = superoffice_parse_one(body), superoffice_parse_one(dict(body))
    other = superoffice_parse_one({**body, "PrimaryKey": 178106})
    assert first.id == again.id
    assert first.id != other.id


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        ("2018-04-24T08:52:59.0005158Z", datetime(2018, 4, 24, 8, 52, 59, 515, tzinfo=UTC)),
        ("2018-04-24T08:18:42.089895Z", datetime(2018, 4, 24, 8, 18, 42, 89895, tzinfo=UTC)),
        ("2020-02-16T17:50:17", datetime(2020, 2, 16, 17, 50, 17, tzinfo=UTC)),
        ("2020-02-16T17:50:17+02:00", datetime(2020, 2, 16, 15, 50, 17, tzinfo=UTC)),
        (
            "2020-02-16T17:50:17.1234567-05:30",
            datetime(2020, 2, 16, 23, 20, 17, 123456, tzinfo=UTC),
        ),
        ("0001-01-01T00:00:00", RECEIVED_AT),
        (None, RECEIVED_AT),
    ],
)
def test_timestamps(
    superoffice_parse_one: ParseOne, timestamp: str | None, expected: datetime
) -> None:
    assert superoffice_parse_one(changed(Timestamp=timestamp)).occurred_at == expected
