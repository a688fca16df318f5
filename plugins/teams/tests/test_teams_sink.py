"""The teams sink against a scripted Workflows webhook: the card, 2xx, errors, timeouts,
Retry-After through the host, secrets, and what ``hookyard check`` says."""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING, Any

import pytest
from attrs import evolve

import hookyard_teams
from hookyard import DeliveryFailed
from hookyard.testing import ConfigError, Reply, delivery_request, load_config, would_retry
from hookyard_teams import TeamsConfig, TeamsPost, TeamsSink

if TYPE_CHECKING:
    from pathlib import Path

    from hookyard.testing import HostFactory, RecordingServer

SIG = "s3cr3tSignatureValue0123456789"
FLOW = "/workflows/0a1b2c3d/triggers/manual/paths/invoke"
ACCEPTED = Reply(202, b"")


def url_of(server: RecordingServer) -> str:
    return (
        f"{server.url}{FLOW}?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig={SIG}"
    )


def sink_for(server: RecordingServer, timeout: float = 2.0) -> TeamsSink:
    return TeamsSink(TeamsConfig(webhook_url=url_of(server), timeout=timeout))


async def post(server: RecordingServer, params: TeamsPost, timeout: float = 2.0) -> Any:
    sink = sink_for(server, timeout)
    try:
        return await sink.deliver(delivery_request("post", params))
    finally:
        await sink.aclose()


async def test_text_is_posted_as_an_adaptive_card(recording_server: RecordingServer) -> None:
    recording_server.script(ACCEPTED)
    result = await post(recording_server, TeamsPost(text="**New chat** from Ada"))
    assert result.response == "HTTP 202"
    [request] = recording_server.requests
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.path == FLOW + url_of(recording_server).partition(FLOW)[2]
    assert request.json() == {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": {
                    "type": "AdaptiveCard",
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "version": "1.4",
                    "body": [{"type": "TextBlock", "text": "**New chat** from Ada", "wrap": True}],
                },
            }
        ],
    }


async def test_a_card_is_sent_as_given(recording_server: RecordingServer) -> None:
    card = {
        "version": "1.5",
        "body": [{"type": "FactSet", "facts": [{"title": "Chat", "value": "c-1"}]}],
    }
    await post(recording_server, TeamsPost(card=card))
    [request] = recording_server.requests
    content = request.json()["attachments"][0]["content"]
    assert content == {"type": "AdaptiveCard", **card}


@pytest.mark.parametrize("status", [200, 201, 202, 204])
async def test_any_2xx_is_success(recording_server: RecordingServer, status: int) -> None:
    recording_server.script(Reply(status, b""))
    result = await post(recording_server, TeamsPost(text="hi"))
    assert result.response == f"HTTP {status}" and len(recording_server.requests) == 1


