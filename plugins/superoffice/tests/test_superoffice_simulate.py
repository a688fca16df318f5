"""``simulate``: every event, signed, fresh, and parsed back as the README says."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from superoffice_support import SECRET, SOURCE

from hookyard import WebhookRequest
from hookyard_superoffice import ACTIONS, EVENTS, SuperOfficeConfig, parse, simulate, verify

if TYPE_CHECKING:
    from hookyard.testing import HostFactory

CONFIG = SuperOfficeConfig(secret=SECRET)
HOST_CONFIG = {"sources": {SOURCE: {"vendor": "superoffice", "secret": SECRET}}}
#: Each action and the normalized type it must become.
TYPES = {
    "chatsession.created": "chat.started",
    "chatsession.message": "chat.message",
    "chatsession.changed": "chat.status_changed",
    "chatsession.changed:queued": "chat.requested",
    "chatsession.changed:closed": "chat.closed",
    "chatsession.changed:rated": "chat.rated",
    "chatsession.changed:details": "chat.updated",
    "test": "webhook.test",
    "webhook.started": "webhook.status_changed",
    "webhook.stopped": "webhook.status_changed",
    "webhook.errors": "webhook.status_changed",
}


def _request(sample_headers: dict[str, str], body: bytes) -> WebhookRequest:
    """As the HTTP edge hands it over: header names lower-cased."""
    headers = {name.lower(): value for name, value in sample_headers.items()}
    return WebhookRequest(source=SOURCE, body=body, headers=headers, received_at=datetime.now(UTC))


def test_every_event_can_be_simulated() -> None:
    assert list(TYPES) == list(ACTIONS)
    assert {action.split(":")[0] for action in ACTIONS} == set(EVENTS)


@pytest.mark.parametrize(("action", "event_type"), TYPES.items())
def test_simulated_delivery_verifies_and_parses(action: str, event_type: str) -> None:
    before = time.time()
    sample = simulate(CONFIG, action)
    request = _request(dict(sample.headers), sample.body)
    verify(CONFIG, request)
    [event] = parse(CONFIG, request)
    assert event.type == event_type
    assert event.vendor_type == action.split(":")[0]
    assert event.id == json.loads(sample.body)["EventId"]
    assert before - 1 <= event.occurred_at.timestamp() <= time.time() + 1
    assert event.data["context_identifier"] == "Cust12345"


def test_timestamps_have_seven_fractional_digits() -> None:
    stamp = json.loads(simulate(CONFIG, "chatsession.created").body)["Timestamp"]
    assert len(stamp.split(".")[1]) == len("1234567Z")


def test_the_test_delivery_looks_like_superoffice_s() -> None:
    sample = simulate(CONFIG, "test")
    body = json.loads(sample.body)
    assert sample.headers["X-Hook-Test"] == "true"
    assert (body["Event"], body["Entity"], body["PrimaryKey"]) == ("test", "test", 0)
    assert sample.headers["X-SuperOffice-EventId"] != body["EventId"]


@pytest.mark.parametrize("action", ["webhook.started", "webhook.stopped", "webhook.errors"])
def test_state_events_name_the_webhook_in_the_header_only(action: str) -> None:
    sample = simulate(CONFIG, action)
    body = json.loads(sample.body)
    assert body["Event"] == action
    assert sample.headers["X-SuperOffice-Event"] == action.replace(
        "webhook.", f"webhook{body['PrimaryKey']}."
    )
    assert "Entity" not in body


def test_ids_are_fresh() -> None:
    first = json.loads(simulate(CONFIG, "chatsession.created").body)
    second = json.loads(simulate(CONFIG, "chatsession.created").body)
    assert first["EventId"] != second["EventId"]


def test_unsigned_without_a_secret() -> None:
    assert "X-SuperOffice-Signature" not in simulate(SuperOfficeConfig(), "test").headers


def test_unknown_action_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown SuperOffice action"):
        simulate(CONFIG, "chatsession.closed")


async def test_host_stores_every_simulated_delivery(hookyard_host: HostFactory) -> None:
    async with hookyard_host(HOST_CONFIG) as host:
        answers = [await host.simulate(SOURCE, action) for action in ACTIONS]
    assert [(a.status, a.body) for a in answers] == [(200, {"stored": 1, "duplicates": 0})] * len(
        ACTIONS
    )
