"""Through a real hookyard host: a chat's life, a rate limit, a timeout, secrets kept out.

The plugin is loaded from its installed entry point, as ``hookyard serve`` loads it.
"""

from __future__ import annotations

import base64
import logging
from typing import TYPE_CHECKING

from zendesk_support import EMAIL, TOKEN, event, host_config

from hookyard.testing import json_reply

if TYPE_CHECKING:
    import pytest

    from hookyard.testing import HostFactory, TestHost, ZendeskApi

CREATE = r"POST /api/v2/tickets(\.json)?$"


async def post_chat(host: TestHost, *events: dict[str, object]) -> None:
    for body in events:
        answered = await host.post("chats", body)
        assert answered.status == 200, answered.body


async def test_a_chat_becomes_one_ticket_with_its_comments_and_status(
    hookyard_host: HostFactory, zendesk: ZendeskApi
) -> None:
    async with hookyard_host(host_config(zendesk.url)) as host:
        await post_chat(
            host,
            event(1, "chat.started", "My order has not arrived."),
            event(2, "chat.message", "It was due Monday."),
            event(3, "chat.closed"),
        )
        deliveries = await host.deliver()
    assert [(d.action, d.status) for d in deliveries] == [
        ("create_ticket", "delivered"),
        ("add_comment", "delivered"),
        ("set_status", "delivered"),
    ]
    [ticket] = zendesk.tickets.values()
    assert (ticket["subject"], ticket["priority"], ticket["status"]) == (
        "Chat with Ada Lovelace",
        "high",
        "solved",
    )
    assert ticket["tags"] == ["chat", "chats"]
    assert ticket["external_id"] == "chats/chat/chat-9"
    bodies = [(c["body"], c["public"]) for c in zendesk.comments[ticket["id"]]]
    assert bodies == [("My order has not arrived.", True), ("It was due Monday.", False)]
    # The comment and the status found the ticket in the link: one lookup, by the create.
    assert len(zendesk.handled("GET", r"/api/v2/tickets\.json")) == 1
    assert deliveries[2].last_response == f"ticket {ticket['id']} set to solved"


async def test_a_rate_limit_pauses_the_sink_then_the_tickets_are_made(
    hookyard_host: HostFactory, zendesk: ZendeskApi
) -> None:
    """In real time: the 429's ``Retry-After: 1`` holds every delivery of the sink."""
    zendesk.fail_next(zendesk.rate_limited(retry_after=1))
    async with hookyard_host(host_config(zendesk.url, concurrency=1)) as host:
        await post_chat(
            host, event(1, "chat.started", "Hello"), event(2, "chat.started", "Hi", "c2")
        )
        deliveries = await host.deliver(real_time=True)
        attempts = [await host.attempts(d.id) for d in deliveries]
    assert [d.status for d in deliveries] == ["delivered", "delivered"]
    outcomes = sorted([(a.outcome, a.status_code) for a in tried] for tried in attempts)
    assert outcomes == [[("delivered", None)], [("retry", 429), ("delivered", None)]]
    refused, *later = zendesk.requests
    assert all(r.at - refused.at >= 0.9 for r in later)  # both waited
    assert len(zendesk.tickets) == 2


async def test_a_timed_out_create_is_retried_without_a_second_ticket(
    hookyard_host: HostFactory, zendesk: ZendeskApi
) -> None:
    zendesk.slow_next(5, match=CREATE)
    async with hookyard_host(host_config(zendesk.url, timeout="1500ms")) as host:
        await post_chat(
            host,
            event(1, "chat.started", "My order has not arrived."),
            event(2, "chat.message", "Hello?"),
        )
        create, comment = await host.deliver()
        attempts = await host.attempts(create.id)
    assert [(a.outcome, a.error) for a in attempts] == [
        ("retry", "timed out after 1.5s"),
        ("delivered", None),
    ]
    [ticket] = zendesk.tickets.values()
    assert (
        create.last_response == f"ticket {ticket['id']} exists with this conversation's external_id"
    )
    assert comment.status == "delivered"
    assert zendesk.comments[ticket["id"]][-1]["body"] == "Hello?"


async def test_a_comment_without_a_ticket_is_dead_with_the_reason(
    hookyard_host: HostFactory, zendesk: ZendeskApi
) -> None:
    async with hookyard_host(host_config(zendesk.url)) as host:
        await post_chat(host, event(1, "chat.message", "Anyone there?"))
        [delivery] = await host.deliver()
    assert (delivery.status, delivery.attempts) == ("dead", 1)
    assert delivery.last_error == (
        "add_comment: no Zendesk ticket for conversation 'chats/chat/chat-9' yet: "
        "route create_ticket for an earlier event of the conversation"
    )


async def test_zendesks_refusal_is_dead_with_its_message(
    hookyard_host: HostFactory, zendesk: ZendeskApi
) -> None:
    async with hookyard_host(host_config(zendesk.url)) as host:
        await post_chat(
            host, {**event(1, "chat.started", "Hi"), "customer": {"email": "bob at example"}}
        )
        [delivery] = await host.deliver()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("dead", 1, 422)
    assert (delivery.last_error or "").endswith(
        "(requester: Requester: Email is not properly formatted)"
    )


async def test_the_token_is_never_logged_nor_kept(
    hookyard_host: HostFactory, zendesk: ZendeskApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = {"error": "Couldn't authenticate you", "description": f"bad token {TOKEN}"}
    zendesk.fail_next(json_reply(401, echo), match=r"PUT")
    zendesk.fail_next(json_reply(500, {"error": f"Authorization: {zendesk.authorization}"}))
    async with hookyard_host(host_config(zendesk.url)) as host:
        await post_chat(
            host,
            event(1, "chat.started", "Hello"),
            event(2, "chat.message", "Are you there?"),
        )
        deliveries = await host.deliver()
        attempts = [a for d in deliveries for a in await host.attempts(d.id)]
    assert [d.status for d in deliveries] == ["delivered", "dead"]
    basic = base64.b64encode(f"{EMAIL}/token:{TOKEN}".encode()).decode()
    kept = [d.last_error for d in deliveries] + [d.last_response for d in deliveries]
    kept += [a.error for a in attempts]
    assert "[redacted]" in " ".join(text or "" for text in kept)
    for text in [caplog.text, *(t or "" for t in kept)]:
        assert TOKEN not in text
        assert basic not in text
