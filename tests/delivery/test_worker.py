"""Delivery workers in a real host: sink calls, the retry schedule, dead and replay, stop."""

from __future__ import annotations

import asyncio
import json
import re
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from hookyard.intake import idempotency_key
from hookyard.store import Store
from hookyard.testing import Reply

from ._support import arrived, cli, cli_in_process, only_delivery, send_chat

if TYPE_CHECKING:
    from pathlib import Path

    from hookyard.store.deliveries import DeliveryRecord
    from hookyard.testing import Recorded, RecordingServer

    from .conftest import StartHost

#: Overhead allowed on top of a computed delay (poll interval 0.1 s, a busy machine).
SLACK = 1.0
#: Timestamps go through the database (microseconds) and two clocks reads.
EPSILON = 0.005


async def test_a_webhook_is_delivered_with_its_idempotency_key(
    start_host: StartHost, recording_server: RecordingServer
) -> None:
    host = await start_host()

    event_id = await send_chat(host)
    (request,) = await arrived(recording_server, 1)

    record = await only_delivery(host.store, "delivered")
    assert request.path == "/in"
    (stored,) = await host.store.events()
    assert request.json() == json.loads(stored["body"])
    assert request.json()["id"] == event_id
    assert (request.json()["type"], request.json()["source"]) == ("chat.started", "lc")
    assert request.headers["webhook-id"] == idempotency_key("lc", event_id, "new chats", "post")
    assert request.headers["webhook-id"] == record.idempotency_key
    assert (record.attempts, record.last_response) == (1, "HTTP 200")


def _gaps(requests: list[Recorded]) -> list[float]:
    return [later.at - earlier.at for earlier, later in pairwise(requests)]


def _scheduled(attempt: dict[str, Any]) -> tuple[float, float]:
    """(delay counted from the attempt's start, delay counted from its end)."""
    next_at = attempt["next_attempt_at"]
    return (
        (next_at - attempt["started_at"]).total_seconds(),
        (next_at - attempt["finished_at"]).total_seconds(),
    )


def _assert_schedule(attempts: list[dict[str, Any]]) -> None:
    """Backoff 0.2 s, 0.4 s, 0.8 s with 20 % jitter; Retry-After: 1 is a floor."""
    after_500, after_429, after_timeout = (_scheduled(a) for a in attempts[:3])
    assert after_500[0] >= 0.16 - EPSILON and after_500[1] <= 0.24 + EPSILON
    assert after_429[0] >= 1.0 - EPSILON and after_429[1] <= 1.0 + EPSILON
    assert after_timeout[0] >= 0.3 + 0.64 - EPSILON  # the 0.3 s timeout, then the backoff
    assert after_timeout[1] <= 0.96 + EPSILON
    for earlier, later in pairwise(attempts):
        assert later["started_at"] >= earlier["next_attempt_at"]


async def test_retry_schedule_then_dead_then_replayed_from_the_cli(
    start_host: StartHost, recording_server: RecordingServer, config_path: Path
) -> None:
    recording_server.script(
        Reply(500, b"boom"),
        Reply(429, b"slow down", {"Retry-After": "1"}),
        Reply(200, b"too late", delay=1.5),  # longer than the sink's 0.3 s timeout
        Reply(503, b"still down"),
    )
    host = await start_host(timeout=0.3)

    await send_chat(host)
    requests = await arrived(recording_server, 4)
    dead = await only_delivery(host.store, "dead")

    gaps = _gaps(requests)
    assert 0.16 <= gaps[0] <= 0.24 + SLACK
    assert 1.0 <= gaps[1] <= 1.0 + SLACK
    assert 0.3 + 0.64 <= gaps[2] <= 0.3 + 0.96 + SLACK
    attempts = await host.store.deliveries.attempts_of(dead.id)
    assert [a["outcome"] for a in attempts] == ["retry", "retry", "retry", "dead"]
    assert [a["status_code"] for a in attempts] == [500, 429, None, 503]
    assert [a["retry_after"] for a in attempts] == [None, 1.0, None, None]
    assert attempts[2]["error"] == "timed out after 0.3s"
    _assert_schedule(attempts)
    assert dead.attempts == 4
    assert (dead.last_status_code, dead.last_response) == (503, "still down")
    assert dead.last_error == "HTTP 503 from 127.0.0.1"

    code, out = await cli_in_process(
        "deliveries", "list", "--status", "dead", "--config", str(config_path)
    )
    assert code == 0
    assert re.search(rf"\b{dead.id}  dead +4  rec .* HTTP 503 from 127\.0\.0\.1$", out, re.M), out

    code, out, err = await cli("deliveries", "retry", str(dead.id), "--config", str(config_path))
    assert (code, err) == (0, ""), out
    assert f"queued again: {dead.id}" in out

    replayed = (await arrived(recording_server, 5))[4]
    delivered = await only_delivery(host.store, "delivered")
    assert {r.headers["webhook-id"] for r in requests} == {replayed.headers["webhook-id"]}
    assert replayed.body == requests[0].body
    assert (delivered.attempts, delivered.last_response) == (5, "HTTP 200")  # numbered on
    attempts = await host.store.deliveries.attempts_of(dead.id)
    assert [(a["number"], a["outcome"]) for a in attempts] == [
        (1, "retry"),
        (2, "retry"),
        (3, "retry"),
        (4, "dead"),
        (5, "delivered"),
    ]
    code, out = await cli_in_process("deliveries", "list", "--json", "--config", str(config_path))
    [listed] = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert (listed["id"], listed["status"], listed["attempts"]) == (dead.id, "delivered", 5)
    assert listed["delivered_at"].endswith("Z") and listed["last_response"] == "HTTP 200"


