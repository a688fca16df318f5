"""Hostile but bounded bodies: the sender gets what DESIGN.md's table says, never a 503.

Each answer is counted in ``/health`` and logged in one line, without a traceback.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from echo_vendor import echo_body

from conftest import ESCAPABLE_SECRET, livechat
from hookyard.store import Store
from serve_process import ServeProcess, free_port

if TYPE_CHECKING:
    from pathlib import Path

    from litestar.testing import AsyncTestClient

    from hookyard.host import Host
    from hookyard.testing import RecordingServer

#: 200,000 bytes an unauthenticated sender can send to any source.
TOO_DEEP = b"[" * 100_000 + b"]" * 100_000
#: An integer past Python's default ``sys.get_int_max_str_digits()`` (4300).
TOO_LONG = b'{"secret_key": "guess", "count": ' + b"7" * 5000 + b"}"


DEEP_REASON = "body nested too deep (over 512 arrays or objects)"
LONG_REASON = "body has a number too long (over 4300 digits)"


def nested(depth: int) -> list[Any]:
    """An array ``depth`` deep: ``[[[...]]]``."""
    value: list[Any] = []
    for _ in range(depth - 1):
        value = [value]
    return value


def depth_of(value: Any) -> int:
    depth = 0
    while isinstance(value, list):
        value, depth = (value[0] if value else None), depth + 1
    return depth


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_too_deep_or_too_long_is_400_counted_and_logged_in_one_line(
    serve_config: Path, database_url: str, tmp_path: Path
) -> None:
    server = ServeProcess(serve_config, free_port(), tmp_path / "serve.log").start()
    try:
        with httpx.Client(base_url=server.url, timeout=10) as http:
            answers = [
                http.post(f"/hooks/{source}", content=body)
                for source in ("chat", "open")
                for body in (TOO_DEEP, TOO_LONG)
            ]
            health = http.get("/health").json()
            ready = http.get("/ready").status_code
    finally:
        server.stop()
    assert [a.status_code for a in answers] == [400] * 4
    assert [a.json()["error"] for a in answers] == [DEEP_REASON, LONG_REASON] * 2
    assert (health["intake"], ready) == ({"rejected": 4}, 200)
    log = server.output()
    assert log.count("payload rejected: body nested too deep") == 2
    assert log.count("payload rejected: body has a number too long") == 2
    assert "Traceback" not in log and "storage" not in log
    reader = Store(database_url)
    assert await reader.events() == []
    await reader.engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_an_authentic_deep_array_is_stored_and_delivered(
    host: Host,
    serve_config: Path,
    database_url: str,
    tmp_path: Path,
    recording_server: RecordingServer,
) -> None:
    body = json.dumps(livechat(host, "incoming_chat", extra=nested(500))).encode()
    assert len(body) < 4096
    server = ServeProcess(serve_config, free_port(), tmp_path / "serve.log").start()
    try:
        answer = httpx.post(f"{server.url}/hooks/chat", content=body, timeout=10)
        delivered = recording_server.wait_for(1)
    finally:
        server.stop()
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"stored": 1, "duplicates": 0}
    assert depth_of(delivered[0].json()["raw"]["extra"]) == 500
    reader = Store(database_url)
    [row] = await reader.events()
    await reader.engine.dispose()
    assert row["status"] == "stored"
    assert depth_of(json.loads(row["body"])["raw"]["extra"]) == 500
    assert "Traceback" not in server.output()


async def test_512_levels_are_accepted_and_513_refused(
    client: AsyncTestClient[Any], reader: Store, host: Host
) -> None:
    at_limit = livechat(host, extra=nested(511))  # inside the body's own object: 512
    over = livechat(host, extra=nested(512))
    answers = [await client.post("/hooks/open", content=json.dumps(b)) for b in (at_limit, over)]
    assert answers[0].json() == {"stored": 1, "duplicates": 0}
    assert (answers[1].status_code, answers[1].json()) == (400, {"error": DEEP_REASON})
    [row] = await reader.events()
    assert depth_of(json.loads(row["body"])["raw"]["extra"]) == 511


def _spelled(secret: str, how: str) -> str:
    """``secret`` as a JSON string's contents, written the way ``how`` says."""
    if how == "slash and ampersand escaped":
        return json.dumps(secret)[1:-1].replace("/", "\\/").replace("&", "\\u0026")
    return "".join(f"\\u{ord(c):04X}" for c in secret)  # every character as \uXXXX


def _strings(value: Any) -> list[str]:
    """Every key and string inside parsed JSON."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *_strings(v)]]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize("how", ["slash and ampersand escaped", "every character escaped"])
async def test_an_unparsed_payload_keeps_no_spelling_of_the_secret(
    client: AsyncTestClient[Any], reader: Store, how: str
) -> None:
    body = echo_body("SECRET", "TypeError", "not an event object, and SECRET is in here too")
    spelled = _spelled(ESCAPABLE_SECRET, how)
    sent = json.dumps(body).replace("SECRET", spelled).encode()
    assert ESCAPABLE_SECRET.encode() not in sent

    response = await client.post("/hooks/echo-escapable", content=sent)

    assert response.status_code == 200, response.text
    [row] = await reader.events(status="unparsed")
    payload = row["payload"]
    for spelling in (ESCAPABLE_SECRET, spelled, json.dumps(ESCAPABLE_SECRET)[1:-1]):
        assert spelling.encode() not in payload
    kept = json.loads(payload)
    assert not [s for s in _strings(kept) if ESCAPABLE_SECRET in s]
    assert kept == json.loads(sent.decode().replace(spelled, "[redacted]"))
    quoted = "'not an event object, and [redacted] is in here too'"  # the decoded secret
    assert row["error"] == f"TypeError: cannot read {quoted}"
