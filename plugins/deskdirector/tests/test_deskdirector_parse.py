"""What each DeskDirector status becomes, field by field, from the vendor docs' example."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from deskdirector_support import CONFIG, RECEIVED_AT, load, raw, request_for

from hookyard import Chat, Event, Person, stable_event_id
from hookyard_deskdirector import parse

LIAM = Person(id="nzlancomdev~c~11220", name="Liam Tait", company="DeskDirector")
ANDREW = Person(id="nzlancomdev~m~268", name="Andrew Lahikainen")
SESSION = "1530162945-9852"
MISSED_SESSION = "1530170411-2231"


def parse_one(name: str) -> Event:
    [event] = parse(CONFIG, request_for(raw(name)))
    return event


@pytest.mark.parametrize(
    ("status", "event_type"),
    [
        ("created", "chat.started"),
        ("handled", "chat.assigned"),
        ("missed", "chat.missed"),
        ("completed", "chat.closed"),
        ("callback", "chat.callback_requested"),
    ],
)
def test_common_fields(status: str, event_type: str) -> None:
    event = parse_one(status)
    [session] = load(status)
    assert (event.type, event.vendor_type, event.vendor) == (event_type, status, "deskdirector")
    assert (event.source, event.received_at) == ("deskdirector-main", RECEIVED_AT)
    assert event.chat == Chat(id=session["id"], status=status)
    assert event.id == stable_event_id(
        "deskdirector", session["id"], status, session["lastModifiedDateTime"]
    )
    assert event.customer is not None and event.customer.id == "nzlancomdev~c~11220"
    assert event.message is None
    assert event.raw == session


def test_created() -> None:
    event = parse_one("created")
    assert event.occurred_at == datetime(2018, 6, 28, 5, 15, 45, 782413, tzinfo=UTC)
    assert (event.customer, event.agent, event.changes) == (LIAM, None, {})
    assert event.data["name"] == "Chat Request from Liam Tait at DeskDirector"
    assert event.data["session_type"] == "request"
    assert event.data["customer"] == {
        "user_id": "nzlancomdev~c~11220",
        "instance": "nzlancomdev",
        "kind": "contact",
        "id": 11220,
        "entity_id": 11220,
        "name": "Liam Tait",
        "company": {"entity_id": 2952, "name": "DeskDirector", "identifier": "DeskDirectorLtd"},
    }
    assert event.data["closed_at"] is None and event.data["agent"] is None


def test_handled() -> None:
    event = parse_one("handled")
    assert event.occurred_at == datetime(2018, 6, 28, 5, 16, 23, 118041, tzinfo=UTC)
    assert (event.customer, event.agent) == (LIAM, ANDREW)
    assert event.changes == {"previous_status": "created", "status": "handled"}
    assert event.data["report"] == {
        "creator_waited": 38,
        "handled_at": "2018-06-28T05:16:23.118041Z",
        "chat_duration": 0,
    }
    assert event.data["agent"]["kind"] == "member" and event.data["agent"]["id"] == 268
    assert event.data["last_message_id"] == "1530162983118-1A-nzlancomdev~m~268"


def test_missed() -> None:
    event = parse_one("missed")
    assert event.chat is not None and event.chat.id == MISSED_SESSION
    assert event.occurred_at == datetime(2018, 6, 28, 7, 25, 11, 602193, tzinfo=UTC)
    assert (event.customer, event.agent) == (LIAM, None)
    invited = [user["user_id"] for user in event.data["target_users"]]
    assert invited == ["nzlancomdev~m~268", "nzlancomdev~m~200"]
    assert event.changes == {"previous_status": "created", "status": "missed"}


def test_completed_is_the_docs_example() -> None:
    event = parse_one("completed")
    assert event.occurred_at == datetime(2018, 6, 28, 5, 18, 26, 947898, tzinfo=UTC)
    assert (event.customer, event.agent) == (LIAM, ANDREW)
    assert event.changes == {"previous_status": "handled", "status": "completed"}
    assert event.data["closed_by"]["user_id"] == "nzlancomdev~m~268"
    assert event.data["closed_at"] == "2018-06-28T05:18:26.947898Z"
    assert event.data["created_at"] == "2018-06-28T05:15:45.782413Z"
    assert [user["name"] for user in event.data["users"]] == ["Warwick Eade"]
    assert len(event.data["participants"]) == 3
    assert event.data["last_message_id"] == "1530163058374-5E-nzlancomdev~c~11220"
    assert event.data["report"] == {
        "creator_waited": None,
        "handled_at": None,
        "chat_duration": None,
    }


def test_callback() -> None:
    event = parse_one("callback")
    # lastModifiedDateTime is 2018-06-28T19:26:02.0412871+12:00
    assert event.occurred_at == datetime(2018, 6, 28, 7, 26, 2, 41287, tzinfo=UTC)
    assert event.customer == Person(
        id="nzlancomdev~c~11220", name="Liam Tait", phone="+64 9 555 0142", company="DeskDirector"
    )
    assert event.data["callback"] == {
        "type": "phone",
        "phone": "+64 9 555 0142",
        "note": "Printer on level 2 is offline again",
        "preferred_times": [
            {"start": "2018-06-28T21:00:00.000000Z", "end": "2018-06-28T23:00:00.000000Z"}
        ],
    }
    assert event.data["reference"] == {"type": "ticket", "id": "48213"}
    assert event.changes == {"previous_status": "missed", "status": "callback"}


def test_several_sessions_give_several_events_in_order() -> None:
    events = parse(CONFIG, request_for(raw("multiple_sessions")))
    assert [e.type for e in events] == ["chat.started", "chat.missed", "chat.closed"]
    assert [e.chat.id for e in events if e.chat] == [SESSION, "1530162950-1177", SESSION]
    assert len({e.id for e in events}) == 3
    assert [e.raw for e in events] == load("multiple_sessions")


def test_unknown_status_is_kept() -> None:
    body = load("created")
    body[0]["status"] = "archived"
    [event] = parse(CONFIG, request_for(body))
    assert (event.type, event.vendor_type) == ("unknown", "archived")


def test_retry_has_the_same_id_and_a_new_modification_a_new_one() -> None:
    first = parse_one("handled").id
    assert parse_one("handled").id == first
    body = load("handled")
    body[0]["lastModifiedDateTime"] = "2018-06-28T05:16:30.0000000Z"
    assert parse(CONFIG, request_for(body))[0].id != first


@pytest.mark.parametrize("closed", [None, "", "0001-01-01T00:00:00"])
def test_no_close_time(closed: object) -> None:
    body = load("completed")
    body[0]["closedDateTime"] = closed
    [event] = parse(CONFIG, request_for(body))
    assert event.occurred_at == datetime(2018, 6, 28, 5, 18, 26, 946894, tzinfo=UTC)
    assert event.data["closed_at"] is None


def test_optional_fields_may_be_left_out() -> None:
    body = load("created")
    for key in ("report", "targetUsers", "users", "participants", "createdDateTime", "name"):
        del body[0][key]
    del body[0]["creator"]["company"]
    [event] = parse(CONFIG, request_for(body))
    assert event.occurred_at == datetime(2018, 6, 28, 5, 15, 45, 782413, tzinfo=UTC)
    assert event.customer == Person(id="nzlancomdev~c~11220", name="Liam Tait")


def test_member_created_session_has_no_customer() -> None:
    body = load("created")
    body[0]["creator"] = {"entityId": 268, "name": "Andrew Lahikainen", "userId": "i~m~268"}
    body[0]["users"] = body[0]["participants"] = []
    [event] = parse(CONFIG, request_for(body))
    assert event.customer is None
    assert event.agent == Person(id="i~m~268", name="Andrew Lahikainen")
