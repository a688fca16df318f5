"""``simulate``: every documented event, signed, fresh, and parsed back as documented."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from helpcrunch_support import SECRET, SOURCE

from hookyard import WebhookRequest
from hookyard_helpcrunch import ACTIONS, EVENTS, HelpCrunchConfig, parse, simulate, verify

CONFIG = HelpCrunchConfig(secret=SECRET)


def test_every_documented_event_can_be_simulated() -> None:
    assert ACTIONS == EVENTS
    assert len(ACTIONS) == 20


@pytest.mark.parametrize("action", ACTIONS)
def test_simulated_delivery_verifies_and_parses(action: str) -> None:
    before = time.time()
    sample = simulate(CONFIG, action)
    request = _request(sample.body, dict(sample.headers))
    verify(CONFIG, request)
    [event] = parse(CONFIG, request)
    assert event.vendor_type == action
    assert event.type != "unknown"
    assert before - 1 <= event.occurred_at.timestamp() <= time.time() + 1
    assert event.data["attempts"] == 0
    assert event.customer is not None and event.customer.name == "Thomas Anderson"


def test_bodies_are_written_like_php_json_encode() -> None:
    body = simulate(CONFIG, "chat.new").body
    assert b"https:\\/\\/shop.example.com" in body


@pytest.mark.parametrize("action", ["chat.new", "message.chat.customer", "customer.new"])
def test_ids_are_fresh(action: str) -> None:
    first = parse(CONFIG, _request(simulate(CONFIG, action).body))[0]
    second = parse(CONFIG, _request(simulate(CONFIG, action).body))[0]
    assert first.id != second.id


def test_unsigned_without_a_secret() -> None:
    assert "x-helpcrunch-signature" not in simulate(HelpCrunchConfig(), "chat.new").headers


def test_unknown_action_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown HelpCrunch event"):
        simulate(CONFIG, "chat.created")


def _request(body: bytes, headers: dict[str, str] | None = None) -> WebhookRequest:
    return WebhookRequest(
        source=SOURCE, body=body, headers=headers or {}, received_at=datetime.now(UTC)
    )
