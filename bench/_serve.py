"""The benchmark's processes: start (pinned to a core), wait until ready, stop, always."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

#: No single step of the benchmark may take longer than this (seconds).
STEP_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _request(port: int, method: str, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        body = b"{}" if method == "POST" else None
        connection.request(method, path, body=body, headers={"content-type": "application/json"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class Servers:
    """Every process the benchmark started, by name; :meth:`stop_all` ends them all."""

    def __init__(self, tmp: Path, *, pin: bool) -> None:
        self.tmp = tmp
        self.pin = pin
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    def _affinity(self, cpu: int) -> Any:
        if not self.pin:
            return None
        return lambda: os.sched_setaffinity(0, {cpu})

    def start(self, name: str, command: list[str], cpu: int) -> int:
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 (the process keeps it)
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, preexec_fn=self._affinity(cpu)
        )
        self.processes[name] = process
        return process.pid

    def run(self, command: list[str], cpu: int) -> None:
        """Run ``command`` to its end (the load generator)."""
        process = subprocess.Popen(command, preexec_fn=self._affinity(cpu))
        self.processes["client"] = process
        code = process.wait(timeout=STEP_TIMEOUT)
        del self.processes["client"]
        if code != 0:
            raise RuntimeError(f"{command[1]} failed with exit code {process.returncode}")

    def wait_http(self, port: int, method: str, path: str) -> None:
        """Wait until ``method path`` answers 200 (an app is up and its database ready)."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if _request(port, method, path, timeout=1.0)[0] == 200:
                    return
            except OSError:
                pass
            for name, process in self.processes.items():
                if process.poll() is not None:
                    log = (self.tmp / f"{name}.log").read_text(errors="replace")
                    raise RuntimeError(f"{name} exited early:\n{log}")
            time.sleep(0.1)
        raise RuntimeError(f"nothing answered {method} {path} on port {port} within 30s")

    def profile(self, pid: int, out: str, delay: float, duration: float) -> None:
        """py-spy samples ``pid`` and its worker processes for ``duration`` seconds after
        ``delay`` (the warm-up)."""
        spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or "py-spy"
        record = f"{spy} record --pid {pid} --subprocesses --rate 200 --format raw"
        script = f"sleep {delay} && exec {record} --duration {int(duration)} -o {out}"
        self.start("profile", ["sh", "-c", script], cpu=1)

    def drain(self, sink_port: int, expected: int, timeout: float) -> dict[str, Any]:
        """Wait until the sink receiver has ``expected`` events (or ``timeout`` passed)."""
        started = time.monotonic()
        count: dict[str, Any] = {}
        while time.monotonic() - started < timeout:
            count = json.loads(_request(sink_port, "GET", "/count")[1])
            if count["count"] >= expected:
                break
            time.sleep(0.05)
        return {**count, "expected": expected, "complete": count.get("count", 0) >= expected}

    def sink_count(self, sink_port: int) -> dict[str, Any]:
        """The sink receiver's ``/count``: distinct events, first and last arrival."""
        count: dict[str, Any] = json.loads(_request(sink_port, "GET", "/count")[1])
        return count

    def reset_sink(self, sink_port: int) -> None:
        """Make the sink receiver forget every arrival (between scenarios)."""
        _request(sink_port, "GET", "/reset")

    def pid(self, name: str) -> int:
        return self.processes[name].pid

    def arrivals(self, sink_port: int) -> dict[str, float]:
        arrivals: dict[str, float] = json.loads(_request(sink_port, "GET", "/dump", 30)[1])[
            "arrivals"
        ]
        return arrivals

    def finish(self, name: str, timeout: float) -> None:
        """Let ``name`` end by itself within ``timeout`` seconds, then stop it."""
        process = self.processes.get(name)
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=timeout)
        self.stop(name)

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT if name == "profile" else signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)
