"""``GET /metrics`` scraped from a running host and read with prometheus-client's own parser.

Webhooks go through the HTTP edge to three sinks: ``ok`` answers 200, ``failing`` answers
500 until its deliveries are dead, and ``down`` (also 500, one at a time) opens its breaker
at the first failure, so its deliveries stay queued. The test reads what a user alerts on.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest
from litestar.testing import AsyncTestClient
from prometheus_client.parser import text_string_to_metric_families

from conftest import LIVECHAT_SECRET, livechat
from hookyard.host import Host, load_setup
from hookyard.observability.metrics import Metrics
from hookyard.store import StoreUnavailable
from hookyard.testing import RecordingServer, Reply
from hookyard.web.app import create_app

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

CONFIG = """\
database: "{database}"
sources:
  chat: {{vendor: livechat, secret: "{secret}"}}
sinks:
  ok: {{plugin: http, url: "{ok}/ok"}}
  failing:
    plugin: http
    url: "{failing}/failing"
    retry: {{initial_delay: 50ms, max_attempts: 2}}
  down:
    plugin: http
    url: "{failing}/down"
    concurrency: 1
    breaker: {{failures: 1, cooldown: 10m}}
routes:
  - {{name: to ok, to: ok}}
  - {{name: to failing, to: failing}}
  - {{name: to down, to: down}}
workers: {{poll_interval: 50ms, lease: 5s}}
"""

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def _samples(text: str) -> Samples:
    """Every sample of the scrape by name and sorted labels, as the parser reads them."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def failing() -> Iterator[RecordingServer]:
    with RecordingServer(Reply(500, b"broken")) as server:
        yield server


@pytest.fixture
def metrics_host(
    tmp_path: Path, database_url: str, recording_server: RecordingServer, failing: RecordingServer
) -> Host:
    path = tmp_path / "hookyard.yaml"
    path.write_text(
        CONFIG.format(
            database=database_url,
            secret=LIVECHAT_SECRET,
            ok=recording_server.url,
            failing=failing.url,
        )
    )
    return Host(load_setup(path))


@pytest.fixture
async def metrics_client(metrics_host: Host) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(metrics_host)) as client:
        yield client


async def _scrape(client: AsyncTestClient[Any]) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return _samples(response.text)


async def _scrape_until(
    client: AsyncTestClient[Any], wanted: dict[tuple[str, str], float]
) -> Samples:
    """Scrape until each (sink, result) of ``wanted`` has its count of deliveries."""
    async with asyncio.timeout(20):
        while True:
            samples = await _scrape(client)
            counts = {
                key: _value(samples, "hookyard_deliveries_total", sink=key[0], result=key[1])
                for key in wanted
            }
            if counts == wanted:
                return samples
            await asyncio.sleep(0.05)


async def test_a_scrape_counts_webhooks_deliveries_attempts_and_reads_the_queues(
    metrics_host: Host, metrics_client: AsyncTestClient[Any]
) -> None:
    client = metrics_client
    bodies = [livechat(metrics_host) for _ in range(3)]
    for body in [*bodies, bodies[0]]:
        assert (await client.post("/hooks/chat", json=body)).status_code == 200
    forged = {**livechat(metrics_host), "secret_key": "not the secret"}
    assert (await client.post("/hooks/chat", json=forged)).status_code == 401
    assert (await client.post("/hooks/nowhere", json={})).status_code == 404

    wanted = {("ok", "delivered"): 3.0, ("failing", "retry"): 3.0, ("failing", "dead"): 3.0}
    samples = await _scrape_until(client, {**wanted, ("down", "retry"): 1.0})

    received = "hookyard_webhooks_received_total"
    assert _value(samples, received, source="chat", outcome="stored") == 3
    assert _value(samples, received, source="chat", outcome="duplicate") == 1
    assert _value(samples, received, source="chat", outcome="unauthenticated") == 1
    assert _value(samples, received, source="", outcome="unknown_source") == 1
    assert _value(samples, "hookyard_deliveries_total", sink="ok", result="retry") == 0
    latency = "hookyard_delivery_attempt_duration_seconds_count"
    assert _value(samples, latency, sink="ok") == 3
    assert _value(samples, latency, sink="failing") == 6
    assert _value(samples, latency, sink="down") == 1
    assert _value(samples, "hookyard_delivery_attempt_duration_seconds_sum", sink="ok") > 0
    assert _value(samples, "hookyard_database_up") == 1

    depth = "hookyard_queue_depth"
    assert [_value(samples, depth, sink=s) for s in ("ok", "failing", "down")] == [0, 0, 3]
    oldest = "hookyard_oldest_due_seconds"
    assert _value(samples, oldest, sink="ok") == 0
    assert _value(samples, oldest, sink="down") > 0  # two never tried, one due after retry
    state = "hookyard_sink_state"
    assert _value(samples, state, sink="down", state="breaker_open") == 1
    assert _value(samples, state, sink="down", state="active") == 0
    assert _value(samples, state, sink="ok", state="active") == 1
    assert _value(samples, state, sink="failing", state="breaker_open") == 0


async def test_without_the_database_the_counters_are_served_and_database_up_is_0(
    metrics_host: Host, metrics_client: AsyncTestClient[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unreachable(_names: object) -> None:
        raise StoreUnavailable("cannot reach the database: refused", "refused")

    monkeypatch.setattr(metrics_host.store.deliveries, "sinks", unreachable)
    assert (await metrics_client.post("/hooks/nowhere", json={})).status_code == 404
    samples = await _scrape(metrics_client)
    assert _value(samples, "hookyard_database_up") == 0
    assert not any(name == "hookyard_queue_depth" for name, _labels in samples)
    received = "hookyard_webhooks_received_total"
    assert _value(samples, received, source="", outcome="unknown_source") == 1


def test_two_hosts_in_one_process_keep_their_own_counts() -> None:
    first, second = Metrics(), Metrics()
    first.received("chat", "stored")
    first.attempted("ok", "delivered", 0.01)
    counted = _samples(first.render(None).decode())
    assert _value(counted, "hookyard_deliveries_total", sink="ok", result="delivered") == 1
    untouched = _samples(second.render(None).decode())
    assert not any(name.startswith("hookyard_deliveries_total") for name, _ in untouched)


WORKER_PROCESS = """\
from hookyard.observability.metrics import Metrics
metrics = Metrics()
metrics.attempted("ok", "delivered", 0.02)
metrics.attempted("ok", "dead", 0.03)
"""


def test_with_prometheus_multiproc_dir_a_scrape_sums_every_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a separate ``hookyard worker`` delivered shows in the ``serve`` process's scrape."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):  # two worker processes, one after the other
        subprocess.run([sys.executable, "-c", WORKER_PROCESS], env=env, check=True, timeout=60)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    samples = _samples(Metrics().render(None).decode())
    deliveries = "hookyard_deliveries_total"
    assert _value(samples, deliveries, sink="ok", result="delivered") == 2
    assert _value(samples, deliveries, sink="ok", result="dead") == 2
    latency = "hookyard_delivery_attempt_duration_seconds_count"
    assert _value(samples, latency, sink="ok") == 4
    assert _value(samples, "hookyard_database_up") == 0
