"""The ``hubspot`` sink inside a real host: routes, retries, pauses, what is kept."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest
from hubspot_support import TOKEN, chat_event, host_config

from hookyard import Seconds
from hookyard.testing import assert_sink_contract, delivery_request, json_reply
from hookyard_hubspot import AddNote, CreateTicket, HubSpotConfig, HubSpotSink, UpsertContact

if TYPE_CHECKING:
    from hookyard.testing import HostFactory, HubSpotApi

CONTACT_ROUTE = {
    "name": "contact",
    "match": {"type": "chat.started"},
    "action": "upsert_contact",
    "with": {
        "email": "{{ event.customer.email }}",
        "properties": {"firstname": "{{ event.customer.name }}", "lifecyclestage": "lead"},
    },
}
TICKET_ROUTE = {
    "name": "ticket",
    "match": {"type": "chat.started"},
    "action": "create_ticket",
    "with": {
        "subject": "Chat with {{ event.customer.name }}",
        "content": "{{ event.message.text }}",
        "priority": "HIGH",
    },
}
NOTE_ROUTE = {
    "name": "note",
    "match": {"type": "chat.message"},
    "action": "add_note",
    "with": {"body": "{{ event.customer.name }}: {{ event.message.text }}"},
}


async def test_a_conversation_makes_one_contact_one_ticket_and_its_notes(
    hubspot: HubSpotApi, hookyard_host: HostFactory
) -> None:
    config = host_config(hubspot.url, [CONTACT_ROUTE, TICKET_ROUTE, NOTE_ROUTE])
    async with hookyard_host(config) as host:
        await host.post("chats", chat_event("chat.started"))
        await host.post("chats", chat_event("chat.message", text="Any news?"))
        await host.post("chats", chat_event("chat.message", text="Thanks!"))
        deliveries = await host.deliver()
    assert [(d.route, d.status) for d in deliveries] == [
        ("contact", "delivered"),
        ("ticket", "delivered"),
        ("note", "delivered"),
        ("note", "delivered"),
    ]
    [(contact_id, contact)] = hubspot.contacts.items()
    [(ticket_id, ticket)] = hubspot.tickets.items()
    assert contact == {
        "email": "ada@example.com",
        "firstname": "Ada Lovelace",
        "lifecyclestage": "lead",
    }
    assert (ticket["subject"], ticket["content"]) == (
        "Chat with Ada Lovelace",
        "My order has not arrived.",
    )
    assert ticket["hookyard_key"] == "chats/chat/chat-1"
    bodies = sorted(note["hs_note_body"] for note in hubspot.notes.values())
    assert bodies == ["Ada Lovelace: Any news?", "Ada Lovelace: Thanks!"]
    for note_id in hubspot.notes:
        assert hubspot.associated("notes", note_id, "contacts") == {contact_id}
        assert hubspot.associated("notes", note_id, "tickets") == {ticket_id}
    # The ticket and the notes found the contact in the conversation's link.
    assert len(hubspot.handled("POST", ".*/contacts/batch/upsert")) == 1


async def test_a_ticket_timed_out_after_hubspot_made_it_is_not_made_twice(
    hubspot: HubSpotApi, hookyard_host: HostFactory
) -> None:
    hubspot.slow_next(4.0, match="tickets/batch/upsert")
    config = host_config(hubspot.url, [TICKET_ROUTE], timeout="1500ms")  # room for load
    async with hookyard_host(config) as host:
        await host.post("chats", chat_event("chat.started"))
        [delivery] = await host.deliver()
        attempts = await host.attempts(delivery.id)
    assert delivery.status == "delivered"
    assert [(a.outcome, a.error) for a in attempts] == [
        ("retry", "timed out after 1.5s"),
        ("delivered", None),
    ]
    assert len(hubspot.tickets) == 1
    assert (
        delivery.last_response
        == f"ticket {next(iter(hubspot.tickets))} found again (an earlier attempt or route made it)"
    )


async def test_a_note_timed_out_after_hubspot_made_it_is_not_made_twice(
    hubspot: HubSpotApi, hookyard_host: HostFactory
) -> None:
    hubspot.slow_next(4.0, match="POST /crm/v3/objects/notes$")
    config = host_config(hubspot.url, [NOTE_ROUTE], timeout="1500ms")  # room for load
    async with hookyard_host(config) as host:
        await host.post("chats", chat_event("chat.message", text="Any news?"))
        [delivery] = await host.deliver()
    assert delivery.status == "delivered"
    assert delivery.attempts == 2
    [note_id] = hubspot.notes
    assert delivery.last_response == f"note {note_id} was made by an earlier attempt"


async def test_the_daily_limit_parks_the_sink_until_it_resets(
    hubspot: HubSpotApi, hookyard_host: HostFactory, caplog: pytest.LogCaptureFixture
) -> None:
    hubspot.rate_limit("DAILY", retry_after=None)
    config = host_config(hubspot.url, [CONTACT_ROUTE], time_zone="America/New_York")
    with caplog.at_level(logging.WARNING, "hookyard"):
        async with hookyard_host(config) as host:
            await host.post("chats", chat_event("chat.started"))
            [delivery] = await host.deliver()  # the test clock skips the pause
            [limited, _delivered] = await host.attempts(delivery.id)
    assert delivery.status == "delivered"
    assert limited.status_code == 429
    assert "(DAILY limit: resets at midnight America/New_York, in " in (limited.error or "")
    [paused] = [r.getMessage() for r in caplog.records if "paused" in r.getMessage()]
    assert paused.startswith("sink crm paused for ")
    assert len(hubspot.contacts) == 1


async def test_a_refusal_ends_dead_with_hubspots_message(
    hubspot: HubSpotApi, hookyard_host: HostFactory
) -> None:
    config = host_config(hubspot.url, [TICKET_ROUTE], pipeline_stage="7")
    async with hookyard_host(config) as host:
        await host.post("chats", chat_event("chat.started"))
        [delivery] = await host.deliver()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("dead", 1, 400)
    assert "7 was not one of the allowed options: [1, 2, 3, 4]" in (delivery.last_error or "")
    assert '"category": "VALIDATION_ERROR"' in (delivery.last_response or "")


async def test_the_token_is_never_logged_or_kept(
    hubspot: HubSpotApi, hookyard_host: HostFactory, caplog: pytest.LogCaptureFixture
) -> None:
    echo = {
        "status": "error",
        "message": f"token {TOKEN} lacks scopes",
        "category": "MISSING_SCOPES",
    }
    hubspot.fail_next(json_reply(403, echo, {"x-echo": f"Bearer {TOKEN}"}), match="contacts")
    hubspot.fail_next(json_reply(500, echo), match="tickets")
    with caplog.at_level(logging.DEBUG):
        config = host_config(hubspot.url, [CONTACT_ROUTE, TICKET_ROUTE])
        async with hookyard_host(config) as host:
            await host.post("chats", chat_event("chat.started"))
            deliveries = await host.deliver()
            attempts = [a for d in deliveries for a in await host.attempts(d.id)]
    assert [d.status for d in deliveries] == ["dead", "delivered"]
    kept = [caplog.text, *(str(d) for d in deliveries), *(str(a) for a in attempts)]
    assert [t for t in kept if TOKEN in t] == []
    assert "token [redacted] lacks scopes" in (deliveries[0].last_error or "")


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("upsert_contact", UpsertContact("ada@example.com")),
        ("add_note", AddNote("Hi")),
        ("create_ticket", CreateTicket("Help")),
    ],
)
async def test_every_action_keeps_the_sink_contract(action: str, params: Any) -> None:
    def open_sink(url: str) -> HubSpotSink:
        return HubSpotSink(HubSpotConfig(token=TOKEN, api_url=url, timeout=Seconds(0.5)))

    request = delivery_request(action, params)
    await assert_sink_contract(open_sink, request, secrets=[TOKEN], timeout=0.5)
