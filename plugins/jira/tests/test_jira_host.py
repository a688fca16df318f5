"""Through a real hookyard host: a chat becomes one issue and its comments, a 429 pauses the
sink, a lost answer is retried without a duplicate, secrets stay out of what is kept."""

from __future__ import annotations

import asyncio
import base64
import logging
from typing import TYPE_CHECKING

from jira_support import DISABLED, EMAIL, PLUGINS, ROUTES, TOKEN, chat_event, host_config

from hookyard.testing import json_reply

if TYPE_CHECKING:
    import pytest

    from hookyard.testing import HostFactory, JiraApi

SECRETS = (TOKEN, base64.b64encode(f"{EMAIL}:{TOKEN}".encode()).decode())


async def test_a_chat_is_one_issue_with_a_comment_per_message(
    hookyard_host: HostFactory, jira: JiraApi
) -> None:
    async with hookyard_host(host_config(jira), PLUGINS, DISABLED) as host:
        await host.post("chats", chat_event("chat.started", "My order is late"))
        await host.post("chats", chat_event("chat.message", "It was due Monday", number=2))
        await host.post("chats", chat_event("chat.message", "Any news?", number=3))
        deliveries = await host.deliver()
    assert [d.status for d in deliveries] == ["delivered"] * 3
    [issue] = jira.issues.values()
    assert issue.fields["summary"] == "Chat with Ada Lovelace"
    assert issue.fields["labels"][0] == "chat"
    texts = [c.body["content"][0]["content"][0]["text"] for c in issue.comments]
    assert texts == ["Ada Lovelace: It was due Monday", "Ada Lovelace: Any news?"]
    assert [d.last_response for d in deliveries][0] == "created SUP-1"
    # The second and third found the issue in the link: one search, the create's own.
    assert len(jira.handled("POST", "/rest/api/3/search/jql")) == 1


async def test_two_chats_are_two_issues(hookyard_host: HostFactory, jira: JiraApi) -> None:
    async with hookyard_host(host_config(jira), PLUGINS, DISABLED) as host:
        for chat in ("c-1", "c-2"):
            await host.post("chats", chat_event("chat.started", chat_id=chat))
            await host.post("chats", chat_event("chat.message", chat_id=chat, number=2))
        await host.deliver()
    assert [len(issue.comments) for issue in jira.issues.values()] == [1, 1]


async def test_a_429_with_retry_after_pauses_the_sink_then_succeeds(
    hookyard_host: HostFactory, jira: JiraApi, caplog: pytest.LogCaptureFixture
) -> None:
    """In real time: the refused delivery and a new chat both wait out the second."""
    jira.fail_next(jira.rate_limited("1"), match="POST /rest/api/3/search/jql")
    async with hookyard_host(host_config(jira), PLUGINS, DISABLED) as host:
        await host.post("chats", chat_event("chat.started", chat_id="c-1"))
        delivering = asyncio.create_task(host.deliver(real_time=True))
        await asyncio.to_thread(jira.wait_for, 1)
        await asyncio.sleep(0.3)  # the pause is recorded
        await host.post("chats", chat_event("chat.started", chat_id="c-2"))
        deliveries = await delivering
        attempts = await host.attempts(deliveries[0].id)
    assert [d.status for d in deliveries] == ["delivered", "delivered"]
    assert len(jira.issues) == 2
    refused, *later = jira.requests
    # Nothing reached Jira in the second the 429 asked for: not the retry, not the new chat.
    assert min(r.at for r in later) - refused.at >= 0.95
    assert [(a.outcome, a.status_code) for a in attempts][0][1] == 429
    assert attempts[0].error == "search: Jira answered 429: Rate limit exceeded."
    assert "sink jira paused for 1.0s" in caplog.text


async def test_a_timeout_after_jira_created_the_issue_makes_no_duplicate(
    hookyard_host: HostFactory, jira: JiraApi
) -> None:
    jira.slow_next(1.5, match="POST /rest/api/3/issue$")
    async with hookyard_host(host_config(jira, timeout="500ms"), PLUGINS, DISABLED) as host:
        await host.post("chats", chat_event("chat.started"))
        await host.post("chats", chat_event("chat.message", number=2))
        created, commented = await host.deliver()
        attempts = await host.attempts(created.id)
    assert (created.status, created.attempts, commented.status) == ("delivered", 2, "delivered")
    assert attempts[0].error == "create_issue: timed out after 0.5s"
    assert created.last_response is not None and created.last_response.startswith("found SUP-1")
    [issue] = jira.issues.values()
    assert len(issue.comments) == 1


async def test_a_timeout_after_jira_commented_makes_no_duplicate(
    hookyard_host: HostFactory, jira: JiraApi
) -> None:
    jira.slow_next(1.5, match="POST /rest/api/3/issue/SUP-1/comment$")
    async with hookyard_host(host_config(jira, timeout="500ms"), PLUGINS, DISABLED) as host:
        await host.post("chats", chat_event("chat.started"))
        await host.post("chats", chat_event("chat.message", number=2))
        _, commented = await host.deliver()
    assert (commented.status, commented.attempts) == ("delivered", 2)
    assert len(jira.comments()) == 1


async def test_a_permanent_error_is_dead_with_jiras_message(
    hookyard_host: HostFactory, jira: JiraApi
) -> None:
    routes = [{**ROUTES[0], "with": {"summary": "Chat", "priority": "Urgent"}}]
    async with hookyard_host(host_config(jira, routes), PLUGINS, DISABLED) as host:
        await host.post("chats", chat_event("chat.started"))
        [delivery] = await host.deliver()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("dead", 1, 400)
    assert delivery.last_error == (
        "create issue: Jira answered 400: priority: Priority name 'Urgent' is not valid"
    )
    assert jira.issues == {}


async def test_a_blank_rendered_comment_is_dead_before_jira_sees_it(
    hookyard_host: HostFactory, jira: JiraApi
) -> None:
    routes = [{**ROUTES[1], "with": {"body": "{{ event.message.text }}"}}]
    async with hookyard_host(host_config(jira, routes), PLUGINS, DISABLED) as host:
        await host.post("chats", chat_event("chat.message", "   "))
        [delivery] = await host.deliver()
    assert delivery.status == "dead"
    assert "body is empty" in (delivery.last_error or "")
    assert jira.requests == []


async def test_secrets_stay_out_of_logs_errors_and_responses(
    hookyard_host: HostFactory, jira: JiraApi, caplog: pytest.LogCaptureFixture
) -> None:
    """Even when the answer echoes the token and the Authorization header back."""
    echo = {"errorMessages": [f"Bad credentials {TOKEN} in Basic {SECRETS[1]}"], "errors": {}}
    jira.fail_next(json_reply(403, echo), match="POST /rest/api/3/search/jql")
    caplog.set_level(logging.DEBUG)
    async with hookyard_host(host_config(jira), PLUGINS, DISABLED) as host:
        await host.post("chats", chat_event("chat.started"))
        [delivery] = await host.deliver()
        attempts = await host.attempts(delivery.id)
    assert delivery.status == "dead"
    assert "Bad credentials [redacted] in Basic [redacted]" in (delivery.last_error or "")
    kept = [delivery.last_error, delivery.last_response, *(a.error for a in attempts)]
    logged = [caplog.text, *(str(r.args) for r in caplog.records)]
    for secret in SECRETS:
        assert not any(secret in (text or "") for text in kept + logged)
    assert jira.requests[0].headers["authorization"] == f"Basic {SECRETS[1]}"
