"""``hookyard simulate``: sample deliveries that verify and parse like real ones."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from deskdirector_support import CONFIG, STATUSES, request_for

from hookyard_deskdirector import DeskDirectorConfig, parse, simulate, verify
from hookyard_deskdirector._simulate import ACTIONS

EXPECTED = {
    "created": "chat.started",
    "handled": "chat.assigned",
    "missed": "chat.missed",
    "completed": "chat.closed",
    "callback": "chat.callback_requested",
}


def test_every_status_is_an_action() -> None:
    assert ACTIONS == STATUSES == tuple(EXPECTED)


@pytest.mark.parametrize("action", ACTIONS)
def test_simulated_delivery_verifies_and_parses(action: str) -> None:
    sample = simulate(CONFIG, action)
    assert sample.headers["x-dd-signature"].startswith("sha256=")
    before = datetime.now(UTC)
    request = request_for(sample.body, dict(sample.headers), datetime.now(UTC))
    verify(CONFIG, request)
    [event] = parse(CONFIG, request)
    assert (event.type, event.vendor_type) == (EXPECTED[action], action)
    assert before - timedelta(seconds=5) <= event.occurred_at <= datetime.now(UTC)
    assert event.customer is not None and event.customer.id is not None
    assert event.data["customer"]["kind"] == "contact"


@pytest.mark.parametrize("action", ACTIONS)
def test_two_simulations_are_two_sessions(action: str) -> None:
    """Session ids are DeskDirector-shaped (``<seconds>-<4 digits>``), so user ids vary too."""
    first, second = (json.loads(simulate(CONFIG, action).body)[0] for _ in "12")
    assert (first["id"], first["creator"]["userId"]) != (second["id"], second["creator"]["userId"])


def test_members_take_part_where_the_status_says_so() -> None:
    for action in ("handled", "completed"):
        [event] = parse(CONFIG, request_for(simulate(CONFIG, action).body))
        assert event.agent is not None and "~m~" in str(event.agent.id)
    [callback] = parse(CONFIG, request_for(simulate(CONFIG, "callback").body))
    assert callback.customer is not None and callback.customer.phone == "+64 9 555 0142"


def test_another_secret_does_not_verify() -> None:
    sample = simulate(DeskDirectorConfig(secret="other"), "created")
    with pytest.raises(Exception, match="does not match"):
        verify(CONFIG, request_for(sample.body, dict(sample.headers)))


def test_without_secret_no_signature_is_sent() -> None:
    assert "x-dd-signature" not in simulate(DeskDirectorConfig(), "missed").headers


def test_unknown_action_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="created.*callback"):
        simulate(CONFIG, "closed")
