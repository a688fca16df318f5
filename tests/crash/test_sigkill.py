"""SIGKILL ``hookyard serve`` in the middle of a webhook stream: nothing answered 200 is lost.

A vendor streams LiveChat deliveries (and exact re-sends, as LiveChat retries) from several
threads; the server is killed with SIGKILL mid-stream and started again on the same
configuration; the vendor re-sends what got no answer. Every delivery that was answered 200
must reach the sink, and every delivery must be stored exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from attrs import frozen
from sqlalchemy import func, select
from webhook_sender import Delivery, Sender

from hookyard.events import EVENT_TYPES
from hookyard.host import Host
from hookyard.store import Store
from hookyard.store._schema import deliveries, events
from hookyard.vendors import WebhookRequest
from serve_process import ServeProcess, free_port, wait_until

if TYPE_CHECKING:
    from pathlib import Path

    from hookyard.testing import RecordingServer

pytestmark = pytest.mark.slow

SECRET = "lc-crash-secret-4Rt9Qw"
DISTINCT = 300
RESEND_EVERY = 5  # every 5th delivery is sent twice, the copy a few positions later
KILL_AFTER = 120  # answered requests before the SIGKILL
ACTIONS = ("incoming_chat", "incoming_event", "rating", "chat_transferred", "thread_tagged")
CHAT_TYPES = sorted(t for t in EVENT_TYPES if t.startswith("chat."))

CONFIG = """\
database: "{database}"
sources:
  chat: {{vendor: livechat, secret: "{secret}"}}
sinks:
  far-end:
    plugin: http
    url: "{sink}/in"
    timeout: 5
    retry: {{initial_delay: 0.2s, max_delay: 1s, max_attempts: 50}}
routes:
  - name: chats to the far end
    match: {{type: [{types}]}}
    to: far-end
workers: {{lease: 2s, poll_interval: 0.1s, shutdown_grace: 1s}}
"""


def write_config(tmp_path: Path, database: str, sink: str) -> Path:
    path = tmp_path / "hookyard.yaml"
    types = ", ".join(CHAT_TYPES)
    path.write_text(CONFIG.format(database=database, secret=SECRET, sink=sink, types=types))
    return path


def make_deliveries(host: Host) -> list[Delivery]:
    """300 distinct deliveries and, interleaved, exact re-sends of every 5th one."""
    vendor = host.registry.vendors["livechat"]
    options = host.config.sources["chat"].options
    distinct = []
    for number in range(DISTINCT):
        body = vendor.simulate(options, ACTIONS[number % len(ACTIONS)]).body
        parsed = vendor.parse(options, WebhookRequest("chat", body, {}, datetime.now(UTC)))
        assert [e.type for e in parsed][0] in CHAT_TYPES
        distinct.append(Delivery(body, parsed[0].id))
    stream: list[Delivery] = []
    for number, delivery in enumerate(distinct):
        stream.append(delivery)
        if number >= 8 and number % RESEND_EVERY == 0:
            original = distinct[number - 8]
            stream.append(Delivery(original.body, original.event_id, duplicate=True))
    return stream


async def stored_counts(url: str) -> tuple[dict[str, int], int, dict[str, int]]:
    """Rows in ``events`` per event id, rows in ``deliveries``, and deliveries per status."""
    store = Store(url)
    try:
        async with store.engine.connect() as connection:
            per_event = select(events.c.event_id, func.count()).group_by(events.c.event_id)
            rows = {event_id: count for event_id, count in await connection.execute(per_event)}
            total = await connection.scalar(select(func.count()).select_from(deliveries))
        return rows, int(total or 0), await store.deliveries.counts()
    finally:
        await store.engine.dispose()


def received_ids(server: RecordingServer) -> set[str]:
    return {request.json()["id"] for request in list(server.requests)}


def kill_mid_stream(server: ServeProcess, sender: Sender) -> tuple[int, int]:
    """SIGKILL once KILL_AFTER requests were answered; returns (answered, in flight) then."""
    wait_until(lambda: sender.answered >= KILL_AFTER, 30, f"{KILL_AFTER} answers", 0.002)
    in_flight, answered = sender.in_flight_now(), sender.answered
    assert server.process is not None
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(timeout=10)
    return answered, in_flight


@frozen
class Recovery:
    """What the crash looked like from outside."""

    answered_at_kill: int
    in_flight_at_kill: int
    resent: int
    delivered_after: float  # seconds from the SIGKILL until the sink had every event


def crash_and_recover(
    config: Path, sender: Sender, sink: RecordingServer, database_url: str
) -> Recovery:
    """Stream, SIGKILL, restart, re-send the unanswered; wait until all is delivered."""
    port = int(sender.target.split(":")[2].split("/")[0])
    first = ServeProcess(config, port, config.with_name("first.log"))
    second = ServeProcess(config, port, config.with_name("second.log"))
    try:
        first.start()
        threads = sender.stream()
        answered, in_flight = kill_mid_stream(first, sender)
        killed_at = time.monotonic()
        second.start()
        for thread in threads:
            thread.join(timeout=30)
        resent = sender.resend_unanswered()
        expected = {d.event_id for d in sender.deliveries}
        wait_until(lambda: expected <= received_ids(sink), 30, "every event at the sink")
        delivered_after = time.monotonic() - killed_at
        wait_until(lambda: _settled(database_url), 15, "every delivery to be recorded")
        return Recovery(answered, in_flight, len(resent), delivered_after)
    finally:
        first.kill()
        second.stop()


@pytest.mark.timeout(60)
def test_sigkill_mid_stream_loses_no_answered_webhook(
    tmp_path: Path, database_url: str, recording_server: RecordingServer
) -> None:
    config = write_config(tmp_path, database_url, recording_server.url)
    stream = make_deliveries(Host.from_file(config))
    sender = Sender(f"http://127.0.0.1:{free_port()}/hooks/chat", stream)
    recovery = crash_and_recover(config, sender, recording_server, database_url)
    statuses = sender.statuses()
    extra = len(recording_server.requests) - len({d.event_id for d in stream})
    print(
        f"\n[{database_url.partition(':')[0]}] {recovery}; answers: {dict(statuses)}; "
        f"sink got {extra} deliveries twice"
    )
    assert set(statuses) <= {200, "ConnectError", "ReadError", "RemoteProtocolError"}, statuses
    assert sum(n for s, n in statuses.items() if s != 200) > 0, "the kill interrupted nothing"
    expected = {d.event_id for d in stream}
    answered = {stream[i].event_id for i, got in sender.answers.items() if 200 in got}
    assert answered == expected  # after the re-sends every delivery got its 200
    assert answered <= received_ids(recording_server)
    rows, delivery_rows, _counts = asyncio.run(stored_counts(database_url))
    assert rows == dict.fromkeys(expected, 1)  # re-sends and retries stored nothing twice
    assert delivery_rows == len(expected)  # one route, one delivery per event


def _settled(url: str) -> bool:
    counts = asyncio.run(stored_counts(url))[2]
    return counts["pending"] == counts["delivering"] == counts["dead"] == 0
