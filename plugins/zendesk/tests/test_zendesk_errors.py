"""Zendesk's refusals: permanent ones end dead with Zendesk's own words, the rest retry."""

from __future__ import annotations

import json
import socket
from typing import TYPE_CHECKING

import pytest
from attrs import evolve
from zendesk_support import EMAIL, TOKEN

from hookyard import DeliveryFailed, Seconds
from hookyard.testing import (
    Reply,
    assert_sink_contract,
    delivery_request,
    json_reply,
    sample_event,
    would_retry,
)
from hookyard_zendesk import AddComment, CreateTicket, SetStatus, ZendeskConfig, ZendeskSink

if TYPE_CHECKING:
    from hookyard import DeliveryRequest
    from hookyard.testing import ZendeskApi

TICKET = CreateTicket(subject="Chat with Ada", body="My order has not arrived.")


async def failure(sink: ZendeskSink, request: DeliveryRequest) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(request)
    return failed.value


def host(zendesk: ZendeskApi) -> str:
    return zendesk.url.removeprefix("http://")


async def test_a_wrong_token_is_dead_with_zendesks_words(zendesk: ZendeskApi) -> None:
    config = ZendeskConfig(url=zendesk.url, email=EMAIL, token="not-the-token")
    wrong = ZendeskSink(config)
    try:
        failed = await failure(wrong, delivery_request("create_ticket", TICKET))
    finally:
        await wrong.aclose()
    assert failed.reason == (
        f"looking the ticket up by external_id: HTTP 401 from {host(zendesk)}: "
        "Couldn't authenticate you"
    )
    assert (failed.status_code, would_retry(failed)) == (401, False)
    assert zendesk.tickets == {}


async def test_an_invalid_requester_is_dead_with_the_fields_details(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    customer = {"id": "v-2", "name": "Bob", "email": "bob at example"}
    event = sample_event("chat.started", customer=customer)
    failed = await failure(sink, delivery_request("create_ticket", TICKET, event=event))
    assert failed.reason == (
        f"creating the ticket: HTTP 422 from {host(zendesk)}: RecordInvalid: Record validation "
        "errors (requester: Requester: Email is not properly formatted)"
    )
    assert json.loads(failed.response)["error"] == "RecordInvalid"
    assert not would_retry(failed)


async def test_a_closed_ticket_refuses_comments(sink: ZendeskSink, zendesk: ZendeskApi) -> None:
    made = await sink.deliver(delivery_request("create_ticket", TICKET))
    await sink.deliver(delivery_request("set_status", SetStatus("closed"), link=made.link))
    request = delivery_request("add_comment", AddComment("Hello again"), link=made.link)
    failed = await failure(sink, request)
    ticket_id = made.link["ticket_id"]
    assert failed.reason == (
        f"updating the comment of ticket {ticket_id}: HTTP 422 from {host(zendesk)}: "
        "RecordInvalid: Record validation errors (status: Status: closed prevents ticket update)"
    )
    assert not would_retry(failed)


async def test_a_full_ticket_refuses_more_comments(sink: ZendeskSink, zendesk: ZendeskApi) -> None:
    made = await sink.deliver(delivery_request("create_ticket", TICKET))
    zendesk.max_comments = 1  # Zendesk's 5,000, reached
    request = delivery_request("add_comment", AddComment("One more"), link=made.link)
    failed = await failure(sink, request)
    assert failed.reason.endswith("(base: Comments: cannot exceed 1)")
    assert not would_retry(failed)


async def test_the_same_key_with_another_ticket_is_zendesks_idempotency_error(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    first = delivery_request("create_ticket", TICKET, chat_id="c-1")
    await sink.deliver(first)
    other = delivery_request("create_ticket", TICKET, chat_id="c-2")
    failed = await failure(sink, evolve(other, idempotency_key=first.idempotency_key))
    assert failed.reason == (
        f"creating the ticket: HTTP 400 from {host(zendesk)}: IdempotentRequestError: "
        "Request parameters do not match the original request"
    )
    assert not would_retry(failed)
    assert len(zendesk.tickets) == 1


async def test_forbidden_quotes_the_title_and_message(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    body = {"error": {"title": "Forbidden", "message": "You do not have access to this page."}}
    zendesk.fail_next(json_reply(403, body))
    failed = await failure(sink, delivery_request("create_ticket", TICKET))
    assert failed.reason.endswith(": Forbidden: You do not have access to this page.")
    assert not would_retry(failed)


async def test_a_rate_limit_asks_to_wait(sink: ZendeskSink, zendesk: ZendeskApi) -> None:
    zendesk.fail_next(zendesk.rate_limited(retry_after=30))
    failed = await failure(sink, delivery_request("create_ticket", TICKET))
    assert failed.reason == (
        f"looking the ticket up by external_id: HTTP 429 from {host(zendesk)}: "
        "Number of allowed API requests per minute exceeded"
    )
    assert (failed.status_code, failed.retry_after, would_retry(failed)) == (429, 30.0, True)


async def test_an_outage_is_retried(sink: ZendeskSink, zendesk: ZendeskApi) -> None:
    page = b"<html>\n<body>Zendesk is down for maintenance</body>\n</html>"
    zendesk.fail_next(Reply(503, page, {"content-type": "text/html", "retry-after": "120"}))
    failed = await failure(sink, delivery_request("create_ticket", TICKET))
    assert failed.reason.endswith(": <html> <body>Zendesk is down for maintenance</body> </html>")
    assert (failed.retry_after, would_retry(failed)) == (120.0, True)


async def test_a_refused_connection_is_retried() -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    config = ZendeskConfig(f"http://127.0.0.1:{port}", EMAIL, TOKEN, timeout=Seconds(2))
    closed = ZendeskSink(config)
    try:
        failed = await failure(closed, delivery_request("create_ticket", TICKET))
    finally:
        await closed.aclose()
    assert failed.reason.startswith(
        f"looking the ticket up by external_id: connection to 127.0.0.1:{port} failed: "
    )
    assert (failed.status_code, would_retry(failed)) == (None, True)


async def test_an_echoed_token_is_redacted(sink: ZendeskSink, zendesk: ZendeskApi) -> None:
    body = {"error": "Couldn't authenticate you", "description": f"token {TOKEN} is revoked"}
    zendesk.fail_next(json_reply(401, body))
    failed = await failure(sink, delivery_request("create_ticket", TICKET))
    assert failed.reason.endswith("Couldn't authenticate you: token [redacted] is revoked")
    assert TOKEN not in failed.response
    assert "[redacted]" in failed.response


async def test_a_long_answer_is_kept_as_an_excerpt(sink: ZendeskSink, zendesk: ZendeskApi) -> None:
    zendesk.fail_next(Reply(500, b"x" * 5000, {"content-type": "text/plain"}))
    failed = await failure(sink, delivery_request("create_ticket", TICKET))
    assert len(failed.response) == 500
    assert len(failed.reason) < 400


async def test_the_sink_keeps_hookyards_sink_contract() -> None:
    """Secrets never kept or logged, attempts bounded by ``timeout``, aclose closes."""
    await assert_sink_contract(
        lambda url: ZendeskSink(ZendeskConfig(url, EMAIL, TOKEN, timeout=Seconds(0.5))),
        delivery_request("create_ticket", TICKET),
        secrets=[TOKEN],
        timeout=0.5,
    )
