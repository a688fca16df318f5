"""A retry after a timeout, when Zendesk had done what the attempt asked, makes no duplicate."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from attrs import evolve

from hookyard import DeliveryFailed
from hookyard.testing import delivery_request, sample_event, would_retry
from hookyard_zendesk import AddComment, CreateTicket, SetStatus

if TYPE_CHECKING:
    from hookyard import DeliveryRequest, DeliveryResult
    from hookyard.testing import ZendeskApi
    from hookyard_zendesk import ZendeskSink

TICKET = CreateTicket(subject="Chat with Ada", body="My order has not arrived.")
CREATE = r"POST /api/v2/tickets(\.json)?$"
UPDATE = r"PUT /api/v2/tickets/\d+"


async def timed_out_then_retried(sink: ZendeskSink, request: DeliveryRequest) -> DeliveryResult:
    """The first attempt times out (the server did the work); the second is the retry."""
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(request)
    assert failed.value.reason == "timed out after 1.5s"
    assert would_retry(failed.value)
    return await sink.deliver(evolve(request, attempt=2))


async def test_a_create_retried_after_a_timeout_finds_its_ticket(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    zendesk.slow_next(5, match=CREATE)
    request = delivery_request("create_ticket", TICKET, chat_id="c-1")
    result = await timed_out_then_retried(sink, request)
    [ticket] = zendesk.tickets.values()
    assert result.link == {"ticket_id": ticket["id"]}
    assert len(zendesk.handled("POST", ".*")) == 1  # the retry found it by external_id


async def test_without_a_conversation_the_idempotency_key_replays_the_ticket(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    """No chat, no customer: no external_id to look for; Zendesk's key alone guards."""
    event = sample_event("offline_message.received", chat_id=None, customer=None)
    zendesk.slow_next(5, match=CREATE)
    request = delivery_request("create_ticket", TICKET, event=event, chat_id=None)
    result = await timed_out_then_retried(sink, request)
    [ticket] = zendesk.tickets.values()
    assert result.response == (
        f"ticket {ticket['id']} created (by an earlier attempt: Zendesk replayed it for the "
        "Idempotency-Key)"
    )
    first, retry = zendesk.handled("POST", ".*")
    assert first.headers["idempotency-key"] == retry.headers["idempotency-key"]
    assert first.body == retry.body  # the same request, as the key wants


async def test_a_retry_after_the_key_expired_is_guarded_by_external_id(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    zendesk.slow_next(5, match=CREATE)
    request = delivery_request("create_ticket", TICKET, chat_id="c-2")
    with pytest.raises(DeliveryFailed):
        await sink.deliver(request)
    zendesk.expire_idempotency_keys()  # the retry comes more than two hours later
    result = await sink.deliver(evolve(request, attempt=5))
    assert len(zendesk.tickets) == 1
    assert result.link == {"ticket_id": next(iter(zendesk.tickets))}


async def test_a_comment_retried_after_a_timeout_is_added_once(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    made = await sink.deliver(delivery_request("create_ticket", TICKET))
    ticket_id = made.link["ticket_id"]
    zendesk.slow_next(5, match=UPDATE)
    request = delivery_request("add_comment", AddComment("Any news?"), link=made.link)
    result = await timed_out_then_retried(sink, request)
    assert result.response == f"comment on ticket {ticket_id} was added by an earlier attempt"
    assert [c["body"] for c in zendesk.comments[ticket_id]] == [TICKET.body, "Any news?"]
    assert len(zendesk.handled("PUT", ".*")) == 1


async def test_a_retry_whose_first_attempt_never_arrived_adds_the_comment(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    made = await sink.deliver(delivery_request("create_ticket", TICKET))
    zendesk.fail_next(zendesk.rate_limited(), match=UPDATE)
    request = delivery_request("add_comment", AddComment("Any news?"), link=made.link)
    with pytest.raises(DeliveryFailed):
        await sink.deliver(request)
    result = await sink.deliver(evolve(request, attempt=2))
    ticket_id = made.link["ticket_id"]
    assert result.response == f"internal note added to ticket {ticket_id}"
    assert [c["body"] for c in zendesk.comments[ticket_id]] == [TICKET.body, "Any news?"]


async def test_the_marker_is_found_past_the_first_page_of_audits(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    made = await sink.deliver(delivery_request("create_ticket", TICKET))
    ticket_id = made.link["ticket_id"]
    for number in range(120):  # a long ticket: the comment's audit will be on page 2
        zendesk.agent_comment(ticket_id, f"reply {number}")
    zendesk.slow_next(5, match=UPDATE)
    request = delivery_request("add_comment", AddComment("Any news?"), link=made.link)
    await timed_out_then_retried(sink, request)
    bodies = [c["body"] for c in zendesk.comments[ticket_id]]
    assert bodies.count("Any news?") == 1
    pages = zendesk.handled("GET", r".*/audits\.json")
    assert [p.path.split("?")[1] for p in pages] == [
        "page%5Bsize%5D=100",
        "page%5Bsize%5D=100&page%5Bafter%5D=100",
    ]


async def test_a_status_retried_after_a_timeout_changes_nothing_again(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    made = await sink.deliver(delivery_request("create_ticket", TICKET))
    zendesk.slow_next(5, match=UPDATE)
    request = delivery_request("set_status", SetStatus("closed"), link=made.link)
    result = await timed_out_then_retried(sink, request)
    ticket_id = made.link["ticket_id"]
    assert result.response == f"ticket {ticket_id} is closed already"
    assert zendesk.tickets[ticket_id]["status"] == "closed"
    assert len(zendesk.handled("PUT", ".*")) == 1  # a second would be refused: closed


async def test_a_customer_whose_ticket_was_closed_gets_a_new_one(
    sink: ZendeskSink, zendesk: ZendeskApi
) -> None:
    """An offline message weeks later: the conversation is the customer's, its ticket closed."""
    first = await sink.deliver(delivery_request("create_ticket", TICKET, chat_id=None))
    conversation = "livechat-main/customer/customer-1"
    opened = await sink.deliver(
        evolve(delivery_request("create_ticket", TICKET), conversation=conversation)
    )
    closing = delivery_request("set_status", SetStatus(status="closed"), link=opened.link)
    await sink.deliver(evolve(closing, conversation=conversation))

    again = evolve(delivery_request("create_ticket", TICKET), conversation=conversation)
    reopened = await sink.deliver(evolve(again, link=opened.link))
    still = await sink.deliver(evolve(again, link=reopened.link, attempt=2))

    assert first.link is None
    assert reopened.link is not None and reopened.link != opened.link
    assert len(zendesk.tickets) == 3  # no chat, the closed one, and the customer's new one
    assert still.link is None  # the open one is kept: no fourth
    assert len(zendesk.external(conversation)) == 2
