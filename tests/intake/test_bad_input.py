"""DESIGN.md "Bad input — what the sender gets", row by row, through the HTTP edge."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any

import asyncpg
import httpx
import pytest
from echo_vendor import echo_body

from conftest import ECHO_SECRET, GENERIC_SECRET, LIVECHAT_SECRET, SMALL_LIMIT, livechat
from hookyard import signing
from hookyard.config import MIB
from hookyard.store import Store
from serve_process import ServeProcess, free_port

if TYPE_CHECKING:
    from pathlib import Path

    from litestar.testing import AsyncTestClient

    from hookyard.host import Host
    from hookyard.testing import RecordingServer


def generic(host: Host, event_type: str) -> tuple[bytes, dict[str, str]]:
    """A signed delivery of a ``generic`` event of ``event_type`` for source ``gen``."""
    options = host.config.sources["gen"].options
    sample = host.registry.vendors["generic"].simulate(options, event_type)
    return sample.body, dict(sample.headers)


def padded(body: dict[str, Any], size: int) -> bytes:
    """``body`` as JSON, padded with an extra field to exactly ``size`` bytes."""
    empty = json.dumps({**body, "padding": ""}).encode()
    return json.dumps({**body, "padding": "x" * (size - len(empty))}).encode()


async def assert_nothing_stored(reader: Store) -> None:
    assert await reader.events() == []
    assert await reader.deliveries.list() == []


async def test_unknown_source_is_404_and_stores_nothing(
    client: AsyncTestClient[Any], reader: Store, host: Host
) -> None:
    response = await client.post("/hooks/nope", content=json.dumps(livechat(host)))
    assert response.status_code == 404
    assert "nope" in response.json()["error"]
    await assert_nothing_stored(reader)


@pytest.mark.parametrize("secret_key", ["lc-secret-WRONG-guess", None], ids=["wrong", "missing"])
async def test_failed_authentication_is_401_and_logged_without_secrets(
    client: AsyncTestClient[Any],
    reader: Store,
    host: Host,
    caplog: pytest.LogCaptureFixture,
    secret_key: str | None,
) -> None:
    body = livechat(host)
    body.pop("secret_key")
    if secret_key is not None:
        body["secret_key"] = secret_key
    with caplog.at_level(logging.INFO):
        response = await client.post("/hooks/chat", content=json.dumps(body))
    assert response.status_code == 401
    assert response.json() == {"error": "authentication failed"}
    await assert_nothing_stored(reader)
    logged = caplog.text
    assert "source chat: authentication failed" in logged
    assert LIVECHAT_SECRET not in logged
    assert secret_key is None or secret_key not in logged
    assert (await client.get("/health")).json()["intake"] == {"unauthenticated": 1}


@pytest.mark.parametrize(
    ("source", "limit"), [("small", SMALL_LIMIT), ("chat", MIB)], ids=["configured", "default"]
)
async def test_body_over_the_limit_is_413_and_at_the_limit_is_accepted(
    client: AsyncTestClient[Any], reader: Store, host: Host, source: str, limit: int
) -> None:
    response = await client.post(f"/hooks/{source}", content=padded(livechat(host), limit + 1))
    assert response.status_code == 413
    assert str(limit) in response.json()["error"]
    await assert_nothing_stored(reader)
    accepted = await client.post(f"/hooks/{source}", content=padded(livechat(host), limit))
    assert accepted.status_code == 200, accepted.text
    stored = await reader.events()
    assert len(stored) == 1, (accepted.json(), stored)


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_body_over_the_limit_is_413_on_a_real_socket(
    host: Host, serve_config: Path, database_url: str, tmp_path: Path, chunked: bool
) -> None:
    server = ServeProcess(serve_config, free_port(), tmp_path / "serve.log").start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            for size, expected in ((SMALL_LIMIT * 8, 413), (SMALL_LIMIT, 200)):
                body = padded(livechat(host), size)
                content = iter([body[i : i + 1024] for i in range(0, size, 1024)])
                sent = http.post("/hooks/small", content=content if chunked else body)
                assert sent.status_code == expected, sent.text
                assert (sent.request.headers.get("transfer-encoding") == "chunked") == chunked
    finally:
        server.stop()
    reader = Store(database_url)
    assert len(await reader.events()) == 1  # the one at the limit
    await reader.engine.dispose()


async def test_not_json_is_400_with_a_short_reason(
    client: AsyncTestClient[Any], reader: Store
) -> None:
    response = await client.post("/hooks/chat", content=b"secret_key=abc&action=incoming_chat")
    assert response.status_code == 400
    reason = response.json()["error"]
    assert "not JSON" in reason
    assert len(reason) < 200
    await assert_nothing_stored(reader)


def _wrong_shapes(host: Host) -> list[tuple[str, bytes, dict[str, str], str]]:
    """(source, body, headers, words of the reason) of JSON that is no delivery of the vendor."""
    no_action = livechat(host)
    no_action.pop("action")
    no_payload = livechat(host)
    no_payload.pop("payload")
    return [
        ("chat", json.dumps(no_action).encode(), {}, "action"),
        ("chat", json.dumps(no_payload).encode(), {}, "payload"),
        ("open", b"[]", {}, "object"),
        ("open", b'"just a string"', {}, "object"),
        ("gen", *_signed_generic(b"[]"), "object"),
        ("gen", *_signed_generic(b'{"type": "chat.exploded"}'), "type"),
    ]


def _signed_generic(body: bytes) -> tuple[bytes, dict[str, str]]:
    return body, signing.signature_headers(GENERIC_SECRET, "msg_wrong_shape", body)


async def test_json_of_the_wrong_shape_is_400_with_a_short_reason(
    client: AsyncTestClient[Any], reader: Store, host: Host
) -> None:
    for source, body, headers, words in _wrong_shapes(host):
        response = await client.post(f"/hooks/{source}", content=body, headers=headers)
        assert response.status_code == 400, (source, body, response.text)
        reason = response.json()["error"]
        assert words in reason and len(reason) < 200, reason
    await assert_nothing_stored(reader)


def _break_created_at(body: dict[str, Any]) -> None:
    body["payload"]["event"]["created_at"] = "not-a-date"


def _break_event(body: dict[str, Any]) -> None:
    body["payload"]["event"] = "a string, not an event object"


@pytest.mark.parametrize(
    ("breaks", "place"),
    [(_break_created_at, "payload.event.created_at"), (_break_event, "payload.event")],
    ids=["created_at", "event"],
)
async def test_a_malformed_livechat_delivery_is_400_naming_the_place(
    client: AsyncTestClient[Any], reader: Store, host: Host, breaks: Any, place: str
) -> None:
    body = livechat(host, "incoming_event")
    breaks(body)
    sent = json.dumps(body).encode()
    for _ in range(2):  # refused alike each time: nothing is kept to answer from
        response = await client.post("/hooks/chat", content=sent)
        assert response.status_code == 400, response.text
        reason = response.json()["error"]
        assert reason.startswith(f"{place}: ") and len(reason) < 200, reason
        assert LIVECHAT_SECRET not in response.text
    await assert_nothing_stored(reader)
    assert (await client.get("/health")).json()["intake"] == {"rejected": 2}


@pytest.mark.parametrize(
    ("error", "quote"),
    [("ValueError", {"created_at": "not-a-date"}), ("TypeError", "a string, not an object")],
    ids=["ValueError", "TypeError"],
)
async def test_authentic_but_unparseable_is_200_and_kept_as_unparsed(
    client: AsyncTestClient[Any], reader: Store, error: str, quote: Any
) -> None:
    sent = json.dumps(echo_body(ECHO_SECRET, error, quote, note=f"from {ECHO_SECRET}")).encode()
    response = await client.post("/hooks/echo", content=sent)
    assert response.status_code == 200
    kept = await reader.events(status="unparsed")
    assert [row["event_id"] for row in kept] == [response.json()["unparsed"]]
    row = kept[0]
    assert row["error"] == f"{error}: cannot read {quote!r}"
    assert ECHO_SECRET.encode() not in row["payload"]
    assert ECHO_SECRET not in row["headers"]
    assert row["payload"] == sent.replace(ECHO_SECRET.encode(), b"[redacted]")
    assert await reader.deliveries.list() == []
    again = await client.post("/hooks/echo", content=sent)  # a vendor's retry on a timeout
    assert again.status_code == 200
    assert len(await reader.events()) == 1


async def test_duplicate_is_200_and_adds_nothing(
    client: AsyncTestClient[Any], reader: Store, host: Host
) -> None:
    sent = json.dumps(livechat(host, "incoming_chat")).encode()
    first = await client.post("/hooks/chat", content=sent)
    assert first.json() == {"stored": 1, "duplicates": 0}
    deliveries = await reader.deliveries.list()
    assert len(deliveries) == 1
    again = await client.post("/hooks/chat", content=sent)
    assert again.status_code == 200
    assert again.json() == {"stored": 0, "duplicates": 1}
    assert len(await reader.events()) == 1
    assert [d.id for d in await reader.deliveries.list()] == [d.id for d in deliveries]


async def test_vendor_test_event_is_recorded_and_routed_only_where_a_rule_asks(
    client: AsyncTestClient[Any], reader: Store, host: Host, recording_server: RecordingServer
) -> None:
    body, headers = generic(host, "webhook.test")
    response = await client.post("/hooks/gen", content=body, headers=headers)
    assert response.status_code == 200
    assert [row["type"] for row in await reader.events()] == ["webhook.test"]
    assert [d.route for d in await reader.deliveries.list()] == ["tests only"]
    chat_body, chat_headers = generic(host, "chat.started")
    await client.post("/hooks/gen", content=chat_body, headers=chat_headers)
    received = recording_server.wait_for(2)
    by_path = {r.path: r.json()["type"] for r in received}
    assert by_path == {"/tests": "webhook.test", "/chats": "chat.started"}
    await _wait_all_delivered(reader)
    assert len(recording_server.requests) == 2


async def _wait_all_delivered(reader: Store) -> None:
    for _ in range(100):
        counts = await reader.deliveries.counts()
        if counts["pending"] == counts["delivering"] == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"deliveries still open: {counts}")


async def test_source_with_auth_none_accepts_unauthenticated_deliveries(
    client: AsyncTestClient[Any], reader: Store, host: Host
) -> None:
    body = livechat(host, "incoming_chat")
    body.pop("secret_key")
    response = await client.post("/hooks/open", content=json.dumps(body))
    assert response.status_code == 200
    assert response.json() == {"stored": 1, "duplicates": 0}
    assert [(row["source"], row["type"]) for row in await reader.events()] == [
        ("open", "chat.started")
    ]


async def test_health_and_ready_answer_200(client: AsyncTestClient[Any]) -> None:
    health = await client.get("/health")
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "intake": {}}
    ready = await client.get("/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


async def test_health_counts_every_answer_by_outcome(
    client: AsyncTestClient[Any], host: Host
) -> None:
    sent = json.dumps(livechat(host)).encode()
    answers = [
        await client.post("/hooks/nope", content=sent),
        await client.post("/hooks/small", content=padded(livechat(host), SMALL_LIMIT + 1)),
        await client.post("/hooks/chat", content=b"not json"),
        await client.post("/hooks/chat", content=sent),
        await client.post("/hooks/chat", content=sent),
    ]
    assert [a.status_code for a in answers] == [404, 413, 400, 200, 200]
    health = await client.get("/health")
    assert health.json()["intake"] == {
        "unknown_source": 1,
        "too_large": 1,
        "rejected": 1,
        "stored": 1,
        "duplicates": 1,
    }


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_ready_is_503_when_the_database_is_gone(
    client: AsyncTestClient[Any], database_url: str, postgres_url: str
) -> None:
    assert (await client.get("/ready")).status_code == 200
    name = database_url.rpartition("/")[2]
    connection = await asyncpg.connect(postgres_url)
    try:
        await connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    finally:
        await connection.close()
    for _ in range(2):  # the pooled connection was killed; a new one finds no database
        ready = await client.get("/ready")
        assert ready.status_code == 503
        assert ready.json()["status"] == "unavailable"
    assert (await client.get("/health")).status_code == 200
