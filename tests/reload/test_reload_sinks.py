"""What a reload does to sinks: a sink removed keeps its deliveries waiting, pending, and
delivers them once a configuration names it again; an attempt in flight finishes on the sink
it began with while the next go to the sink the new configuration opened (on SQLite and
PostgreSQL); a ``hookyard worker`` of its own reloads on SIGHUP."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
from typing import TYPE_CHECKING

import pytest
from reload_support import (
    COPY_ROUTE,
    COPY_SINK,
    delivered,
    deliveries,
    post,
    run_hookyard,
    wait_delivered,
    write_config,
)

from hookyard.cli.reload import load_text
from hookyard.host import Host
from hookyard.testing import RecordingServer, Reply
from serve_process import HOOKYARD, ServeProcess, free_port, serve_env, wait_until

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

#: More than a pipe holds (64 KiB): the configuration reaches the worker process in parts.
PADDING = "# " + "padding " * 12_000 + "\n"
LATER_ROUTE = "  - name: later\n    to: later\n"


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[ServeProcess]:
    process = ServeProcess(tmp_path / "hookyard.yaml", free_port(), tmp_path / "serve.log")
    yield process
    process.stop()


def later_delivery(config: Path) -> dict[str, object]:
    (found,) = [d for d in deliveries(config) if d["sink"] == "later"]
    return found


def reload(config: Path) -> None:
    done = run_hookyard("reload", "--config", str(config))
    assert done.returncode == 0, done.stderr


def test_a_removed_sink_keeps_its_deliveries_until_it_is_configured_again(
    serve: ServeProcess,
) -> None:
    nothing_listens = f"http://127.0.0.1:{free_port()}/in"
    retrying = "{{max_attempts: 10000, initial_delay: 0.1s, max_delay: 0.3s, jitter: 0}}"
    unreachable = f"  later: {{{{plugin: http, url: '{nothing_listens}', retry: {retrying}}}}}\n"
    fast = {"poll": "0.2s", "lease": "2s"}
    write_config(serve.config, sinks=unreachable, routes=LATER_ROUTE + PADDING, **fast)
    serve.start(extra_args=["--workers", "1"])
    assert post(serve, "e1") == 200
    wait_until(lambda: int(later_delivery(serve.config)["attempts"]) >= 2, 60, "retries")

    write_config(serve.config, routes=PADDING, **fast)
    reload(serve.config)
    wait_until(lambda: "sink later is no longer configured" in serve.output(), 60, "the log")
    assert post(serve, "e2") == 200
    wait_delivered(serve.config.with_name("out.jsonl"), {"e1", "e2"})
    assert later_delivery(serve.config)["status"] == "pending"  # waiting, not dead

    back = "  later: {{plugin: file, path: {folder}/later.jsonl}}\n"
    write_config(serve.config, sinks=back, routes=LATER_ROUTE + PADDING, **fast)
    reload(serve.config)

    wait_delivered(serve.config.with_name("later.jsonl"), {"e1"})
    assert delivered(serve.config.with_name("later.jsonl")) == ["e1"]  # e2 came without it
    assert later_delivery(serve.config)["status"] == "delivered"


def test_a_worker_of_its_own_reloads_on_sighup(serve: ServeProcess) -> None:
    write_config(serve.config, poll="0.2s")
    serve.start(extra_args=["--no-workers"])  # intake; the worker below delivers
    log = serve.config.with_name("worker.log").open("wb")
    command = [str(HOOKYARD), "worker", "--config", str(serve.config), "--log-level", "info"]
    worker = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=serve_env())
    try:
        assert post(serve, "before") == 200
        wait_delivered(serve.config.with_name("out.jsonl"), {"before"})

        write_config(serve.config, sinks=COPY_SINK, routes=COPY_ROUTE, poll="0.2s")
        reload(serve.config)  # intake routes to the new sink
        worker.send_signal(signal.SIGHUP)
        worker_log = serve.config.with_name("worker.log")
        wait_until(lambda: "reloaded: 1 sources, 2 sinks" in worker_log.read_text(), 60, "it")
        assert post(serve, "after") == 200

        wait_delivered(serve.config.with_name("copy.jsonl"), {"after"})
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()


def http_config(path: Path, database: str, sinks: dict[str, str]) -> None:
    """A configuration (JSON is YAML) with source ``chats`` and a route to each http sink."""
    config = {
        "database": database,
        "sources": {"chats": {"vendor": "generic", "auth": "none"}},
        "sinks": {name: {"plugin": "http", "url": f"{url}/in"} for name, url in sinks.items()},
        "routes": [{"name": name, "to": name} for name in sinks],
        "workers": {"poll_interval": "0.2s", "lease": "5s", "shutdown_grace": "1s"},
    }
    path.write_text(json.dumps(config))


async def receive(host: Host, event_id: str) -> None:
    body = json.dumps({"type": "chat.message", "id": event_id, "chat": {"id": event_id}})
    answer = await host.intake.receive("chats", {}, body.encode())
    assert answer.status == 200, answer.body


async def statuses(host: Host) -> dict[str, str]:
    return {d.event_id: d.status for d in await host.store.deliveries.list()}


@pytest.fixture
def slow_target() -> Iterator[RecordingServer]:
    """A target that answers after a second: its first attempt is in flight meanwhile."""
    with RecordingServer(Reply(delay=1.0)) as server:
        yield server


async def test_an_attempt_in_flight_ends_on_its_sink_and_the_next_go_to_the_new_one(
    tmp_path: Path,
    database_url: str,
    slow_target: RecordingServer,
    recording_server: RecordingServer,
) -> None:
    path = tmp_path / "hookyard.yaml"
    http_config(path, database_url, {"target": slow_target.url})
    host = Host(load_text(str(path))[1])
    await host.start()
    try:
        await receive(host, "first")
        await asyncio.to_thread(slow_target.wait_for, 1)  # in flight now

        http_config(path, database_url, {"target": recording_server.url})
        await host.apply(load_text(str(path))[1])  # returns once "first" is answered
        assert await statuses(host) == {"first": "delivered"}

        await receive(host, "second")
        (arrived,) = await asyncio.to_thread(recording_server.wait_for, 1)
    finally:
        await host.stop()

    assert arrived.json()["id"] == "second"
    assert [r.json()["id"] for r in slow_target.requests] == ["first"]


async def test_an_attempt_in_flight_to_a_removed_sink_ends_as_it_began(
    tmp_path: Path, database_url: str, slow_target: RecordingServer
) -> None:
    path = tmp_path / "hookyard.yaml"
    http_config(path, database_url, {"target": slow_target.url})
    host = Host(load_text(str(path))[1])
    await host.start()
    try:
        await receive(host, "first")
        await asyncio.to_thread(slow_target.wait_for, 1)

        http_config(path, database_url, {})
        await host.apply(load_text(str(path))[1])

        assert await statuses(host) == {"first": "delivered"}  # not dead: it was sent
    finally:
        await host.stop()
