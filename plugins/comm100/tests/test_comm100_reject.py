"""What is not Comm100's shape is PayloadRejected (400), with a message naming the place."""

from __future__ import annotations

import pytest
from comm100_support import Body, load, request_for

from hookyard import PayloadRejected
from hookyard_comm100 import Comm100Config, parse


def rejected(body: Body | bytes) -> str:
    with pytest.raises(PayloadRejected) as info:
        parse(Comm100Config(), request_for(body))
    return str(info.value)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "body is not JSON"),
        (b"\xff\xfe", "body is not JSON"),
        (b"event=chat_started", "body is not JSON"),
        (b"[]", "body: expected a JSON object, got a list"),
        (b'"chat_started"', "body: expected a JSON object, got a string"),
        (b"null", "body: expected a JSON object, got null"),
        (b"{}", "event: missing"),
        (b'{"event": ""}', "event: missing"),
        (b'{"event": 3}', "event: expected a string, got an integer"),
        (b'{"event": ["online"]}', "event: expected a string, got a list"),
    ],
)
def test_not_a_comm100_body(body: bytes, message: str) -> None:
    assert rejected(body).startswith(message)


def _set(body: Body, path: str, value: object) -> Body:
    *parents, last = path.split(".")
    target = body
    for key in parents:
        target = target[key]
    target[last] = value
    return body


@pytest.mark.parametrize(
    ("name", "path", "value", "message"),
    [
        (
            "chat_started",
            "visitor.chat_id",
            [1],
            "visitor.chat_id: expected a string or an integer, got a list",
        ),
        ("chat_started", "visitor.chat_id", None, "visitor.chat_id: missing"),
        (
            "chat_started",
            "visitor.chat_id",
            True,
            "visitor.chat_id: expected a string or an integer",
        ),
        ("chat_started", "visitor", "Toronto", "visitor: expected an object, got a string"),
        (
            "chat_started",
            "visitor.status",
            "2",
            "visitor.status: expected an integer, got a string",
        ),
        ("chat_started", "visitor.name", 7, "visitor.name: expected a string, got an integer"),
        ("chat_started", "visitor.custom_fields", {}, "visitor.custom_fields: expected a list"),
        (
            "chat_started",
            "visitor.custom_variables",
            ["Name"],
            "visitor.custom_variables[0]: expected an object, got a string",
        ),
        (
            "chat_started",
            "visitor.visit_time",
            "2020-03-17T03:29:09Z",
            "visitor.visit_time: '2020-03-17T03:29:09Z' is not a /Date(milliseconds)/ timestamp",
        ),
        ("chat_started", "visitor.visit_time", 1.5, "visitor.visit_time: expected a /Date(…)/"),
        ("chat_started", "visitor.visit_time", "/Date(1584423203253+2500)/", "impossible"),
        ("chat_started", "visitor.visit_time", "/Date(99999999999999999)/", "out of range"),
        (
            "chat_ended",
            "chat.rating",
            4.5,
            "chat.rating: expected an integer or a string, got a number",
        ),
        ("chat_ended", "chat.operators", [{"id": 1}, False], "chat.operators[1]: expected a name"),
        (
            "chat_ended",
            "chat.operators",
            [{"name": 1}],
            "chat.operators[0].name: expected a string",
        ),
        (
            "chat_ended",
            "chat.attachment",
            "file.pdf",
            "chat.attachment: expected an object or a list",
        ),
        (
            "chat_ended",
            "chat.attachment",
            [{"uri": 5}],
            "chat.attachment[0].uri: expected a string",
        ),
        ("chat_ended", "chat.waiting_time", [], "chat.waiting_time: expected a string or a number"),
        ("chat_ended", "chat.chat_transcript", ["a"], "chat.chat_transcript: expected a string"),
        ("chat_ended", "chat", [], "chat: expected an object, got a list"),
        ("chat_wrapped_up", "wrapup.time", "soon", "wrapup.time: 'soon' is not a /Date"),
        (
            "chat_wrapped_up",
            "chat_id",
            {},
            "chat_id: expected a string or an integer, got an object",
        ),
        ("offline_message_submitted", "offline_message", None, "offline_message: missing"),
        ("offline_message_submitted", "offline_message.id", "", "offline_message.id: missing"),
        ("offline_message_submitted", "offline_message.content", {}, "offline_message.content:"),
        ("offline_message_submitted", "offline_message.department", 1.0, "department: expected"),
        ("agent_online", "operator_id", None, "operator_id: missing"),
        ("agent_online", "operator_id", 1.5, "operator_id: expected a string or an integer"),
    ],
)
def test_wrong_field_is_rejected_naming_it(
    name: str, path: str, value: object, message: str
) -> None:
    assert message in rejected(_set(load(name), path, value))
