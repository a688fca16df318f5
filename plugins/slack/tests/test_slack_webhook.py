"""The incoming-webhook mode, called directly: success, its plain-string errors, timeouts."""

from __future__ import annotations

import pytest
from attrs import evolve
from slack_support import CHANNEL, webhook_sink

from hookyard import DeliveryFailed
from hookyard.testing import Reply, SlackApi, delivery_request, would_retry
from hookyard_slack import WebhookPost


async def test_a_post_lands_in_the_webhooks_channel(slack: SlackApi) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*New chat*"}}]
    sink = webhook_sink(slack.webhook_url(CHANNEL))
    try:
        result = await sink.deliver(delivery_request("post", WebhookPost("New chat", blocks)))
    finally:
        await sink.aclose()
    [message] = slack.messages(CHANNEL)
    assert message["text"] == "New chat" and message["blocks"] == blocks
    assert result.response == "HTTP 200 ok" and result.link is None


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (Reply(400, b"invalid_payload"), "HTTP 400: invalid_payload"),
        (Reply(400, b"user_not_found"), "HTTP 400: user_not_found"),
        (Reply(403, b"action_prohibited"), "HTTP 403: action_prohibited"),
        (Reply(403, b"invalid_token"), "HTTP 403: invalid_token"),
        (Reply(404, b"channel_not_found"), "HTTP 404: channel_not_found"),
        (Reply(410, b"channel_is_archived"), "HTTP 410: channel_is_archived"),
    ],
)
async def test_each_refusal_is_dead_with_slacks_words(
    slack: SlackApi, reply: Reply, said: str
) -> None:
    slack.fail_next(reply)
    sink = webhook_sink(slack.webhook_url(CHANNEL))
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(delivery_request("post", WebhookPost("hi")))
    finally:
        await sink.aclose()
    assert failed.value.reason == f"Slack webhook answered {said}"
    assert failed.value.response == reply.body.decode()
    assert not would_retry(failed.value)


async def test_the_real_servers_refusals(slack: SlackApi) -> None:
    slack.add_channel("C0ARCHIVED", archived=True)
    archived = webhook_sink(slack.webhook_url("C0ARCHIVED"))
    removed = webhook_sink(f"{slack.url}/services/T0TEAM/B0GONE/nolongerthere")
    try:
        with pytest.raises(DeliveryFailed) as gone:
            await archived.deliver(delivery_request("post", WebhookPost("hi")))
        with pytest.raises(DeliveryFailed) as unknown:
            await removed.deliver(delivery_request("post", WebhookPost("hi")))
    finally:
        await archived.aclose()
        await removed.aclose()
    assert gone.value.reason == "Slack webhook answered HTTP 410: channel_is_archived"
    assert unknown.value.reason == "Slack webhook answered HTTP 404: no_service"
    assert not would_retry(gone.value) and not would_retry(unknown.value)


async def test_a_rollup_error_is_retried(slack: SlackApi) -> None:
    slack.fail_next(Reply(500, b"rollup_error"))
    sink = webhook_sink(slack.webhook_url(CHANNEL))
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(delivery_request("post", WebhookPost("hi")))
    finally:
        await sink.aclose()
    assert failed.value.reason == "Slack webhook answered HTTP 500: rollup_error"
    assert would_retry(failed.value)


async def test_a_rate_limit_asks_to_wait(slack: SlackApi) -> None:
    slack.fail_next(Reply(429, b"rate_limited", {"Retry-After": "3"}))
    sink = webhook_sink(slack.webhook_url(CHANNEL))
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(delivery_request("post", WebhookPost("hi")))
    finally:
        await sink.aclose()
    assert failed.value.status_code == 429 and failed.value.retry_after == 3.0
    assert would_retry(failed.value)


async def test_a_timeout_is_retried_and_may_post_twice(slack: SlackApi) -> None:
    """A webhook returns no id and nothing finds its message again: a retry after a
    timeout posts again (README: webhook mode is at least once)."""
    slack.slow_next(1.0)
    sink = webhook_sink(slack.webhook_url(CHANNEL), timeout=0.2)
    request = delivery_request("post", WebhookPost("New chat"))
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(request)
        assert would_retry(failed.value) and failed.value.reason == "timed out after 0.2s"
        await sink.deliver(evolve(request, attempt=2))
    finally:
        await sink.aclose()
    assert [m["text"] for m in slack.messages(CHANNEL)] == ["New chat", "New chat"]


async def test_update_is_refused_without_a_request(slack: SlackApi) -> None:
    sink = webhook_sink(slack.webhook_url(CHANNEL))
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(delivery_request("update", {"text": "Closed"}))
    finally:
        await sink.aclose()
    assert "needs the sink's token option" in failed.value.reason
    assert not would_retry(failed.value) and slack.requests == []
