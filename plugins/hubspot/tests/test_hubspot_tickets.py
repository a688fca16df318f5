"""``create_ticket``: one ticket per conversation, upserted on a unique property."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hubspot_support import TOKEN, open_sink

from hookyard import DeliveryFailed
from hookyard.testing import HubSpotApi, delivery_request, sample_event, would_retry
from hookyard_hubspot import CreateTicket

if TYPE_CHECKING:
    from hookyard_hubspot import HubSpotSink

TICKET = CreateTicket("Order not arrived", content="Where is it?", priority="HIGH")


async def test_a_ticket_is_made_in_the_pipeline_for_the_customer(
    hubspot: HubSpotApi, sink: HubSpotSink
) -> None:
    request = delivery_request("create_ticket", TICKET, chat_id="c-7")
    result = await sink.deliver(request)
    [(ticket_id, ticket)] = hubspot.tickets.items()
    [(contact_id, contact)] = hubspot.contacts.items()
    assert ticket == {
        "subject": "Order not arrived",
        "content": "Where is it?",
        "hs_ticket_priority": "HIGH",
        "hs_pipeline": "0",
        "hs_pipeline_stage": "1",
        "hookyard_key": "livechat-main/chat/c-7",
    }
    assert contact["email"] == "ada@example.com"  # the event's customer
    assert hubspot.associated("tickets", ticket_id, "contacts") == {contact_id}
    assert result.link == {"ticket_id": ticket_id, "contact_id": contact_id}
    assert result.response == f"ticket {ticket_id} created"


async def test_a_later_delivery_of_the_conversation_reuses_the_ticket(
    hubspot: HubSpotApi, sink: HubSpotSink
) -> None:
    first = await sink.deliver(delivery_request("create_ticket", TICKET))
    later = delivery_request("create_ticket", CreateTicket("Again"), link=first.link)
    result = await sink.deliver(later)
    assert len(hubspot.tickets) == 1
    assert hubspot.tickets[first.link["ticket_id"]]["subject"] == "Order not arrived"
    assert (
        result.response
        == f"ticket {first.link['ticket_id']} was made for this conversation already"
    )


async def test_a_retry_after_a_timeout_finds_the_ticket_instead_of_a_second(
    hubspot: HubSpotApi,
) -> None:
    sink = open_sink(hubspot, timeout=0.3)
    request = delivery_request("create_ticket", TICKET)
    hubspot.slow_next(1.0, match="tickets/batch/upsert")
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(request)
        assert failed.value.reason == "timed out after 0.3s"
        assert would_retry(failed.value)
        retry = delivery_request("create_ticket", TICKET, attempt=2, link=failed.value.link)
        result = await sink.deliver(retry)
    finally:
        await sink.aclose()
    [ticket_id] = hubspot.tickets
    assert len(hubspot.handled("POST", "/crm/v3/objects/tickets/batch/upsert")) == 2
    assert result.link == {"ticket_id": ticket_id}
    assert (
        result.response == f"ticket {ticket_id} found again (an earlier attempt or route made it)"
    )


async def test_without_a_conversation_the_idempotency_key_is_the_key(
    hubspot: HubSpotApi, sink: HubSpotSink
) -> None:
    event = sample_event("offline_message.received", chat_id=None, customer=None)
    request = delivery_request("create_ticket", CreateTicket("Offline"), event=event, chat_id=None)
    result = await sink.deliver(request)
    [ticket] = hubspot.tickets.values()
    assert ticket["hookyard_key"] == request.idempotency_key
    assert hubspot.contacts == {}  # the event names no customer
    assert result.link == {"ticket_id": next(iter(hubspot.tickets))}


async def test_properties_can_choose_another_stage(hubspot: HubSpotApi, sink: HubSpotSink) -> None:
    params = CreateTicket("Billing", properties={"hs_pipeline_stage": "3", "source_type": "CHAT"})
    await sink.deliver(delivery_request("create_ticket", params))
    [ticket] = hubspot.tickets.values()
    assert (ticket["hs_pipeline_stage"], ticket["source_type"]) == ("3", "CHAT")


async def test_a_stage_the_pipeline_lacks_is_dead_with_hubspots_message(
    hubspot: HubSpotApi,
) -> None:
    sink = open_sink(hubspot, pipeline_stage="9")
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(delivery_request("create_ticket", TICKET))
    finally:
        await sink.aclose()
    assert failed.value.status_code == 400
    assert "9 was not one of the allowed options" in failed.value.reason
    assert not would_retry(failed.value)
    # The contact it made first is kept for the conversation's next delivery.
    assert failed.value.link == {"contact_id": next(iter(hubspot.contacts))}


async def test_a_portal_without_the_unique_property_is_dead_saying_so() -> None:
    with HubSpotApi(token=TOKEN, unique_ticket_property=None) as api:
        sink = open_sink(api)
        try:
            with pytest.raises(DeliveryFailed) as failed:
                await sink.deliver(delivery_request("create_ticket", TICKET))
        finally:
            await sink.aclose()
    assert "Property hookyard_key is not a unique identifier property" in failed.value.reason
    assert not would_retry(failed.value)
    assert api.tickets == {}
