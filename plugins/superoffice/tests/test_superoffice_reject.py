"""What is not a SuperOffice notification is refused (400, nothing stored), naming why."""

from __future__ import annotations

from typing import Any

import pytest
from superoffice_support import SECRET, load, request_for

from hookyard import PayloadRejected
from hookyard_superoffice import SuperOfficeConfig, parse

CONFIG = SuperOfficeConfig(secret=SECRET)


def _rejected(body: bytes | dict[str, Any]) -> str:
    with pytest.raises(PayloadRejected) as info:
        parse(CONFIG, request_for(body))
    return str(info.value)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "not JSON"),
        (b"EventId=1&Event=test", "not JSON"),
        # SuperOffice's own samples, uncorrected: the parser stays strict.
        (
            b'{"Event": "chatsession.changed", "PrimaryKey": 1, "FieldValues": {"UserId": 0,}}',
            "not JSON",
        ),
        (b'[{"Event": "test"}]', "not a JSON object"),
        (b'"test"', "not a JSON object"),
        (b"{}", "no Event"),
        (b'{"Event": ""}', "no Event"),
        (b'{"Event": 5}', "Event is not a string"),
        (b'{"event": "test", "Event": "test"}', "twice"),
    ],
)
def test_not_a_superoffice_body(body: bytes, reason: str) -> None:
    assert reason in _rejected(body)


def _with(**overrides: Any) -> dict[str, Any]:
    body = load("chatsession_changed_closed")
    body.update(overrides)
    return body


def _with_values(**values: Any) -> dict[str, Any]:
    body = load("chatsession_changed_closed")
    body["FieldValues"].update(values)
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_with(PrimaryKey=None), "PrimaryKey"),
        (_with(PrimaryKey="chat-1"), "PrimaryKey"),
        (_with(PrimaryKey=True), "PrimaryKey"),
        (_with(EventId=17), "EventId"),
        (_with(Changes="status"), "Changes"),
        (_with(Changes=[1, 2]), "Changes"),
        (_with(FieldValues=[]), "FieldValues"),
        (_with(Timestamp="yesterday"), "Timestamp"),
        (_with(Timestamp="2025-13-01T00:00:00Z"), "Timestamp"),
        (_with(Timestamp="2025-07-07T09:00:00+25:00"), "Timestamp"),
        (_with(Timestamp="0001-01-01T00:30:00+02:00"), "Timestamp"),  # before year 1 in UTC
        (_with(Timestamp=1751879700), "Timestamp"),
        (_with(ContextIdentifier=12345), "ContextIdentifier"),
        (_with_values(status="closed"), "status"),
        (_with_values(status=7.5), "status"),
        (_with_values(rating=[5]), "rating"),
        (_with_values(userId="agent"), "userId"),
        (_with_values(consented="yes"), "consented"),
        (_with_values(customerAlias={"name": "Thomas"}), "customerAlias"),
        (_with_values(Status=7), "twice"),
    ],
)
def test_a_field_of_the_wrong_type_is_named(body: dict[str, Any], field: str) -> None:
    assert field in _rejected(body)


def test_state_event_with_a_broken_date() -> None:
    body = load("webhook_errors")
    body["FieldValues"]["registered"] = "14.05.2025 16:11"
    assert "registered" in _rejected(body)
