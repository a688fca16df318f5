"""The slack sink through a real host: threads per conversation, a rate limit pausing the
sink, a timed-out post delivered once, and no secret stored or logged."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_support import CHANNEL, TOKEN, chat_event, host_config

import hookyard_slack
from hookyard.testing import Reply, SlackApi, json_reply

if TYPE_CHECKING:
    import pytest

    from hookyard.testing import HostFactory, TestHost

THREAD_ROUTES = [
    {
        "name": "chat starts a thread",
        "match": {"type": "chat.started"},
        "with": {"channel": CHANNEL, "text": "New chat from {{ event.customer.name }}"},
    },
    {
        "name": "messages reply in it",
        "match": {"type": "chat.message"},
        "with": {"channel": CHANNEL, "text": "{{ event.message.text }}"},
    },
    {
        "name": "closing edits the parent",
        "match": {"type": "chat.closed"},
        "action": "update",
        "with": {
            "text": "Chat with {{ event.customer.name }} (closed)",
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*closed*"}}],
        },
    },
]


def token_options(slack: SlackApi, timeout: str = "2s") -> dict[str, str]:
    return {"token": TOKEN, "api_url": slack.api_url, "timeout": timeout}


async def post_all(host: TestHost, *types: str, chat_id: str = "chat-1") -> None:
    for type in types:
        assert (await host.post("chats", chat_event(type, chat_id=chat_id))).status == 200


async def test_a_conversation_is_one_thread_whose_parent_closing_edits(
    hookyard_host: HostFactory, slack: SlackApi
) -> None:
    config = host_config(token_options(slack), THREAD_ROUTES)
    async with hookyard_host(config) as host:
        assert host.registry.sinks["slack"].open is hookyard_slack.SlackSink
        await post_all(host, "chat.started", "chat.message", "chat.closed")
        await post_all(host, "chat.started", chat_id="chat-2")
        deliveries = await host.deliver()
    assert [d.status for d in deliveries] == ["delivered"] * 4
    parents = [m for m in slack.messages(CHANNEL) if m.get("thread_ts") in (None, m["ts"])]
    [first] = [m for m in parents if m.get("reply_count")]  # chat-1's: chat-2 ran alongside
    [other] = [m for m in parents if m is not first]
    assert first["text"] == "Chat with Ada Lovelace (closed)"
    assert first["blocks"] == [{"type": "section", "text": {"type": "mrkdwn", "text": "*closed*"}}]
    replies = [m for m in slack.messages(CHANNEL) if m not in (first, other)]
    assert [(m["text"], m["thread_ts"]) for m in replies] == [
        ("Hello, my order has not arrived.", first["ts"])
    ]
    assert other["text"] == "New chat from Ada Lovelace" and "reply_count" not in other


async def test_blocks_templates_render_to_a_native_list(
    hookyard_host: HostFactory, slack: SlackApi
) -> None:
    route = {
        "with": {
            "channel": CHANNEL,
            "text": "{{ event.message.text }}",
            "blocks": [
                {"type": "header", "text": {"type": "plain_text", "text": "{{ event.type }}"}},
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": "*{{ event.agent.name }}*"},
                },
            ],
        }
    }
    async with hookyard_host(host_config(token_options(slack), [route])) as host:
        await post_all(host, "chat.message")
        [delivery] = await host.deliver()
    assert delivery.status == "delivered"
    [message] = slack.messages(CHANNEL)
    assert message["blocks"] == [
        {"type": "header", "text": {"type": "plain_text", "text": "chat.message"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Grace Hopper*"}},
    ]


async def test_a_rate_limit_pauses_the_sink_then_it_delivers(
    hookyard_host: HostFactory, slack: SlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fail_next(SlackApi.ratelimited(retry_after=1), match="chat.postMessage")
    config = host_config({**token_options(slack), "concurrency": 1}, THREAD_ROUTES[:1])
    async with hookyard_host(config) as host:
        await post_all(host, "chat.started")
        await post_all(host, "chat.started", chat_id="chat-2")
        deliveries = await host.deliver(real_time=True)
        attempts = [await host.attempts(d.id) for d in deliveries]
    assert [d.status for d in deliveries] == ["delivered", "delivered"]
    limited = [a for run in attempts for a in run if a.status_code == 429]
    assert [(a.number, a.outcome) for a in limited] == [(1, "retry")]
    assert "sink slack paused for 1.0s" in caplog.text
    first, second, third = slack.handled("POST", "/api/chat.postMessage")
    assert second.at - first.at >= 0.9  # nothing was sent to Slack during the pause
    assert len(slack.messages(CHANNEL)) == 2


async def test_a_timed_out_post_is_delivered_once_and_threads_on(
    hookyard_host: HostFactory, slack: SlackApi
) -> None:
    slack.slow_next(0.8, match="chat.postMessage")
    config = host_config(token_options(slack, timeout="200ms"), THREAD_ROUTES)
    async with hookyard_host(config) as host:
        await post_all(host, "chat.started", "chat.message")
        first, second = await host.deliver()
        attempts = await host.attempts(first.id)
    assert (first.status, second.status) == ("delivered", "delivered")
    assert [(a.outcome, a.error) for a in attempts] == [
        ("retry", "timed out after 0.2s"),
        ("delivered", None),
    ]
    parent, reply = slack.messages(CHANNEL)
    assert reply["thread_ts"] == parent["ts"]
    assert "found again" in (first.last_response or "")


async def test_no_secret_is_logged_or_stored(
    hookyard_host: HostFactory, slack: SlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = {"ok": False, "error": "internal_error", "detail": f"token {TOKEN} was used"}
    slack.fail_next(json_reply(500, echo), match="chat.postMessage")
    webhook = slack.webhook_url(CHANNEL)
    slack.fail_next(Reply(500, f"rollup_error for {webhook}".encode()), match="/services/")
    config = host_config(token_options(slack), THREAD_ROUTES[:1])
    config["sinks"]["hook"] = {
        "plugin": "slack",
        "webhook_url": webhook,
        "retry": {"initial_delay": "50ms"},
    }
    config["routes"].append({"to": "hook", "with": {"text": "{{ event.type }}"}})
    async with hookyard_host(config) as host:
        await post_all(host, "chat.started")
        deliveries = await host.deliver()
        attempts = [a for d in deliveries for a in await host.attempts(d.id)]
    assert [d.status for d in deliveries] == ["delivered", "delivered"]
    stored = [str(d) for d in deliveries] + [str(a) for a in attempts]
    failed = [a for a in attempts if a.outcome == "retry"]
    assert len(failed) == 2 and all(a.error for a in failed)
    logged = caplog.text + " ".join(r.getMessage() for r in caplog.records)
    assert "HTTP Request: POST" in logged  # httpx logged each request, the webhook's hidden
    secret_part = webhook.rpartition("/services/")[2]
    for text in (*stored, logged):
        assert TOKEN not in text and secret_part not in text


async def test_a_dead_post_keeps_slacks_error(hookyard_host: HostFactory, slack: SlackApi) -> None:
    route = {"with": {"channel": "C0MISSING1", "text": "hi"}}
    async with hookyard_host(host_config(token_options(slack), [route])) as host:
        await post_all(host, "chat.started")
        [delivery] = await host.deliver()
    assert delivery.status == "dead" and delivery.attempts == 1
    assert delivery.last_error == "Slack chat.postMessage: channel_not_found"
    assert '"error": "channel_not_found"' in (delivery.last_response or "")


async def test_a_channel_rendered_as_a_name_is_dead_saying_why(
    hookyard_host: HostFactory, slack: SlackApi
) -> None:
    route = {"with": {"channel": "{{ '#' ~ event.type }}", "text": "hi"}}
    async with hookyard_host(host_config(token_options(slack), [route])) as host:
        await post_all(host, "chat.started")
        [delivery] = await host.deliver()
    assert delivery.status == "dead"
    assert "channel must be a channel id" in (delivery.last_error or "")
    assert slack.requests == []
