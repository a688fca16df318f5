"""``hookyard serve`` delivers in worker processes of its own on the other cores: woken by
intake at once, counted in one ``/metrics``, restarted when one dies, gone when ``serve``
is; on one core it delivers in its own process; ``--workers N`` and ``--no-workers``."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from typing import TYPE_CHECKING

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from serve_process import HOOKYARD, ServeProcess, free_port, serve_env, wait_until

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

ONE_WORKER = ["--workers", "1"]

CONFIG = """\
database: sqlite:///{folder}/hookyard.db
sources:
  chats: {{vendor: generic, auth: none}}
sinks:
  out: {{plugin: file, path: {folder}/out.jsonl}}
routes:
  - name: everything
    to: out
workers: {{poll_interval: 30s, lease: 120s, shutdown_grace: 1s}}
"""


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[ServeProcess]:
    config = tmp_path / "hookyard.yaml"
    config.write_text(CONFIG.format(folder=tmp_path))
    process = ServeProcess(config, free_port(), tmp_path / "serve.log")
    yield process
    process.stop()


def post(serve: ServeProcess, number: int) -> float:
    """POST one event; returns when it was sent."""
    sent = time.time()
    event = {"type": "chat.message", "id": f"e{number}", "chat": {"id": f"c{number}"}}
    answer = httpx.post(f"{serve.url}/hooks/chats", content=json.dumps(event), timeout=10)
    assert answer.status_code == 200, answer.text
    return sent


def delivered(serve: ServeProcess) -> list[str]:
    out = serve.config.parent / "out.jsonl"
    lines = out.read_text().splitlines() if out.exists() else []
    return [json.loads(line)["id"] for line in lines]


def wait_delivered(serve: ServeProcess, count: int, timeout: float = 20.0) -> None:
    wait_until(lambda: len(delivered(serve)) >= count, timeout, f"{count} deliveries")


def alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie, exited but not yet reaped, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return " Z " not in stat.read()
    except FileNotFoundError:
        return False


def test_serve_delivers_in_a_worker_process_woken_at_once_by_intake(serve: ServeProcess) -> None:
    serve.start(extra_args=ONE_WORKER)
    (child,) = serve.children()
    post(serve, 0)
    wait_delivered(serve, 1)  # the worker process has started and taken the first

    waited = []
    for number in range(1, 4):
        sent = post(serve, number)
        wait_delivered(serve, number + 1, timeout=10)
        waited.append(time.time() - sent)

    assert max(waited) < 2.0, waited  # its workers poll every 30 s: intake woke them
    assert "delivering in 1 worker process" in serve.output()
    assert serve.children() == [child]  # the same one took them all


def test_metrics_count_what_intake_and_the_worker_processes_did(serve: ServeProcess) -> None:
    serve.start(extra_args=ONE_WORKER)
    for number in range(3):
        post(serve, number)
    wait_delivered(serve, 3)

    text = httpx.get(f"{serve.url}/metrics", timeout=5).text
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }

    received = ("hookyard_webhooks_received_total", (("outcome", "stored"), ("source", "chats")))
    attempted = ("hookyard_deliveries_total", (("result", "delivered"), ("sink", "out")))
    assert samples[received] == 3  # counted by the intake process
    assert samples[attempted] == 3  # counted by the worker process


def test_a_worker_process_that_dies_is_started_again(serve: ServeProcess) -> None:
    serve.start(extra_args=ONE_WORKER)
    (first,) = serve.children()
    os.kill(first, signal.SIGKILL)

    wait_until(lambda: serve.children() not in ([], [first]), 15, "another worker process")
    post(serve, 0)
    wait_delivered(serve, 1)

    assert "exited with -9; starting another" in serve.output()


def test_worker_processes_stop_with_serve_even_when_it_is_killed(serve: ServeProcess) -> None:
    serve.start(extra_args=["--workers", "2"])
    children = serve.children()
    assert len(children) == 2
    post(serve, 0)
    wait_delivered(serve, 1)

    serve.kill()  # SIGKILL: serve runs no shutdown code; its children see their stdin close

    wait_until(lambda: not any(alive(pid) for pid in children), 15, "the workers to stop")


def test_by_default_serve_runs_a_worker_process_per_core_but_one(serve: ServeProcess) -> None:
    serve.start()
    post(serve, 0)
    wait_delivered(serve, 1)

    assert len(serve.children()) == len(os.sched_getaffinity(0)) - 1  # none on one core


def test_no_workers_and_workers_0_deliver_nothing(serve: ServeProcess) -> None:
    serve.start(extra_args=["--no-workers"])
    post(serve, 0)
    time.sleep(1.5)

    assert serve.children() == []
    assert delivered(serve) == []
    assert "intake only" in serve.output()


def test_on_one_core_serve_delivers_in_its_own_process(serve: ServeProcess) -> None:
    serve.start(cores={min(os.sched_getaffinity(0))})
    post(serve, 0)
    wait_delivered(serve, 1, timeout=10)

    assert serve.children() == []


@pytest.mark.parametrize("given", ["many", "-1", "65"])
def test_a_wrong_number_of_workers_is_a_usage_error(given: str, tmp_path: Path) -> None:
    config = tmp_path / "hookyard.yaml"
    config.write_text(CONFIG.format(folder=tmp_path))
    done = subprocess.run(
        [str(HOOKYARD), "serve", "--config", str(config), "--workers", given],
        capture_output=True,
        text=True,
        env=serve_env(),
        timeout=60,
    )

    assert done.returncode == 2
    assert f"expected auto or 0 to 64, got {given!r}" in done.stderr


def test_no_metrics_folder_is_left_by_a_failed_start_or_a_killed_serve(tmp_path: Path) -> None:
    config = tmp_path / "hookyard.yaml"
    config.write_text(CONFIG.format(folder=tmp_path))
    temp = tmp_path / "tmp"
    temp.mkdir()
    (temp / "hookyard-metrics-999999999-x1y2").mkdir()  # of a serve that was SIGKILLed
    (temp / "hookyard-metrics-1-a1b2").mkdir()  # pid 1 still runs: not ours to remove
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = subprocess.run(
            [str(HOOKYARD), "serve", "--config", str(config), "--port", str(port)],
            capture_output=True,
            text=True,
            env={**serve_env(), "TMPDIR": str(temp)},
            timeout=60,
        )

    assert done.returncode == 1, done.stderr
    assert "address already in use" in done.stderr
    assert sorted(p.name for p in temp.iterdir()) == ["hookyard-metrics-1-a1b2"]
