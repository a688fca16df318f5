"""``simulate``: every Comm100 event, fresh, and parsed back as documented."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from comm100_support import SOURCE

from hookyard import WebhookRequest
from hookyard_comm100 import ACTIONS, EVENTS, Comm100Config, parse, simulate

CONFIG = Comm100Config()

EXPECTED_TYPES = {
    "offline_message_submitted": "offline_message.received",
    "chat_request": "chat.requested",
    "chat_started": "chat.started",
    "chat_transferred": "chat.transferred",
    "chat_ended": "chat.closed",
    "chat_wrapped_up": "chat.wrapped_up",
    "online": "agent.status_changed",
    "away": "agent.status_changed",
    "login": "agent.status_changed",
    "logout": "agent.status_changed",
}


def test_every_event_can_be_simulated_by_its_payload_name() -> None:
    assert set(ACTIONS) == set(EXPECTED_TYPES)
    assert set(ACTIONS) == set(EVENTS) - {"chat_wraped_up", "chat_requested"}


@pytest.mark.parametrize("action", ACTIONS)
def test_simulated_delivery_parses_as_its_event(action: str) -> None:
    before = time.time()
    sample = simulate(CONFIG, action)
    assert sample.headers["content-type"].startswith("application/json")
    [event] = parse(CONFIG, _request(sample.body))
    assert (event.vendor_type, event.type) == (action, EXPECTED_TYPES[action])
    assert before - 600 <= event.occurred_at.timestamp() <= time.time() + 1
    if action in {"online", "away", "login", "logout"}:
        assert event.agent is not None and event.data == {"status": action}
    else:
        assert event.customer is not None and event.customer.name == "Thomas Anderson"


def test_ended_chat_sample_has_transcript_rating_and_agent() -> None:
    [event] = parse(CONFIG, _request(simulate(CONFIG, "chat_ended").body))
    assert "⊙".encode() in simulate(CONFIG, "chat_ended").body
    assert event.chat is not None and event.chat.rating is not None
    assert event.chat.rating.value == "5"
    assert event.agent is not None and event.agent.name == "Paula Smith"
    assert event.data["transcript"][-1] == "The chat is ended."


@pytest.mark.parametrize("action", ["chat_started", "offline_message_submitted", "online"])
def test_ids_are_fresh(action: str) -> None:
    first = parse(CONFIG, _request(simulate(CONFIG, action).body))[0]
    second = parse(CONFIG, _request(simulate(CONFIG, action).body))[0]
    assert first.id != second.id


def test_unknown_action_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown Comm100 event 'chatStarts'"):
        simulate(CONFIG, "chatStarts")


def _request(body: bytes) -> WebhookRequest:
    return WebhookRequest(source=SOURCE, body=body, headers={}, received_at=datetime.now(UTC))
