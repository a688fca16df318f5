"""``add_note``: a note on the conversation's contact, found again rather than repeated."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hubspot_support import open_sink

from hookyard import DeliveryFailed
from hookyard.testing import delivery_request, sample_event, would_retry
from hookyard_hubspot import AddNote, CreateTicket

if TYPE_CHECKING:
    from hookyard.testing import HubSpotApi
    from hookyard_hubspot import HubSpotSink


async def test_a_note_goes_on_the_customers_contact(hubspot: HubSpotApi, sink: HubSpotSink) -> None:
    event = sample_event(occurred_at="2026-05-04T12:30:00.125+02:00")
    result = await sink.deliver(delivery_request("add_note", AddNote("Customer: hi"), event=event))
    [(note_id, note)] = hubspot.notes.items()
    [contact_id] = hubspot.contacts
    assert note == {"hs_timestamp": "2026-05-04T10:30:00.125Z", "hs_note_body": "Customer: hi"}
    assert hubspot.associated("notes", note_id, "contacts") == {contact_id}
    assert result.link == {"contact_id": contact_id}  # kept for the next note
    assert result.response == f"note {note_id} on contact {contact_id}"


async def test_the_linked_contact_and_ticket_get_the_note(
    hubspot: HubSpotApi, sink: HubSpotSink
) -> None:
    made = await sink.deliver(delivery_request("create_ticket", CreateTicket("Help")))
    contacts_upserted = len(hubspot.handled("POST", ".*/contacts/batch/upsert"))
    result = await sink.deliver(delivery_request("add_note", AddNote("Later"), link=made.link))
    [note_id] = hubspot.notes
    assert hubspot.associated("notes", note_id, "contacts") == {made.link["contact_id"]}
    assert hubspot.associated("notes", note_id, "tickets") == {made.link["ticket_id"]}
    assert len(hubspot.handled("POST", ".*/contacts/batch/upsert")) == contacts_upserted
    assert result.link is None  # nothing new for the conversation


async def test_a_retry_after_a_timeout_finds_the_note_instead_of_a_second(
    hubspot: HubSpotApi,
) -> None:
    sink = open_sink(hubspot, timeout=0.3)
    event = sample_event()
    hubspot.slow_next(1.0, match="POST /crm/v3/objects/notes$")
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(delivery_request("add_note", AddNote("Hi"), event=event))
        assert would_retry(failed.value)
        # Another note of the contact, with the same text at another time, is not it.
        other = sample_event(occurred_at="2026-01-01T00:00:00Z")
        await sink.deliver(delivery_request("add_note", AddNote("Hi"), event=other))
        retry = delivery_request(
            "add_note", AddNote("Hi"), event=event, attempt=2, link=failed.value.link
        )
        result = await sink.deliver(retry)
    finally:
        await sink.aclose()
    assert len(hubspot.notes) == 2
    [first_note] = [
        k for k, v in hubspot.notes.items() if v["hs_timestamp"] != "2026-01-01T00:00:00.000Z"
    ]
    assert result.response == f"note {first_note} was made by an earlier attempt"
    assert len(hubspot.handled("POST", "/crm/v3/objects/notes")) == 2


async def test_a_retry_whose_first_try_made_nothing_makes_the_note(
    hubspot: HubSpotApi, sink: HubSpotSink
) -> None:
    request = delivery_request("add_note", AddNote("Hi"), attempt=3)
    result = await sink.deliver(request)
    [note_id] = hubspot.notes
    assert result.response.startswith(f"note {note_id} on contact")


async def test_a_conversation_without_a_contact_is_dead(
    hubspot: HubSpotApi, sink: HubSpotSink
) -> None:
    event = sample_event(customer={"id": "v-1", "name": "Visitor"})
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(delivery_request("add_note", AddNote("Hi"), event=event))
    assert "no contact to put the note on" in failed.value.reason
    assert not would_retry(failed.value)
    assert hubspot.requests == []


async def test_a_note_longer_than_hubspot_takes_is_dead(sink: HubSpotSink) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(delivery_request("add_note", AddNote("x" * 65_537)))
    assert failed.value.reason == (
        "with.body has 65,537 characters; HubSpot takes at most 65,536 in a note"
    )
    assert not would_retry(failed.value)


async def test_a_deleted_contact_is_dead_with_hubspots_message(sink: HubSpotSink) -> None:
    request = delivery_request("add_note", AddNote("Hi"), link={"contact_id": "999999"})
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(request)
    assert "Association to 999999 with type 202 is not valid" in failed.value.reason
    assert not would_retry(failed.value)
