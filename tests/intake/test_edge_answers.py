"""Edges found by trying a running hookyard as an attacker: each gets the documented answer."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import uvicorn
from echo_vendor import echo_body

from conftest import ECHO_SECRET, ESCAPABLE_SECRET, GENERIC_SECRET, livechat
from hookyard import signing
from hookyard.web.app import create_app
from serve_process import ServeProcess, free_port

if TYPE_CHECKING:
    from pathlib import Path

    from litestar.testing import AsyncTestClient

    from hookyard.host import Host
    from hookyard.store import Store


def _broken_event(secret_spelling: str, **extra: Any) -> str:
    """An authentic ``echo`` body its parser raises on, with the secret spelled as given."""
    body = echo_body("SECRET", "TypeError", "not an event object", **extra)
    return json.dumps(body).replace("SECRET", secret_spelling)


async def test_a_lone_surrogate_beside_an_escaped_secret_is_kept_unparsed(
    client: AsyncTestClient[Any], reader: Store
) -> None:
    escaped = "".join(f"\\u{ord(c):04x}" for c in ESCAPABLE_SECRET)
    sent = _broken_event(escaped).replace('"not an event object"', '"\\ud800"')
    response = await client.post("/hooks/echo-escapable", content=sent)
    assert response.status_code == 200, response.text
    [row] = await reader.events(status="unparsed")
    kept = json.loads(row["payload"])
    assert kept["secret_key"] == "[redacted]" and kept["quote"] == "\ud800"
    assert row["error"] == "TypeError: cannot read '\\ud800'"


async def test_a_duplicate_key_cannot_hide_a_spelling_of_the_secret(
    client: AsyncTestClient[Any], reader: Store
) -> None:
    escaped = ESCAPABLE_SECRET.replace("/", "\\/").replace("&", "\\u0026")
    sent = _broken_event(ESCAPABLE_SECRET, note="NOTE")
    sent = sent.replace('"note": "NOTE"', f'"note": "{escaped}", "note": "nothing"')
    response = await client.post("/hooks/echo-escapable", content=sent)
    assert response.status_code == 200, response.text
    [row] = await reader.events(status="unparsed")
    payload = row["payload"].decode()
    assert '"note":"[redacted]","note":"nothing"' in payload  # both members kept, cleaned
    assert ESCAPABLE_SECRET not in json.loads(payload, object_pairs_hook=repr)
    assert escaped not in payload and ESCAPABLE_SECRET not in payload


async def test_a_parsers_quoted_secret_is_not_in_the_stored_error(
    client: AsyncTestClient[Any], reader: Store
) -> None:
    """Parsers quote what they could not read with ``repr``: the secret's ``\\`` doubled."""
    quote = f"{ESCAPABLE_SECRET}\\\n"
    body = echo_body(ESCAPABLE_SECRET, "ValueError", quote)
    response = await client.post("/hooks/echo-escapable", content=json.dumps(body))
    assert response.status_code == 200, response.text
    [row] = await reader.events(status="unparsed")
    assert repr(quote).replace(ESCAPABLE_SECRET, "[redacted]") in row["error"]
    assert ESCAPABLE_SECRET not in row["error"]


async def test_a_livechat_time_holding_the_secret_is_400_without_quoting_it(
    client: AsyncTestClient[Any], reader: Store, host: Host, caplog: pytest.LogCaptureFixture
) -> None:
    body = livechat(host, "incoming_chat", secret_key=ESCAPABLE_SECRET)
    body["payload"]["chat"]["thread"]["created_at"] = f"{ESCAPABLE_SECRET}\\\n"
    with caplog.at_level("WARNING", logger="hookyard"):
        response = await client.post("/hooks/escapable", content=json.dumps(body))
    assert response.status_code == 400, response.text
    assert response.json()["error"].startswith("payload.chat.thread.created_at: ")
    assert ESCAPABLE_SECRET not in response.text
    assert "source escapable: payload rejected: payload.chat.thread.created_at" in caplog.text
    assert ESCAPABLE_SECRET not in caplog.text
    assert await reader.events() == []


