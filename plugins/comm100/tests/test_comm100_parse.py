"""Every Comm100 event, parsed into the normalized model as the README's table says."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from comm100_support import RECEIVED_AT, Body, load, raw

from hookyard import Attachment, Chat, Event, PayloadRejected, Person, Rating, stable_event_id

ParseOne = Callable[[Body | bytes], Event]

VISITOR = Person(id="e2bafca0-efe5-45a7-96ae-a7e3b8d7c410", name="testName", email="test@email.com")


def at(milliseconds: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=milliseconds)


def test_offline_message(comm100_parse_one: ParseOne) -> None:
    event = comm100_parse_one(raw("offline_message_submitted"))
    message_id = "58f738e3-86e5-4ce2-92da-f65ecc0d5318"
    assert (event.type, event.vendor_type) == (
        "offline_message.received",
        "offline_message_submitted",
    )
    assert event.id == stable_event_id("offline_message_submitted", message_id)
    assert event.occurred_at == at(1584423203253)
    assert event.message is not None
    assert (event.message.id, event.message.text) == (message_id, "This is an offline message.")
    assert (event.message.author_role, event.message.author_id) == ("customer", VISITOR.id)
    assert event.message.created_at == event.occurred_at
    assert event.message.attachments == ()  # Comm100 sends {"name": "", "uri": ""} for none
    assert event.customer == Person(id=VISITOR.id, name="TestName", email="test@email.com")
    assert event.chat == Chat(id=message_id, department="c47c5e3a-0a3b-4aa5-98ea-cec0ae5ab7b9")
    assert event.agent is None
    assert event.data["skill"] == "3d68dc80-9c67-455b-abfe-1b7ac55fac98"
    assert event.data["custom_variables"] == [{"name": "Name", "value": ""}]
    assert "subject" not in event.data  # sent as ""
    assert event.data["visitor"]["utc_offset"] == "-08:00"
    assert event.data["visitor"]["status_name"] == "in site"
    assert event.raw == load("offline_message_submitted")


def test_offline_message_form_fields_win_and_blanks_come_from_the_visitor(
    comm100_parse_one: ParseOne,
) -> None:
    body = load("offline_message_submitted")
    form = body["offline_message"]
    form.update(name="Thomas A.", email="", subject="Refund", company="Example Shop")
    form["attachment"] = {"name": "receipt.png", "uri": "https://files.example.com/r.png"}
    body["visitor"]["phone"] = "+1 555 0100"
    event = comm100_parse_one(body)
    assert event.customer == Person(
        id=VISITOR.id,
        name="Thomas A.",
        email="test@email.com",
        phone="+1 555 0100",
        company="Example Shop",
    )
    assert event.data["subject"] == "Refund"
    assert event.message is not None
    assert event.message.attachments == (
        Attachment(name="receipt.png", url="https://files.example.com/r.png"),
    )


def test_offline_message_without_visitor(comm100_parse_one: ParseOne) -> None:
    body = load("offline_message_submitted")
    del body["visitor"]
    event = comm100_parse_one(body)
    assert event.customer == Person(name="TestName", email="test@email.com")
    assert event.chat == Chat(department="c47c5e3a-0a3b-4aa5-98ea-cec0ae5ab7b9")
    assert "visitor" not in event.data


def test_chat_started(comm100_parse_one: ParseOne) -> None:
    event = comm100_parse_one(raw("chat_started"))
    chat_id = "16c2cc3a-1b15-4b4f-9298-1cd04d6cec15"
    assert event.type == "chat.started"
    assert event.id == stable_event_id("chat_started", chat_id)
    assert event.occurred_at == RECEIVED_AT  # the body has no time of the chat's start
    assert event.chat == Chat(id=chat_id, department="c47c5e3a-0a3b-4aa5-98ea-cec0ae5ab7b9")
    assert event.customer == VISITOR
    assert (event.agent, event.message) == (None, None)
    visitor = event.data["visitor"]
    assert (visitor["time_zone"], visitor["utc_offset"]) == ("GMT 06:00", "+06:00")
    assert (visitor["status"], visitor["status_name"]) == (2, "chatting")
    assert visitor["visit_time"] == "2020-03-17T03:29:09.307000Z"
    assert visitor["first_visit_time"] == "2020-01-30T05:16:27.156000Z"
    assert visitor["custom_variables"] == [{"name": "Name", "value": ""}]
    assert "search_engine" not in visitor and "custom_fields" not in visitor


def test_chat_started_with_a_chat_object_takes_its_start_time(comm100_parse_one: ParseOne) -> None:
    body = load("chat_started")
    body["chat"] = {"start_time": "/Date(1584415801000)/"}
    assert comm100_parse_one(body).occurred_at == at(1584415801000)


def test_chat_request(comm100_parse_one: ParseOne) -> None:
    event = comm100_parse_one(raw("chat_request"))
    assert event.type == "chat.requested"
    assert event.id == stable_event_id("chat_request", "7b1d4c55-3f0e-4a8e-9d51-2f7a9c0e6b13")
    assert event.agent is None
    assert event.data["visitor"]["status_name"] == "waiting for chat"
    assert event.dedup_group is None


def test_chat_requested_spelling_is_the_same_event(comm100_parse_one: ParseOne) -> None:
    body = load("chat_request")
    first = comm100_parse_one(body)
    body["event"] = "chat_requested"
    again = comm100_parse_one(body)
    assert (again.type, again.vendor_type, again.id) == (
        "chat.requested",
        "chat_requested",
        first.id,
    )


def test_chat_ended(comm100_parse_one: ParseOne) -> None:
    event = comm100_parse_one(raw("chat_ended"))
    chat_id = "16c2cc3a-1b15-4b4f-9298-1cd04d6cec15"
    assert event.type == "chat.closed"
    assert event.id == stable_event_id("chat_ended", chat_id)
    # /Date(1584416219000-0800)/: the offset does not move the instant
    assert event.occurred_at == datetime(2020, 3, 17, 3, 36, 59, tzinfo=UTC)
    assert event.chat == Chat(
        id=chat_id,
        department="Support",
        rating=Rating(value="1", comment="Nobody answered my question"),
    )
    assert event.customer == Person(
        id=VISITOR.id, name="testName", email="test@email.com", company="Example Shop"
    )
    assert event.agent == Person(id="37", name="Walid", email="walid@example.com")
    data = event.data
    assert data["transcript"] == [
        "Agent Walid has joined the chat.",
        "[03:30:01] Walid: testName thank you for contacting us! How may I help you?",
        "It's been a while since your last response. Please respond within the next few "
        "minutes or this chat will be ended.",
        "The visitor has left the chat.",
        "The chat is ended.(03:36:59)",
    ]
    assert data["attachments"] == [
        {
            "name": "invoice-A-10023.pdf",
            "url": "https://dash11.comm100.io/livechat/attachment/8f6c1e2a.pdf",
        }
    ]
    assert (data["start_time"], data["end_time"]) == (
        "2020-03-17T03:30:01Z",
        "2020-03-17T03:36:59Z",
    )
    assert data["waiting_time"] == "10s"
    assert data["operators"] == [{"id": "37", "name": "Walid", "email": "walid@example.com"}]
    assert data["operator_comment"] == "Visitor left before answering."
    assert data["chat_custom_fields"] == [{"id": 4, "name": "Order number", "value": "A-10023"}]
    assert data["chat_custom_variables"] == [{"name": "Name", "value": ""}]
    assert data["visitor"]["department"] == "1165"


def test_escaped_slash_dates_are_read(comm100_parse_one: ParseOne) -> None:
    body = raw("chat_ended")
    assert b'"\\/Date(1584416219000-0800)\\/"' in body
    unescaped = body.replace(b"\\/", b"/")
    assert comm100_parse_one(unescaped).data == comm100_parse_one(body).data


@pytest.mark.parametrize(("rating", "value"), [(5, "5"), ("1", "1"), ("", None), (None, None)])
def test_rating_integer_or_string(
    comm100_parse_one: ParseOne, rating: object, value: str | None
) -> None:
    body = load("chat_ended")
    body["chat"]["rating"] = rating
    chat = comm100_parse_one(body).chat
    assert chat is not None
    assert chat.rating == (None if value is None else Rating(value, "Nobody answered my question"))


@pytest.mark.parametrize(
    ("key", "operators", "agent"),
    [
        ("operators", "Walid", Person(name="Walid")),
        ("operators", ["Walid", "Ana"], Person(name="Walid")),
        ("operators", [1042], Person(id="1042")),
        ("agents", [{"id": "a1b2", "name": "Ana"}], Person(id="a1b2", name="Ana")),
        ("operators", [], None),
    ],
)
def test_operators_in_every_plausible_shape(
    comm100_parse_one: ParseOne, key: str, operators: object, agent: Person | None
) -> None:
    body = load("chat_ended")
    del body["chat"]["operators"]
    body["chat"][key] = operators
    assert comm100_parse_one(body).agent == agent


def test_chat_transferred(comm100_parse_one: ParseOne) -> None:
    body = load("chat_transferred")
    event = comm100_parse_one(raw("chat_transferred"))
    chat_id = "5d2a9e61-8c47-4f0b-a3e2-6b1f0c9d7e44"
    assert event.type == "chat.transferred"
    assert event.id == stable_event_id("chat_transferred", chat_id, body["chat"])
    assert event.dedup_group == f"comm100:transfer:{chat_id}"
    assert event.agent == Person(id="01000000-0000-0000-0000-0100000192b0", name="Ana")
    assert event.chat == Chat(id=chat_id, department="Billing")
    assert event.data["transcript"][-1] == "Walid transferred the chat to Ana."
    assert event.occurred_at == RECEIVED_AT


def test_chat_transferred_twice_gets_two_ids(comm100_parse_one: ParseOne) -> None:
    body = load("chat_transferred")
    first = comm100_parse_one(body)
    body["chat"]["operators"] = [{"id": "77", "name": "Li"}]
    assert comm100_parse_one(body).id != first.id


def test_chat_wrapped_up(comm100_parse_one: ParseOne) -> None:
    event = comm100_parse_one(raw("chat_wrapped_up"))
    chat_id = "db120346-2fa5-4957-a62b-e6765ab2691b"
    assert event.type == "chat.wrapped_up"
    assert event.occurred_at == at(1584422324807)
    assert event.id == stable_event_id("chat_wrapped_up", chat_id, "2020-03-17T05:18:44.807000Z")
    assert event.chat == Chat(id=chat_id, department="1165")
    assert event.data["wrapup"] == {
        "category": "Support",
        "comment": "this is agent wrap up comment",
        "time": "2020-03-17T05:18:44.807000Z",
    }
    visitor = event.data["visitor"]
    assert (visitor["utc_offset"], "search_engine" in visitor) == ("+06:00", False)


def test_wrap_up_fields_are_kept(comm100_parse_one: ParseOne) -> None:
    body = load("chat_wrapped_up")
    body["wrapup"]["fields"] = [{"name": "Order number", "value": "A-10023"}]
    fields = comm100_parse_one(body).data["wrapup"]["fields"]
    assert fields == [{"name": "Order number", "value": "A-10023"}]


def test_misspelt_wraped_up_is_the_same_event(comm100_parse_one: ParseOne) -> None:
    body = load("chat_wrapped_up")
    first = comm100_parse_one(body)
    body["event"] = "chat_wraped_up"
    again = comm100_parse_one(body)
    assert (again.type, again.vendor_type, again.id) == (
        "chat.wrapped_up",
        "chat_wraped_up",
        first.id,
    )


def test_wrap_up_filed_again_is_a_new_event(comm100_parse_one: ParseOne) -> None:
    body = load("chat_wrapped_up")
    first = comm100_parse_one(body)
    body["wrapup"]["time"] = "/Date(1584422999000)/"
    assert comm100_parse_one(body).id != first.id


def test_wrapped_up_chat_id_from_the_visitor_when_not_at_the_top(
    comm100_parse_one: ParseOne,
) -> None:
    body = load("chat_wrapped_up")
    del body["chat_id"]
    chat = comm100_parse_one(body).chat
    assert chat is not None and chat.id == "db120346-2fa5-4957-a62b-e6765ab2691b"


@pytest.mark.parametrize(
    ("name", "operator_id", "status"),
    [
        ("agent_login", "1", "login"),
        ("agent_online", "01000000-0000-0000-0000-0100000192b0", "online"),
        ("agent_away", "01000000-0000-0000-0000-0100000192b0", "away"),
        ("agent_logout", "01000000-0000-0000-0000-0100000192b0", "logout"),
    ],
)
def test_agent_status(
    comm100_parse_one: ParseOne, name: str, operator_id: str, status: str
) -> None:
    event = comm100_parse_one(raw(name))
    assert (event.type, event.vendor_type) == ("agent.status_changed", status)
    assert event.agent == Person(id=operator_id)
    assert event.data == {"status": status}
    assert event.id == stable_event_id("agent_status", operator_id, status)
    assert event.dedup_group == f"comm100:agent_status:{operator_id}"
    assert event.occurred_at == RECEIVED_AT
    assert (event.chat, event.customer, event.message) == (None, None, None)


def test_same_status_of_another_agent_is_another_event(comm100_parse_one: ParseOne) -> None:
    one = comm100_parse_one({"event": "online", "operator_id": 1})
    other = comm100_parse_one({"event": "online", "operator_id": 2})
    away = comm100_parse_one({"event": "away", "operator_id": 1})
    assert len({one.id, other.id, away.id}) == 3
    assert one.dedup_group == away.dedup_group == "comm100:agent_status:1"
    assert other.dedup_group == "comm100:agent_status:2"


@pytest.mark.parametrize(
    "name", ["offline_message_submitted", "chat_started", "chat_ended", "chat_wrapped_up"]
)
def test_events_that_happen_once_have_no_group(comm100_parse_one: ParseOne, name: str) -> None:
    assert comm100_parse_one(raw(name)).dedup_group is None


def test_an_unknown_event_has_no_group(comm100_parse_one: ParseOne) -> None:
    assert comm100_parse_one({"event": "visitor_banned", "ip": "1.2.3.4"}).dedup_group is None


def test_transfers_of_one_chat_share_a_group(comm100_parse_one: ParseOne) -> None:
    body = load("chat_transferred")
    first = comm100_parse_one(body)
    body["chat"]["operators"] = [{"id": "77", "name": "Li"}]
    again = comm100_parse_one(body)
    body["visitor"]["chat_id"] = "another-chat"
    other = comm100_parse_one(body)
    assert first.id != again.id and first.dedup_group == again.dedup_group
    assert other.dedup_group == "comm100:transfer:another-chat"


def test_visitor_details_do_not_change_a_chat_event_id(comm100_parse_one: ParseOne) -> None:
    body = load("chat_ended")
    first = comm100_parse_one(body)
    body["visitor"].update(page_views=9, current_browsing="https://example.com/other")
    assert comm100_parse_one(body).id == first.id


def test_integer_ids_become_text(comm100_parse_one: ParseOne) -> None:
    body = load("chat_started")
    body["visitor"].update(chat_id=52240, id=8745, department=-1)
    event = comm100_parse_one(body)
    assert event.chat == Chat(id="52240", department="-1")
    assert event.customer is not None and event.customer.id == "8745"


def test_custom_variable_and_custom_variables_are_both_read(comm100_parse_one: ParseOne) -> None:
    body = load("chat_started")
    body["visitor"]["custom_variable"] = [{"name": "plan", "value": "pro"}]
    assert comm100_parse_one(body).data["visitor"]["custom_variables"] == [
        {"name": "Name", "value": ""},
        {"name": "plan", "value": "pro"},
    ]


@pytest.mark.parametrize(
    ("time_zone", "offset"),
    [("GMT -08:00", "-08:00"), ("GMT +05:30", "+05:30"), ("GMT 06:00", "+06:00"), ("UTC", None)],
)
def test_time_zone_offset(comm100_parse_one: ParseOne, time_zone: str, offset: str | None) -> None:
    body = load("chat_started")
    body["visitor"]["time_zone"] = time_zone
    visitor = comm100_parse_one(body).data["visitor"]
    assert visitor["time_zone"] == time_zone
    assert visitor.get("utc_offset") == offset


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("/Date(1584423203253)/", at(1584423203253)),
        ("/Date(1584423203253+0800)/", at(1584423203253)),
        ("/Date(1584423203253-0500)/", at(1584423203253)),
        ("/Date(1584423203)/", at(1584423203000)),  # 10 digits: seconds
        ("\\/Date(1584423203253)\\/", at(1584423203253)),  # escaped twice by the sender
        (1584423203253, at(1584423203253)),
        ("/Date(-62135596800000)/", None),  # .NET DateTime.MinValue: no date
        ("", None),
    ],
)
def test_date_forms(comm100_parse_one: ParseOne, stamp: object, expected: datetime | None) -> None:
    body = load("offline_message_submitted")
    body["offline_message"]["time"] = stamp
    event = comm100_parse_one(body)
    assert event.message is not None and event.message.created_at == expected
    assert event.occurred_at == (expected or RECEIVED_AT)


def test_unknown_event_is_kept(comm100_parse_one: ParseOne) -> None:
    body = {"event": "chat_rated", "visitor": {"chat_id": [1]}, "rating": 5}
    event = comm100_parse_one(body)
    assert (event.type, event.vendor_type, event.raw) == ("unknown", "chat_rated", body)
    assert event.id == stable_event_id("chat_rated", body)
    assert event.occurred_at == RECEIVED_AT


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("/Date(-86400000)/", datetime(1969, 12, 31, tzinfo=UTC)),
        ("/Date(-1)/", datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=UTC)),
        ("/Date(1584423203)/", datetime(2020, 3, 17, 5, 33, 23, tzinfo=UTC)),
        ("/Date(-62135596800000)/", RECEIVED_AT),  # .NET's "no date": absent
    ],
)
def test_negative_times_are_milliseconds_before_1970(
    comm100_parse_one: Callable[[Body | bytes], Event], written: str, expected: datetime
) -> None:
    body = load("offline_message_submitted")
    body["offline_message"]["time"] = written
    assert comm100_parse_one(body).occurred_at == expected


@pytest.mark.parametrize("written", ["/Date(-62135596800001)/", "/Date(-99999999999999999)/"])
def test_a_time_before_year_one_is_refused(
    comm100_parse_one: Callable[[Body | bytes], Event], written: str
) -> None:
    body = load("offline_message_submitted")
    body["offline_message"]["time"] = written
    with pytest.raises(PayloadRejected, match=r"offline_message\.time: .* is out of range"):
        comm100_parse_one(body)
