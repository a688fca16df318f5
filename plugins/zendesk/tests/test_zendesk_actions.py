"""Each action against the Zendesk contract server: what arrives, what the link keeps."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import pytest
from zendesk_support import EMAIL, TOKEN

from hookyard import DeliveryFailed
from hookyard.testing import delivery_request, sample_event, would_retry
from hookyard_zendesk import AddComment, CreateTicket, SetStatus

if TYPE_CHECKING:
    from hookyard.testing import ZendeskApi
    from hookyard_zendesk import ZendeskSink

TICKET = CreateTicket(subject="Chat with Ada", body="My order has not arrived.")


async def test_create_ticket_makes_the_conversations_ticket(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    params = CreateTicket("Chat with Ada", "Where is my order?", "urgent", ["chat", "vip"])
    request = delivery_request("create_ticket", params, chat_id="c-1")
    result = await sink.deliver(request)
    [ticket] = zendesk.tickets.values()
    assert result.response == f"ticket {ticket['id']} created"
    assert result.link == {"ticket_id": ticket["id"]}
    assert (ticket["subject"], ticket["description"], ticket["priority"], ticket["tags"]) == (
        "Chat with Ada",
        "Where is my order?",
        "urgent",
        ["chat", "vip"],
    )
    assert ticket["external_id"] == request.conversation == "livechat-main/chat/c-1"
    [created] = zendesk.handled("POST", r"/api/v2/tickets\.json")
    assert created.headers["idempotency-key"] == request.idempotency_key
    basic = base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()
    assert created.headers["authorization"] == f"Basic {basic}"
    sent = created.json()["ticket"]
    assert sent["requester"] == {"email": "ada@example.com", "name": "Ada Lovelace"}


async def test_a_customer_without_email_leaves_the_agent_as_requester(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    event = sample_event("chat.started", chat_id="c-2", customer={"id": "v-1", "name": "Guest"})
    await sink.deliver(delivery_request("create_ticket", TICKET, event=event))
    [created] = zendesk.handled("POST", r"/api/v2/tickets\.json")
    assert "requester" not in created.json()["ticket"]
    [ticket] = zendesk.tickets.values()
    assert ticket["requester_id"] == 1  # the API's agent


async def test_a_conversation_with_a_ticket_in_its_link_gets_no_second(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    first = await sink.deliver(delivery_request("create_ticket", TICKET, chat_id="c-4"))
    known = first.link
    assert known is not None
    result = await sink.deliver(delivery_request("create_ticket", TICKET, link=known))
    assert result.response == f"ticket {known['ticket_id']} exists for this conversation"
    assert len(zendesk.tickets) == 1
    assert len(zendesk.handled("POST", ".*")) == 1  # one create


async def test_a_ticket_with_the_conversations_external_id_is_adopted(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    first = await sink.deliver(delivery_request("create_ticket", TICKET, chat_id="c-3"))
    again = await sink.deliver(delivery_request("create_ticket", TICKET, chat_id="c-3"))
    assert len(zendesk.tickets) == 1
    assert again.link == first.link
    assert (
        again.response
        == f"ticket {first.link['ticket_id']} exists with this conversation's external_id"
    )
    [lookup, _] = zendesk.handled("GET", r"/api/v2/tickets\.json")
    assert "external_id=livechat-main%2Fchat%2Fc-3" in lookup.path


async def test_add_comment_is_an_internal_note_on_the_linked_ticket(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    made = await sink.deliver(delivery_request("create_ticket", TICKET))
    link = made.link
    result = await sink.deliver(delivery_request("add_comment", AddComment("Any news?"), link=link))
    ticket_id = link["ticket_id"]
    assert result.response == f"internal note added to ticket {ticket_id}"
    assert result.link is None  # nothing new to keep
    note = zendesk.comments[ticket_id][-1]
    assert (note["body"], note["public"]) == ("Any news?", False)
    public = AddComment("We shipped it today.", public=True)
    answered = await sink.deliver(delivery_request("add_comment", public, link=link))
    assert answered.response == f"public reply added to ticket {ticket_id}"
    assert zendesk.comments[ticket_id][-1]["public"] is True


async def test_without_a_link_the_ticket_is_found_by_external_id(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    made = await sink.deliver(delivery_request("create_ticket", TICKET, chat_id="c-4"))
    request = delivery_request("add_comment", AddComment("Still waiting"), chat_id="c-4")
    result = await sink.deliver(request)
    assert result.link == made.link  # kept for the next delivery of the conversation
    assert zendesk.comments[made.link["ticket_id"]][-1]["body"] == "Still waiting"


async def test_a_comment_without_a_ticket_is_dead_saying_why(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    request = delivery_request("add_comment", AddComment("Hello?"), chat_id="c-5")
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(request)
    assert failed.value.reason == (
        "add_comment: no Zendesk ticket for conversation 'livechat-main/chat/c-5' yet: "
        "route create_ticket for an earlier event of the conversation"
    )
    assert not would_retry(failed.value)
    assert zendesk.handled("PUT", ".*") == []


async def test_an_event_of_no_conversation_has_no_ticket_to_update(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    event = sample_event("chat.closed", chat_id=None, customer=None)
    request = delivery_request("set_status", SetStatus("solved"), event=event, chat_id=None)
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(request)
    assert "the event has no chat and no customer" in failed.value.reason
    assert not would_retry(failed.value)
    assert zendesk.requests == []


async def test_set_status_solves_the_ticket(sink: ZendeskSink, zendesk: ZendeskApi) -> None:
    made = await sink.deliver(delivery_request("create_ticket", TICKET))
    request = delivery_request("set_status", SetStatus("solved"), link=made.link)
    result = await sink.deliver(request)
    ticket_id = made.link["ticket_id"]
    assert result.response == f"ticket {ticket_id} set to solved"
    assert zendesk.tickets[ticket_id]["status"] == "solved"


async def test_a_deleted_ticket_is_dead_and_forgotten_by_the_link(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    request = delivery_request("add_comment", AddComment("Hi"), link={"ticket_id": 999})
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(request)
    assert failed.value.reason == (
        f"updating the comment of ticket 999: HTTP 404 from {zendesk.url[7:]}: "
        "RecordNotFound: Not found"
    )
    assert failed.value.link == {"ticket_id": None}
    assert not would_retry(failed.value)
