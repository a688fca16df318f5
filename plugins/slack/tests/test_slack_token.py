"""The Web API mode, called directly: threads, update, Slack's errors, exactly-once."""

from __future__ import annotations

import pytest
from attrs import evolve
from slack_support import CHANNEL, TOKEN, token_sink

from hookyard import DeliveryFailed
from hookyard.testing import Reply, SlackApi, delivery_request, sample_event, would_retry
from hookyard_slack import TokenPost, TokenUpdate


async def test_the_first_post_starts_a_thread_and_later_ones_reply_in_it(
    slack: SlackApi,
) -> None:
    sink = token_sink(slack)
    try:
        first = await sink.deliver(delivery_request("post", TokenPost(CHANNEL, text="New chat")))
        link = dict(first.link or {})
        reply = await sink.deliver(
            delivery_request("post", TokenPost(CHANNEL, text="Where is my order?"), link=link)
        )
    finally:
        await sink.aclose()
    parent, answer = slack.messages(CHANNEL)
    assert link == {"channel": CHANNEL, "ts": parent["ts"]}
    assert parent["text"] == "New chat" and parent["reply_count"] == 1
    assert answer["thread_ts"] == parent["ts"] and answer["text"] == "Where is my order?"
    assert reply.link is None and reply.response == f"replied {answer['ts']} in thread " + (
        f"{parent['ts']} of {CHANNEL}"
    )
    [request, _] = slack.handled("POST", "/api/chat.postMessage")
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["content-type"] == "application/json; charset=utf-8"


async def test_blocks_are_posted_as_given_with_the_text_as_fallback(slack: SlackApi) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Ada*: hello"}}]
    sink = token_sink(slack)
    try:
        await sink.deliver(delivery_request("post", TokenPost(CHANNEL, "Ada: hello", blocks)))
    finally:
        await sink.aclose()
    [message] = slack.messages(CHANNEL)
    assert message["blocks"] == blocks and message["text"] == "Ada: hello"


async def test_update_edits_the_parent_message(slack: SlackApi) -> None:
    sink = token_sink(slack)
    try:
        first = await sink.deliver(delivery_request("post", TokenPost(CHANNEL, text="Open")))
        link = dict(first.link or {})
        await sink.deliver(delivery_request("post", TokenPost(CHANNEL, text="Hi"), link=link))
        done = await sink.deliver(
            delivery_request("update", TokenUpdate(text="Closed: rated good"), link=link)
        )
    finally:
        await sink.aclose()
    parent, reply = slack.messages(CHANNEL)
    assert parent["text"] == "Closed: rated good" and "edited" in parent
    assert reply["text"] == "Hi"
    assert done.response == f"updated {link['ts']} in {CHANNEL}"
    [update] = slack.handled("POST", "/api/chat.update")
    assert update.json()["channel"] == CHANNEL and update.json()["ts"] == link["ts"]


async def test_update_before_any_post_is_dead_saying_why(slack: SlackApi) -> None:
    sink = token_sink(slack)
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(delivery_request("update", TokenUpdate(text="Closed")))
    finally:
        await sink.aclose()
    assert "no parent message yet" in failed.value.reason
    assert not would_retry(failed.value)
    assert slack.handled("POST", "/api/chat.update") == []


async def test_an_event_of_no_conversation_posts_alone_and_keeps_no_thread(
    slack: SlackApi,
) -> None:
    event = sample_event("offline_message.received", chat_id=None)
    sink = token_sink(slack)
    try:
        result = await sink.deliver(
            delivery_request("post", TokenPost(CHANNEL, text="left a message"), event=event)
        )
    finally:
        await sink.aclose()
    assert result.link is None
    assert [m["text"] for m in slack.messages(CHANNEL)] == ["left a message"]


@pytest.mark.parametrize(
    "error",
    [
        "channel_not_found",
        "not_in_channel",
        "is_archived",
        "msg_too_long",
        "no_text",
        "invalid_auth",
        "not_authed",
        "account_inactive",
        "token_revoked",
        "invalid_arguments",
        "restricted_action_read_only_channel",
        "a_new_error_slack_added",
    ],
)
async def test_each_request_error_is_dead_with_slacks_error(slack: SlackApi, error: str) -> None:
    slack.fail_next(SlackApi.error(error))
    sink = token_sink(slack)
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(delivery_request("post", TokenPost(CHANNEL, text="hi")))
    finally:
        await sink.aclose()
    assert failed.value.reason == f"Slack chat.postMessage: {error}"
    assert not would_retry(failed.value)
    assert slack.messages(CHANNEL) == []


async def test_the_real_servers_errors_are_dead_too(slack: SlackApi) -> None:
    slack.add_channel("C0ARCHIVED", archived=True)
    slack.add_channel("C0NOTJOINED", member=False)
    sink = token_sink(slack)
    reasons = []
    try:
        for channel, text in [
            ("C0ARCHIVED", "hi"),
            ("C0NOTJOINED", "hi"),
            ("C0MISSING1", "hi"),
            (CHANNEL, "x" * 40_001),
        ]:
            with pytest.raises(DeliveryFailed) as failed:
                await sink.deliver(delivery_request("post", TokenPost(channel, text=text)))
            assert not would_retry(failed.value)
            reasons.append(failed.value.reason.removeprefix("Slack chat.postMessage: "))
    finally:
        await sink.aclose()
    assert reasons == ["is_archived", "not_in_channel", "channel_not_found", "msg_too_long"]