def workflows_error(status: int, code: str, message: str) -> tuple[Reply, str]:
    """A Workflows (Logic Apps) error answer and the reason the sink gives for it."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    return Reply(status, body, {"content-type": "application/json"}), f"{code}: {message}"


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        workflows_error(
            400,
            "InvalidRequestContent",
            "The input body for trigger 'manual' of type 'Request' must be of type JSON.",
        ),
        workflows_error(
            401,
            "DirectApiAuthorizationRequired",
            "The request must be authenticated only by Shared Access scheme.",
        ),
        workflows_error(404, "WorkflowNotFound", "The workflow could not be found."),
        (Reply(403, b"Forbidden: flow is turned off"), "Forbidden: flow is turned off"),
    ],
)
async def test_each_4xx_is_dead_with_the_answers_message(
    recording_server: RecordingServer, reply: Reply, reason: str
) -> None:
    recording_server.script(reply)
    with pytest.raises(DeliveryFailed) as failed:
        await post(recording_server, TeamsPost(text="hi"))
    assert failed.value.reason == f"127.0.0.1 answered HTTP {reply.status}: {reason}"
    assert failed.value.status_code == reply.status and not would_retry(failed.value)
    assert failed.value.response == reply.body.decode()


async def test_a_5xx_is_retried(recording_server: RecordingServer) -> None:
    recording_server.script(Reply(502, b"Bad Gateway"))
    with pytest.raises(DeliveryFailed) as failed:
        await post(recording_server, TeamsPost(text="hi"))
    assert (
        would_retry(failed.value)
        and failed.value.reason == "127.0.0.1 answered HTTP 502: Bad Gateway"
    )


async def test_a_timeout_is_retried_and_may_post_twice(recording_server: RecordingServer) -> None:
    """Workflows returns no id: nothing can find the first card, so the retry posts again
    (README: at least once)."""
    recording_server.script(Reply(202, b"", delay=1.0), ACCEPTED)
    sink = sink_for(recording_server, timeout=0.2)
    request = delivery_request("post", TeamsPost(text="New chat"))
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(request)
        assert would_retry(failed.value) and failed.value.reason == "timed out after 0.2s"
        await sink.deliver(evolve(request, attempt=2))
    finally:
        await sink.aclose()
    first, second = recording_server.requests
    assert first.body == second.body


async def test_a_429_pauses_the_sink_then_it_delivers(
    hookyard_host: HostFactory, recording_server: RecordingServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    throttled = (
        b'{"error":{"code":"WorkflowTriggerIsThrottled","message":"Rate limit reached; sig='
        + SIG.encode()
        + b'"}}'
    )
    recording_server.script(Reply(429, throttled, {"Retry-After": "1"}), ACCEPTED, ACCEPTED)
    config = {
        "sources": {"chats": {"vendor": "generic", "auth": "none"}},
        "sinks": {
            "teams": {
                "plugin": "teams",
                "webhook_url": url_of(recording_server),
                "concurrency": 1,
                "retry": {"initial_delay": "50ms"},
            }
        },
        "routes": [{"to": "teams", "with": {"text": "{{ event.type }} in {{ event.chat.id }}"}}],
    }
    async with hookyard_host(config) as host:
        assert host.registry.sinks["teams"].open is hookyard_teams.TeamsSink
        for chat in ("c-1", "c-2"):
            event = {"id": f"e-{chat}", "type": "chat.started", "chat": {"id": chat}}
            assert (await host.post("chats", event)).status == 200
        deliveries = await host.deliver(real_time=True)
        attempts = [a for d in deliveries for a in await host.attempts(d.id)]
    assert [d.status for d in deliveries] == ["delivered", "delivered"]
    assert [(a.outcome, a.status_code) for a in attempts if a.outcome != "delivered"] == [
        ("retry", 429)
    ]
    first, second, third = recording_server.requests
    assert second.at - first.at >= 0.9  # the pause held every delivery
    assert "sink teams paused for 1.0s" in caplog.text
    stored = [str(d) for d in deliveries] + [str(a) for a in attempts]
    assert "WorkflowTriggerIsThrottled: Rate limit reached" in " ".join(stored)
    assert "HTTP Request: POST" in caplog.text
    for text in (*stored, caplog.text, *(r.getMessage() for r in caplog.records)):
        assert SIG not in text


def problems(tmp_path: Path, sink: dict[str, Any], with_: dict[str, Any]) -> list[str]:
    config = {
        "sources": {"chats": {"vendor": "generic", "auth": "none"}},
        "sinks": {"teams": {"plugin": "teams", **sink}},
        "routes": [{"to": "teams", "with": with_}],
    }
    with pytest.raises(ConfigError) as failed:
        load_config(config, tmp_path)
    return [re.sub(r" \(line \d+\)", "", p, count=1) for p in failed.value.problems]


URL = {"webhook_url": "https://prod-1.westus.logic.azure.com/workflows/x?sig=abc"}


@pytest.mark.parametrize(
    ("sink", "with_", "expected"),
    [
        (URL, {}, "routes[0].with: give text or card (one of them)"),
        (
            URL,
            {"text": "a", "card": {"body": []}},
            "routes[0].with: give text or card (one of them)",
        ),
        (URL, {"title": "a"}, "routes[0].with.title: sink 'teams' action 'post' takes no 'title'"),
        (URL, {"card": "not a card"}, "routes[0].with.card: expected a mapping"),
        (
            URL,
            {"card": {"type": "MessageCard"}},
            "routes[0].with.card: card must be an Adaptive Card"
            " (type AdaptiveCard, not 'MessageCard')",
        ),
        ({}, {"text": "a"}, "sinks.teams.webhook_url: required field missing"),
        (
            {"webhook_url": "ftp://x"},
            {"text": "a"},
            "sinks.teams.webhook_url: webhook_url must start with http",
        ),
        (
            {"webhook_url": "https://u:p@x/y"},
            {"text": "a"},
            "sinks.teams.webhook_url: webhook_url must not hold credentials",
        ),
        (
            {**URL, "timeout": "0s"},
            {"text": "a"},
            "sinks.teams.timeout: timeout must be more than 0",
        ),
    ],
)
def test_check_names_each_problems_place(
    tmp_path: Path, sink: dict[str, Any], with_: dict[str, Any], expected: str
) -> None:
    [problem] = problems(tmp_path, sink, with_)
    assert problem.startswith(expected)