async def test_a_retried_delivery_gets_a_fresh_budget_of_attempts(
    start_host: StartHost, recording_server: RecordingServer
) -> None:
    recording_server.script(*[Reply(500, b"down")] * 4)
    host = await start_host(retry={"max_attempts": 2, "initial_delay": "0.05s", "jitter": 0})
    await send_chat(host)
    dead = await only_delivery(host.store, "dead")
    assert await host.store.deliveries.retry([dead.id]) == [dead.id]

    await arrived(recording_server, 4)
    again = await only_delivery(host.store, "dead")

    assert again.attempts == 4
    attempts = await host.store.deliveries.attempts_of(dead.id)
    assert [(a["number"], a["outcome"]) for a in attempts] == [
        (1, "retry"),
        (2, "dead"),
        (3, "retry"),  # the first of two more attempts, not one past the old budget
        (4, "dead"),
    ]


async def test_a_400_is_permanent_and_dead_after_one_attempt(
    start_host: StartHost, recording_server: RecordingServer
) -> None:
    recording_server.script(Reply(400, b"no such channel"))
    host = await start_host()

    await send_chat(host)
    dead = await only_delivery(host.store, "dead")
    await asyncio.sleep(0.2 * 1.2 + 0.3)  # past the first backoff: no retry comes

    assert len(recording_server.requests) == 1
    assert (dead.attempts, dead.last_status_code) == (1, 400)
    assert dead.last_response == "no such channel"
    attempts = await host.store.deliveries.attempts_of(dead.id)
    assert [(a["outcome"], a["next_attempt_at"]) for a in attempts] == [("dead", None)]


async def _stop_mid_delivery(
    start_host: StartHost, server: RecordingServer, *, answer_after: float, grace: str
) -> Recorded:
    """Stop a host while the sink takes ``answer_after`` seconds to answer its one delivery."""
    server.script(Reply(200, b"ok", delay=answer_after))
    host = await start_host(workers={"shutdown_grace": grace})
    await send_chat(host)
    (request,) = await arrived(server, 1)
    await host.stop()
    return request


async def _stored_after_stop(database_url: str, status: str) -> tuple[DeliveryRecord, list[str]]:
    """The one delivery, which must have ``status``, and its attempts' outcomes."""
    after = Store(database_url)
    try:
        record = await only_delivery(after, status, timeout=0)
        outcomes = [a["outcome"] for a in await after.deliveries.attempts_of(record.id)]
        return record, outcomes
    finally:
        await after.close()


async def test_stop_lets_a_delivery_in_flight_finish(
    start_host: StartHost, recording_server: RecordingServer, database_url: str
) -> None:
    await _stop_mid_delivery(start_host, recording_server, answer_after=0.5, grace="5s")

    record, outcomes = await _stored_after_stop(database_url, "delivered")
    assert record.attempts == 1
    assert outcomes == ["delivered"]


async def test_stop_releases_a_hanging_delivery_for_another_worker(
    start_host: StartHost, recording_server: RecordingServer, database_url: str
) -> None:
    first = await _stop_mid_delivery(start_host, recording_server, answer_after=3.0, grace="0.3s")

    released, outcomes = await _stored_after_stop(database_url, "pending")
    assert released.attempts == 1
    assert outcomes == ["released"]

    successor = await start_host(workers={"shutdown_grace": "0.3s"})
    second = (await arrived(recording_server, 2))[1]
    delivered = await only_delivery(successor.store, "delivered")
    assert second.headers["webhook-id"] == first.headers["webhook-id"]
    assert delivered.attempts == 2
    attempts = await successor.store.deliveries.attempts_of(delivered.id)
    assert [(a["number"], a["outcome"]) for a in attempts] == [(1, "released"), (2, "delivered")]


async def test_a_long_delivery_keeps_its_lease_when_polling_is_slow(
    start_host: StartHost, recording_server: RecordingServer
) -> None:
    # The sink takes 2.5 leases; renewals every third of one leave room for a loaded machine.
    recording_server.script(Reply(200, b"ok", delay=3.0))
    host = await start_host(workers={"poll_interval": "4s", "lease": "1.2s"})
    await send_chat(host)
    await arrived(recording_server, 1)
    await start_host(intake=False)  # a second replica polling every 0.1 s

    delivered = await only_delivery(host.store, "delivered")
    await asyncio.sleep(0.3)

    assert len(recording_server.requests) == 1  # the lease never ran out under the sink call
    assert delivered.attempts == 1
