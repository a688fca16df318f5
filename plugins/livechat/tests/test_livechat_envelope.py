"""Bodies LiveChat never sends are refused (400); authentic but odd ones raise (unparsed)."""

from __future__ import annotations

import json

import pytest
from livechat_support import SECRET, Body, changed, fixture_names, load, request_for

from hookyard import PayloadRejected
from hookyard_livechat import LiveChatConfig, parse

CONFIG = LiveChatConfig(secret=SECRET)


@pytest.mark.parametrize(
    "body",
    [
        b"action=incoming_chat",
        b"",
        b'{"action": "incoming_chat", }',
        json.dumps([1, 2]).encode(),
        json.dumps({"payload": {}}).encode(),
        json.dumps({"action": 7, "payload": {}}).encode(),
        json.dumps({"action": "", "payload": {}}).encode(),
        json.dumps({"action": "incoming_chat"}).encode(),
        json.dumps({"action": "incoming_chat", "payload": "chat"}).encode(),
    ],
)
def test_wrong_envelope_is_rejected(body: bytes) -> None:
    with pytest.raises(PayloadRejected):
        parse(CONFIG, request_for(body))


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (changed("incoming_chat", "payload", "chat", value="PJ0MRSHTDG"), TypeError),
        (changed("incoming_chat", "payload", "chat", "users", value={}), TypeError),
        (changed("incoming_event", "payload", "event", value=None), TypeError),
        (
            changed("incoming_event", "payload", "event", "created_at", value="yesterday"),
            ValueError,
        ),
        (
            changed(
                "incoming_event", "payload", "event", "created_at", value="2017-10-12T15:21:07"
            ),
            ValueError,
        ),
        (changed("incoming_event", "payload", "chat_id", value=42), TypeError),
        (changed("incoming_event_file", "payload", "event", "size", value="big"), TypeError),
        (
            changed("chat_transferred", "payload", "transferred_to", "group_ids", value=["19"]),
            TypeError,
        ),
        (changed("thread_tagged", "payload", "tag", value=None), ValueError),
        (changed("user_added_to_chat", "payload", "user", value="jones@example.com"), TypeError),
        (changed("thread_untagged", "payload", value=[]), TypeError),
    ],
)
def test_malformed_inside_raises_a_plain_error(body: Body, error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        parse(CONFIG, request_for(body))
    assert not isinstance(info.value, PayloadRejected)


@pytest.mark.parametrize("name", fixture_names())
def test_raw_keeps_the_body_without_the_secret(name: str) -> None:
    body = load(name)
    (event,) = parse(CONFIG, request_for(body))
    assert "secret_key" not in event.raw
    assert SECRET not in json.dumps(event.raw)
    assert event.raw == {key: value for key, value in body.items() if key != "secret_key"}
    assert event.raw["webhook_id"] == body["webhook_id"]
