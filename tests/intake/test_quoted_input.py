"""What a sender writes comes back only as it should: a secret quoted by a parser's 400 or
log line is redacted, and text JSON can hold but UTF-8 cannot (a lone surrogate) is stored
and delivered, escaped as it arrived.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pytest

    from hookyard.testing import HostFactory, RecordingServer

DD_SECRET = "dd-secret-quoted-888"
LC_SECRET = "lc-secret-quoted-777"
TOKEN = "cm-token-quoted-0123456789"


def _livechat_message(text: str) -> dict[str, Any]:
    return {
        "webhook_id": "w1",
        "secret_key": LC_SECRET,
        "action": "incoming_event",
        "organization_id": "org-1",
        "payload": {
            "chat_id": "PJ0MRSHTDG",
            "thread_id": "K600PKZON8",
            "event": {
                "id": "K600PKZON8_3",
                "type": "message",
                "author_id": "customer-1",
                "created_at": "2026-11-30T10:00:00.000000Z",
                "text": text,
                "visibility": "all",
            },
        },
    }


async def test_a_secret_a_parser_quotes_in_its_400_is_redacted(
    hookyard_host: HostFactory, caplog: pytest.LogCaptureFixture
) -> None:
    fixture = Path(__file__).parents[2] / "plugins/deskdirector/tests/fixtures/created.json"
    sessions = json.loads(fixture.read_text())
    sessions[0]["users"][0]["userId"] = DD_SECRET
    body = json.dumps(sessions).encode()
    digest = hmac.new(DD_SECRET.encode(), body, hashlib.sha256).hexdigest()
    config = {"sources": {"dd": {"vendor": "deskdirector", "secret": DD_SECRET}}}
    async with hookyard_host(config) as host:
        answered = await host.post("dd", body, {"x-dd-signature": f"sha256={digest}"})
    assert answered.status == 400
    assert "[redacted]" in answered.body["error"]
    assert DD_SECRET not in json.dumps(answered.body) and DD_SECRET not in caplog.text


async def test_a_token_a_parser_quotes_is_redacted(
    hookyard_host: HostFactory, caplog: pytest.LogCaptureFixture
) -> None:
    body = {"event": "chat_started", "visitor": {"chat_id": "c1"}, "chat": {"start_time": TOKEN}}
    config = {"sources": {"cm": {"vendor": "comm100", "token": TOKEN}}}
    async with hookyard_host(config) as host:
        answered = await host.post("cm", body, query=f"token={TOKEN}")
    assert answered.status == 400
    assert TOKEN not in json.dumps(answered.body) and TOKEN not in caplog.text


async def test_a_refusal_that_quotes_the_secret_is_logged_redacted(
    hookyard_host: HostFactory, caplog: pytest.LogCaptureFixture
) -> None:
    body = {**_livechat_message("hi"), "organization_id": LC_SECRET}
    config = {
        "sources": {"lc": {"vendor": "livechat", "secret": LC_SECRET, "organization_id": "o"}}
    }
    async with hookyard_host(config) as host:
        assert (await host.post("lc", body)).status == 401
    assert "authentication failed" in caplog.text and LC_SECRET not in caplog.text


async def test_a_lone_surrogate_is_stored_and_delivered_escaped(
    hookyard_host: HostFactory, recording_server: RecordingServer
) -> None:
    config = {
        "sources": {"lc": {"vendor": "livechat", "secret": LC_SECRET}},
        "sinks": {"out": {"plugin": "http", "url": f"{recording_server.url}/in"}},
        "routes": [{"name": "all", "to": "out"}],
    }
    sent = json.dumps(_livechat_message("cut off \ud83d")).encode()  # the \ud83d escape
    async with hookyard_host(config) as host:
        answered = await host.post("lc", sent)
        assert (answered.status, answered.body) == (200, {"stored": 1, "duplicates": 0})
        [delivery] = await host.deliver()
    assert delivery.status == "delivered"
    [request] = recording_server.requests
    assert b"cut off \\ud83d" in request.body
    assert request.json()["message"]["text"] == "cut off \ud83d"


async def test_a_lone_surrogate_in_an_id_or_group_is_stored_once(
    hookyard_host: HostFactory,
) -> None:
    config = {"sources": {"cm": {"vendor": "comm100", "token": TOKEN}}}
    status = json.dumps({"event": "away", "operator_id": "op-\ud800"}).encode()
    async with hookyard_host(config) as host:
        first = await host.post("cm", status, query=f"token={TOKEN}")
        again = await host.post("cm", status, query=f"token={TOKEN}")
        [row] = await host.host.store.events()
    assert (first.status, first.body, again.body) == (
        200,
        {"stored": 1, "duplicates": 0},
        {"stored": 0, "duplicates": 1},
    )
    assert row["dedup_group"].startswith("sha256:")  # comm100:agent_status:op-\ud800
    assert json.loads(row["body"])["agent"]["id"] == "op-\ud800"
