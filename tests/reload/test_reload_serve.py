"""``hookyard reload`` and SIGHUP against a real ``hookyard serve``: a changed configuration
applied under a stream of webhooks without one failing, routed by its new routes and
delivered to its new sink (by a worker process, or by serve itself); an invalid one, or one
that changes what only a restart can, refused with its place while serve keeps routing as
before; a request in flight finishing on the configuration it started with."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from typing import TYPE_CHECKING

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from reload_support import (
    COPY_ROUTE,
    COPY_SINK,
    Stream,
    delivered,
    deliveries,
    line_of,
    post,
    reload_result,
    run_hookyard,
    wait_delivered,
    write_config,
)

from serve_process import ServeProcess, free_port, wait_until

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

ONE_WORKER = ["--workers", "1"]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[ServeProcess]:
    config = tmp_path / "hookyard.yaml"
    write_config(config)
    process = ServeProcess(config, free_port(), tmp_path / "serve.log")
    yield process
    process.stop()


def reloads(serve: ServeProcess) -> dict[str, float]:
    """``hookyard_config_reloads_total`` by result, from serve's ``/metrics``."""
    text = httpx.get(f"{serve.url}/metrics", timeout=5).text
    return {
        sample.labels["result"]: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "hookyard_config_reloads_total"
    }


def sighup(serve: ServeProcess) -> None:
    assert serve.process is not None
    os.kill(serve.process.pid, signal.SIGHUP)


def test_a_reload_under_a_stream_of_webhooks_answers_every_one_200(serve: ServeProcess) -> None:
    serve.start(extra_args=ONE_WORKER)
    out, copy = serve.config.with_name("out.jsonl"), serve.config.with_name("copy.jsonl")
    stream = Stream(serve).start()
    wait_until(lambda: stream.answered() >= 50, 30, "50 webhooks answered")

    write_config(serve.config, sinks=COPY_SINK, routes=COPY_ROUTE)
    done = run_hookyard("reload", "--config", str(serve.config))
    reloaded = time.monotonic()
    wait_until(lambda: stream.answered(reloaded) >= 50, 30, "50 webhooks after the reload")
    sent = stream.stop()

    assert done.returncode == 0, done.stderr
    assert f"applied by serve {serve.process.pid}" in done.stdout  # type: ignore[union-attr]
    assert "2 sinks, 2 routes" in done.stdout
    assert len(sent) >= 100
    assert {s.answer for s in sent} == {200}, [s for s in sent if s.answer != 200][:5]
    wait_delivered(out, {s.event_id for s in sent})  # the route kept delivers every one
    began_after = {s.event_id for s in sent if s.began > reloaded}
    assert len(began_after) >= 50
    wait_delivered(copy, began_after)  # the new route, to the sink the worker process opened
    answered_before = {s.event_id for s in sent[:50]}
    assert not answered_before & set(delivered(copy))


def test_sighup_applies_new_routes_where_serve_delivers_itself(serve: ServeProcess) -> None:
    serve.start(cores={min(os.sched_getaffinity(0))})  # one core: no worker process
    assert post(serve, "before") == 200
    wait_delivered(serve.config.with_name("out.jsonl"), {"before"})

    write_config(serve.config, sinks=COPY_SINK, routes=COPY_ROUTE)
    sighup(serve)
    wait_until(lambda: reload_result(serve) == "applied", 30, "the reload")
    assert post(serve, "after") == 200

    copy = serve.config.with_name("copy.jsonl")
    wait_delivered(copy, {"after"})
    assert delivered(copy) == ["after"]
    assert reloads(serve) == {"applied": 1.0}
    assert serve.children() == []


def test_an_invalid_config_is_refused_and_serve_routes_as_before(serve: ServeProcess) -> None:
    serve.start(extra_args=ONE_WORKER)
    text = write_config(serve.config, routes="  - name: lost\n    to: nowhere\n")
    problem = f"routes[1].to (line {line_of(text, 'to: nowhere')}): no sink named 'nowhere'"

    done = run_hookyard("reload", "--config", str(serve.config))

    assert done.returncode == 2
    assert problem in done.stderr
    assert done.stdout == ""
    assert reloads(serve) == {}  # nothing was signalled

    sighup(serve)  # serve checks it too, and keeps what it runs
    wait_until(lambda: reload_result(serve) == "refused", 30, "the refusal")
    assert f"not reloaded, the running configuration is kept: {problem}" in serve.output()
    assert reloads(serve) == {"refused": 1.0}
    assert post(serve, "after") == 200
    wait_delivered(serve.config.with_name("out.jsonl"), {"after"})


def test_a_change_that_takes_a_restart_is_refused_naming_it(serve: ServeProcess) -> None:
    serve.start(extra_args=["--workers", "0"])
    text = write_config(serve.config, sinks=COPY_SINK, routes=COPY_ROUTE, lease="60s")

    done = run_hookyard("reload", "--config", str(serve.config), "--json")
    assert post(serve, "after") == 200

    assert done.returncode == 2
    (answer,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert answer["result"] == "refused"
    assert answer["pid"] == serve.process.pid  # type: ignore[union-attr]
    line = line_of(text, "lease: 60s")
    assert answer["problems"] == [
        f"workers.lease (line {line}): changed, but only a restart of hookyard serve applies it"
    ]
    assert {d["sink"] for d in deliveries(serve.config)} == {"out"}  # the new route is not used


def test_reload_with_no_serve_running_is_exit_1(serve: ServeProcess) -> None:
    done = run_hookyard("reload", "--config", str(serve.config))
    assert done.returncode == 1
    assert done.stderr == f"hookyard: no hookyard serve is running with {serve.config}\n"

    serve.start(extra_args=["--workers", "0"])
    serve.kill()  # SIGKILL: its note stays behind, and is known for a dead serve's
    done = run_hookyard("reload", "--config", str(serve.config))
    assert done.returncode == 1
    assert "no hookyard serve is running" in done.stderr


def _answer(sock: socket.socket) -> int:
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(4096)
        assert chunk, "the connection closed without an answer"
        received += chunk
    return int(received.split(b" ", 2)[1])


def test_a_request_in_flight_finishes_on_the_config_it_started_with(
    serve: ServeProcess,
) -> None:
    serve.start(extra_args=["--workers", "0"])
    body = json.dumps({"type": "chat.message", "id": "slow", "chat": {"id": "c"}}).encode()
    head = f"POST /hooks/chats HTTP/1.1\r\nhost: x\r\ncontent-length: {len(body)}\r\n\r\n"

    with socket.create_connection(("127.0.0.1", serve.port), timeout=30) as sock:
        sock.sendall(head.encode() + body[:10])  # its source was looked up: it is in flight
        write_config(serve.config, source="renamed")
        done = run_hookyard("reload", "--config", str(serve.config))
        assert done.returncode == 0, done.stderr
        sock.sendall(body[10:])
        assert _answer(sock) == 200  # not 404: it began while source chats was configured

    assert post(serve, "next") == 404
    assert post(serve, "next", source="renamed") == 200
    assert {d["event_id"] for d in deliveries(serve.config)} == {"slow", "next"}
