"""A database locked by another process: senders get 503 within seconds, ``/ready`` at once."""

from __future__ import annotations

import json
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from conftest import livechat
from hookyard.testing import Reply
from serve_process import ServeProcess, free_port

if TYPE_CHECKING:
    from pathlib import Path

    from litestar.testing import AsyncTestClient

    from hookyard.host import Host
    from hookyard.store import Store
    from hookyard.testing import RecordingServer

#: What "within a few seconds" means for a webhook, and "at once" for ``/ready``.
WEBHOOK_BOUND = 3.5
READY_BOUND = 1.5


def timed(http: httpx.Client, method: str, url: str, body: bytes = b"") -> tuple[float, int]:
    """Seconds until the answer, and its status."""
    started = time.monotonic()
    response = http.request(method, url, content=body or None)
    if response.status_code == 503 and url.startswith("/hooks/"):
        assert response.json() == {"error": "storage unavailable, please retry"}
    return time.monotonic() - started, response.status_code


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_locked_database_is_503_quickly_and_the_retry_is_stored_once(
    host: Host,
    serve_config: Path,
    database_url: str,
    tmp_path: Path,
    recording_server: RecordingServer,
) -> None:
    server = ServeProcess(serve_config, free_port(), tmp_path / "serve.log").start()
    lock = sqlite3.connect(str(make_url(database_url).database), isolation_level=None)
    recording_server.script(*[Reply(delay=1.0)] * 3)  # outcomes recorded while locked
    retried = json.dumps(livechat(host)).encode()
    try:
        with httpx.Client(base_url=server.url, timeout=30) as http:
            for _ in range(3):
                assert (
                    http.post("/hooks/chat", content=json.dumps(livechat(host))).status_code == 200
                )
            recording_server.wait_for(1)  # deliveries are in flight
            lock.execute("BEGIN EXCLUSIVE")
            bodies = [retried, *(json.dumps(livechat(host)).encode() for _ in range(5))]
            with ThreadPoolExecutor(len(bodies)) as senders:  # one group commit, or a few
                webhooks = list(senders.map(partial(timed, http, "POST", "/hooks/chat"), bodies))
            ready = timed(http, "GET", "/ready")
            lock.execute("ROLLBACK")
            health = http.get("/health").json()["intake"]
            after = http.post("/hooks/chat", content=retried)
            ready_after = http.get("/ready")
    finally:
        lock.close()
        server.stop()
    assert [status for _, status in webhooks] == [503] * len(bodies)
    assert max(took for took, _ in webhooks) < WEBHOOK_BOUND, webhooks
    assert ready[1] == 503 and ready[0] < READY_BOUND, ready
    assert health == {"stored": 3, "unavailable": len(bodies)}
    assert after.json() == {"stored": 1, "duplicates": 0}
    assert ready_after.status_code == 200
    check = sqlite3.connect(str(make_url(database_url).database))
    assert check.execute("SELECT count(*) FROM events").fetchone() == (4,)
    check.close()
    assert "source chat: storing the webhook failed: database unavailable" in server.output()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
async def test_a_locked_events_table_is_503_quickly_and_the_retry_is_stored_once(
    client: AsyncTestClient[Any], reader: Store, host: Host, database_url: str
) -> None:
    body = json.dumps(livechat(host)).encode()
    locker = await asyncpg.connect(database_url)
    try:
        async with locker.transaction():
            await locker.execute("LOCK TABLE events IN EXCLUSIVE MODE")  # reads go on
            started = time.monotonic()
            locked = await client.post("/hooks/chat", content=body)
            took = time.monotonic() - started
    finally:
        await locker.close()
    assert (locked.status_code, took < WEBHOOK_BOUND) == (503, True), (locked.text, took)
    assert locked.json() == {"error": "storage unavailable, please retry"}
    retried = await client.post("/hooks/chat", content=body)
    assert retried.json() == {"stored": 1, "duplicates": 0}
    assert len(await reader.events()) == 1
