"""``upsert_contact``: one contact per e-mail address, however often it is delivered."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hubspot_support import TOKEN, open_sink

from hookyard import DeliveryFailed
from hookyard.testing import delivery_request, json_reply, would_retry
from hookyard_hubspot import UpsertContact

if TYPE_CHECKING:
    from hookyard.testing import HubSpotApi
    from hookyard_hubspot import HubSpotSink


async def test_a_contact_is_made_and_its_id_kept_for_the_conversation(
    hubspot: HubSpotApi, sink: HubSpotSink
) -> None:
    params = UpsertContact("ada@example.com", {"firstname": "Ada", "phone": 5551234})
    result = await sink.deliver(delivery_request("upsert_contact", params))
    [(contact_id, contact)] = hubspot.contacts.items()
    assert contact == {"email": "ada@example.com", "firstname": "Ada", "phone": "5551234"}
    assert result.link == {"contact_id": contact_id}
    assert result.response == f"contact {contact_id} created"
    [sent] = hubspot.handled("POST", "/crm/v3/objects/contacts/batch/upsert")
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert sent.json()["inputs"][0]["idProperty"] == "email"


async def test_the_same_address_again_updates_the_same_contact(
    hubspot: HubSpotApi, sink: HubSpotSink
) -> None:
    await sink.deliver(delivery_request("upsert_contact", UpsertContact("ada@example.com")))
    again = UpsertContact("ada@example.com", {"lastname": "Lovelace", "website": True})
    result = await sink.deliver(delivery_request("upsert_contact", again))
    [(contact_id, contact)] = hubspot.contacts.items()
    assert result.response == f"contact {contact_id} updated"
    assert (contact["lastname"], contact["website"]) == ("Lovelace", "true")


async def test_an_invalid_address_is_dead_with_hubspots_message(sink: HubSpotSink) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(delivery_request("upsert_contact", UpsertContact("not-an-address")))
    assert failed.value.status_code == 400
    assert "VALIDATION_ERROR" in failed.value.reason
    assert "Email address not-an-address is invalid" in failed.value.reason
    assert not would_retry(failed.value)


async def test_an_unknown_property_is_dead_with_hubspots_message(sink: HubSpotSink) -> None:
    params = UpsertContact("ada@example.com", {"shoe_size": 38})
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(delivery_request("upsert_contact", params))
    assert 'Property \\"shoe_size\\" does not exist' in failed.value.reason
    assert not would_retry(failed.value)


async def test_an_address_that_rendered_empty_is_dead_without_a_request(
    hubspot: HubSpotApi, sink: HubSpotSink
) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(delivery_request("upsert_contact", UpsertContact("  ")))
    assert failed.value.reason == "with.email rendered empty for this event"
    assert not would_retry(failed.value)
    assert hubspot.requests == []


async def test_a_list_as_a_property_value_is_dead(sink: HubSpotSink) -> None:
    params = UpsertContact("ada@example.com", {"company": ["a", "b"]})
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(delivery_request("upsert_contact", params))
    assert "with.properties.company is a list" in failed.value.reason
    assert not would_retry(failed.value)


async def test_a_revoked_token_is_dead_and_the_token_never_shown(hubspot: HubSpotApi) -> None:
    sink = open_sink(hubspot, token="pat-na1-revoked-0000")
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(delivery_request("upsert_contact", UpsertContact("a@b.com")))
    finally:
        await sink.aclose()
    assert failed.value.status_code == 401
    assert "INVALID_AUTHENTICATION: Authentication credentials not found" in failed.value.reason
    assert not would_retry(failed.value)
    assert "revoked-0000" not in f"{failed.value.reason} {failed.value.response}"


async def test_an_error_that_echoes_the_token_is_redacted(
    hubspot: HubSpotApi, sink: HubSpotSink
) -> None:
    echo = {"status": "error", "message": f"bad token {TOKEN}", "category": "MISSING_SCOPES"}
    hubspot.fail_next(json_reply(403, echo))
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(delivery_request("upsert_contact", UpsertContact("a@b.com")))
    assert failed.value.reason == "HubSpot HTTP 403 MISSING_SCOPES: bad token [redacted]"
    assert TOKEN not in (failed.value.response or "")
    assert "[redacted]" in (failed.value.response or "")
    assert not would_retry(failed.value)


async def test_a_server_error_is_retried(hubspot: HubSpotApi, sink: HubSpotSink) -> None:
    hubspot.fail_next(json_reply(502, {"status": "error", "message": "Bad gateway"}))
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(delivery_request("upsert_contact", UpsertContact("a@b.com")))
    assert (failed.value.status_code, would_retry(failed.value)) == (502, True)
    await sink.deliver(delivery_request("upsert_contact", UpsertContact("a@b.com")))
    assert len(hubspot.contacts) == 1


async def test_a_success_whose_body_is_not_an_object_is_a_failure_saying_so(
    hubspot: HubSpotApi, sink: HubSpotSink
) -> None:
    hubspot.fail_next(json_reply(200, ["not", "an", "object"]))
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(delivery_request("upsert_contact", UpsertContact("a@b.com")))
    assert failed.value.reason == "HubSpot answered HTTP 200 with a body that is not a JSON object"
