"""``hookyard simulate``: sample deliveries that pass verify and parse like real ones."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from livechat_support import request_for

from hookyard_livechat import LiveChatConfig, parse, simulate, verify
from hookyard_livechat._parse import HANDLERS
from hookyard_livechat._simulate import ACTIONS

CONFIG = LiveChatConfig(secret="simulated-secret")
EXPECTED = {
    "incoming_chat": "chat.started",
    "incoming_event": "chat.message",
    "rating": "chat.rated",
    "file": "chat.message",
    "event_updated": "chat.message_updated",
    "event_deleted": "chat.message_deleted",
    "incoming_rich_message_postback": "chat.message_updated",
    "chat_transferred": "chat.transferred",
    "chat_access_updated": "chat.updated",
    "user_added_to_chat": "chat.participant_added",
    "user_removed_from_chat": "chat.participant_removed",
    "thread_tagged": "chat.tagged",
    "thread_untagged": "chat.untagged",
    "chat_properties_updated": "chat.updated",
    "chat_properties_deleted": "chat.updated",
    "thread_properties_updated": "chat.updated",
    "thread_properties_deleted": "chat.updated",
    "event_properties_updated": "chat.message_updated",
    "event_properties_deleted": "chat.message_updated",
    "thread_summary_set": "chat.updated",
    "events_marked_as_seen": "chat.seen",
    "chat_deactivated": "chat.closed",
    "routing_status_set": "agent.status_changed",
    "incoming_customer": "customer.created",
    "customer_session_fields_updated": "customer.updated",
    "agent_created": "agent.created",
    "agent_approved": "agent.updated",
    "agent_updated": "agent.updated",
    "agent_suspended": "agent.updated",
    "agent_unsuspended": "agent.updated",
    "agent_deleted": "agent.deleted",
    "bot_created": "agent.created",
    "bot_updated": "agent.updated",
    "bot_deleted": "agent.deleted",
    "auto_accesses_updated": "config.changed",
    "group_created": "config.changed",
    "group_updated": "config.changed",
    "group_deleted": "config.changed",
    "tag_created": "config.changed",
    "tag_updated": "config.changed",
    "tag_deleted": "config.changed",
}


def test_every_action_is_listed() -> None:
    assert set(ACTIONS) == set(EXPECTED)


def test_every_mapped_livechat_action_can_be_sent() -> None:
    sent = {json.loads(simulate(CONFIG, action).body)["action"] for action in ACTIONS}
    assert set(HANDLERS) - sent == {"auto_access_added"}  # the docs' alias of one action


@pytest.mark.parametrize("action", ["agent_created", "tag_deleted", "auto_accesses_updated"])
def test_configuration_samples_carry_a_requester(action: str) -> None:
    (event,) = parse(CONFIG, request_for(simulate(CONFIG, action).body))
    assert event.data["requester"]["user_id"] == "smith@example.com"


@pytest.mark.parametrize("action", ACTIONS)
def test_simulated_delivery_verifies_and_parses(action: str) -> None:
    sample = simulate(CONFIG, action)
    assert sample.headers["content-type"] == "application/json"
    request = request_for(sample.body, datetime.now(UTC))
    verify(CONFIG, request)
    (event,) = parse(CONFIG, request)
    assert event.type == EXPECTED[action]
    assert json.loads(sample.body)["secret_key"] == "simulated-secret"
    assert "secret_key" not in event.raw


@pytest.mark.parametrize("action", ACTIONS)
def test_two_simulations_are_two_events(action: str) -> None:
    first, second = (parse(CONFIG, request_for(simulate(CONFIG, action).body)) for _ in "12")
    assert first[0].id != second[0].id
    if first[0].chat is not None and second[0].chat is not None:
        assert first[0].chat.id != second[0].chat.id


@pytest.mark.parametrize(
    "action",
    ["incoming_chat", "incoming_event", "rating", "file", "incoming_customer", "tag_created"],
)
def test_simulated_timestamps_are_now(action: str) -> None:
    before = datetime.now(UTC)
    (event,) = parse(CONFIG, request_for(simulate(CONFIG, action).body))
    assert before - timedelta(seconds=1) <= event.occurred_at <= datetime.now(UTC)


def test_ids_look_like_livechat_ids() -> None:
    body = json.loads(simulate(CONFIG, "incoming_event").body)
    chat_id, thread_id = body["payload"]["chat_id"], body["payload"]["thread_id"]
    assert len(chat_id) == 10 and chat_id.isalnum() and chat_id.upper() == chat_id
    assert body["payload"]["event"]["id"].startswith(f"{thread_id}_")


def test_rating_sample_carries_a_score() -> None:
    (event,) = parse(CONFIG, request_for(simulate(CONFIG, "rating").body))
    assert event.chat is not None and event.chat.rating is not None
    assert event.chat.rating.value == "good"


def test_configured_organization_is_used() -> None:
    config = LiveChatConfig(secret="s", organization_id="my-organization")
    sample = simulate(config, "thread_tagged")
    assert json.loads(sample.body)["organization_id"] == "my-organization"
    verify(config, request_for(sample.body))


def test_unknown_action_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="incoming_chat.*thread_tagged"):
        simulate(CONFIG, "incoming_chats")