async def test_an_event_id_longer_than_the_store_keeps_is_stored_once(
    client: AsyncTestClient[Any], reader: Store, host: Host
) -> None:
    body = livechat(host, "incoming_event")
    body["payload"]["event"]["id"] = "e" * 5000
    answers = [await client.post("/hooks/chat", content=json.dumps(body)) for _ in range(2)]
    assert [a.json() for a in answers] == [
        {"stored": 1, "duplicates": 0},
        {"stored": 0, "duplicates": 1},
    ]
    [row] = await reader.events()
    assert row["event_id"].startswith("sha256:")
    assert json.loads(row["body"])["id"] == "event:" + "e" * 5000  # the event keeps its own


async def test_a_timestamp_of_thousands_of_digits_is_a_plain_authentication_failure(
    client: AsyncTestClient[Any], caplog: pytest.LogCaptureFixture
) -> None:
    body = b'{"type": "chat.started"}'
    headers = signing.signature_headers(GENERIC_SECRET, "msg_1", body)
    headers["webhook-timestamp"] = "9" * 5000
    with caplog.at_level("WARNING", logger="hookyard"):
        response = await client.post("/hooks/gen", content=body, headers=headers)
    assert response.status_code == 401
    [record] = [r for r in caplog.records if r.name.startswith("hookyard")]
    assert record.levelname == "WARNING"
    assert "webhook-timestamp is not an integer of seconds" in record.getMessage()


@pytest.mark.parametrize("literal", ["NaN", "-Infinity", "1e999"])
async def test_numbers_json_cannot_hold_are_400(
    client: AsyncTestClient[Any], reader: Store, host: Host, literal: str
) -> None:
    sent = json.dumps(livechat(host, amount="AMOUNT")).replace('"AMOUNT"', literal)
    response = await client.post("/hooks/chat", content=sent)
    assert response.status_code == 400
    assert response.json()["error"].startswith("body is not JSON: ")
    assert await reader.events() == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_chunked_body_over_the_largest_limit_is_hookyards_413(
    serve_config: Path, tmp_path: Path
) -> None:
    server = ServeProcess(serve_config, free_port(), tmp_path / "serve.log").start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            chunks = iter([b" " * 65536] * 17)  # 1 MiB + 64 KiB, chunked: no content-length
            response = http.post("/hooks/chat", content=chunks)
            health = http.get("/health").json()
    finally:
        server.stop()
    assert (response.status_code, response.json()) == (413, {"error": "body over 1048576 bytes"})
    assert health["intake"] == {"too_large": 1}


async def test_a_404_does_not_echo_a_long_source_name(client: AsyncTestClient[Any]) -> None:
    response = await client.post("/hooks/" + "a" * 10_000, content=b"{}")
    assert response.status_code == 404
    assert len(response.content) < 200
    assert response.json()["error"] == f"no source named '{'a' * 64}…'"


async def test_the_same_unparsed_payload_twice_is_counted_once(
    client: AsyncTestClient[Any], reader: Store
) -> None:
    sent = _broken_event(ECHO_SECRET)
    for _ in range(3):
        assert (await client.post("/hooks/echo", content=sent)).status_code == 200
    assert len(await reader.events(status="unparsed")) == 1
    assert (await client.get("/health")).json()["intake"] == {"unparsed": 1, "duplicates": 2}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_a_body_that_never_arrives_is_408_after_the_body_timeout(
    host: Host, database_url: str
) -> None:
    config = uvicorn.Config(
        create_app(host, workers=False, body_timeout=0.5),
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.02)
        port = server.servers[0].sockets[0].getsockname()[1]
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST /hooks/chat HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{")
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        writer.close()
    finally:
        server.should_exit = True
        await serving
    assert head.startswith(b"HTTP/1.1 408 ")