async def test_a_wrong_token_is_dead_as_invalid_auth(slack: SlackApi) -> None:
    slack.token = "xoxb-another-token"
    sink = token_sink(slack)
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(delivery_request("post", TokenPost(CHANNEL, text="hi")))
    finally:
        await sink.aclose()
    assert failed.value.reason == "Slack chat.postMessage: invalid_auth"
    assert not would_retry(failed.value)


async def test_a_missing_scope_names_the_scope_needed(slack: SlackApi) -> None:
    slack.fail_next(SlackApi.error("missing_scope", needed="chat:write", provided="users:read"))
    sink = token_sink(slack)
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(delivery_request("post", TokenPost(CHANNEL, text="hi")))
    finally:
        await sink.aclose()
    assert failed.value.reason == (
        "Slack chat.postMessage: missing_scope (the token needs the scope chat:write)"
    )
    assert not would_retry(failed.value)


@pytest.mark.parametrize(
    ("reply", "status"),
    [
        (SlackApi.error("internal_error"), 200),
        (SlackApi.error("fatal_error"), 200),
        (SlackApi.error("request_timeout"), 200),
        (SlackApi.error("service_unavailable", status=503), 503),
        (SlackApi.error("internal_error", status=500), 500),
    ],
)
async def test_slacks_own_failures_are_retried(slack: SlackApi, reply: Reply, status: int) -> None:
    slack.fail_next(reply)
    sink = token_sink(slack)
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(delivery_request("post", TokenPost(CHANNEL, text="hi")))
        assert would_retry(failed.value) and failed.value.status_code == status
        await sink.deliver(delivery_request("post", TokenPost(CHANNEL, text="again"), attempt=2))
    finally:
        await sink.aclose()
    assert [m["text"] for m in slack.messages(CHANNEL)] == ["again"]


async def test_a_rate_limit_asks_to_wait_retry_after(slack: SlackApi) -> None:
    slack.fail_next(SlackApi.ratelimited(retry_after=7))
    sink = token_sink(slack)
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(delivery_request("post", TokenPost(CHANNEL, text="hi")))
    finally:
        await sink.aclose()
    assert failed.value.status_code == 429 and failed.value.retry_after == 7.0
    assert would_retry(failed.value)
    assert "rate limited" in failed.value.reason


async def test_a_timed_out_parent_post_is_found_again_not_posted_twice(slack: SlackApi) -> None:
    slack.slow_next(1.0, match="chat.postMessage")
    sink = token_sink(slack, timeout=0.2)
    request = delivery_request("post", TokenPost(CHANNEL, text="New chat"))
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(request)
        assert would_retry(failed.value) and "timed out" in failed.value.reason
        retry = await sink.deliver(evolve(request, attempt=2))
    finally:
        await sink.aclose()
    [parent] = slack.messages(CHANNEL)
    assert parent["metadata"]["event_payload"] == {"hookyard_key": request.idempotency_key}
    assert retry.link == {"channel": CHANNEL, "ts": parent["ts"]}
    assert "found again" in (retry.response or "")
    assert len(slack.handled("POST", "/api/chat.postMessage")) == 1
    [lookup] = slack.handled("POST", "/api/conversations.history")
    assert "include_all_metadata=true" in lookup.body.decode()


async def test_a_timed_out_reply_is_found_in_the_thread_not_posted_twice(
    slack: SlackApi,
) -> None:
    sink = token_sink(slack, timeout=0.2)
    try:
        first = await sink.deliver(delivery_request("post", TokenPost(CHANNEL, text="Open")))
        link = dict(first.link or {})
        slack.slow_next(1.0, match="chat.postMessage")
        request = delivery_request("post", TokenPost(CHANNEL, text="Reply"), link=link)
        with pytest.raises(DeliveryFailed):
            await sink.deliver(request)
        await sink.deliver(evolve(request, attempt=2))
    finally:
        await sink.aclose()
    assert [m["text"] for m in slack.messages(CHANNEL)] == ["Open", "Reply"]
    assert len(slack.handled("POST", "/api/conversations.replies")) == 1


async def test_a_retry_posts_when_the_first_attempt_posted_nothing(slack: SlackApi) -> None:
    for number in range(250):  # more than a page of other messages since the event
        slack.add_message(CHANNEL, f"other {number}")
    slack.fail_next(SlackApi.error("internal_error"), match="chat.postMessage")
    sink = token_sink(slack)
    request = delivery_request("post", TokenPost(CHANNEL, text="mine"))
    try:
        with pytest.raises(DeliveryFailed):
            await sink.deliver(request)
        await sink.deliver(evolve(request, attempt=2))
    finally:
        await sink.aclose()
    assert [m["text"] for m in slack.messages(CHANNEL)].count("mine") == 1
    assert len(slack.handled("POST", "/api/conversations.history")) == 2  # two pages read


async def test_a_refusal_that_is_not_slacks_json_names_what_it_said(slack: SlackApi) -> None:
    slack.fail_next(Reply(403, b"<html><title>Forbidden by the proxy</title></html>"))
    sink = token_sink(slack)
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(delivery_request("post", TokenPost(CHANNEL, text="hi")))
    finally:
        await sink.aclose()
    assert failed.value.reason.startswith("Slack chat.postMessage: HTTP 403: <html>")
    assert "Forbidden by the proxy" in failed.value.reason
