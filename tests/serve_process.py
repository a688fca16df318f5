"""Running a real ``hookyard serve`` process for tests: start, wait until healthy, kill."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["HOOKYARD", "ServeProcess", "free_port", "serve_env", "wait_until"]

#: The ``hookyard`` console script of the interpreter running the tests.
HOOKYARD = Path(sys.executable).with_name("hookyard")


def serve_env() -> dict[str, str]:
    """The environment for a hookyard process: ours, with bytecode caching allowed.

    Compiled modules go to a folder of their own in the temp dir (not into the venv), so
    only the first process of a run pays for compiling hookyard and its dependencies.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "hookyard-tests-pycache")
    return env


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(
    check: Callable[[], bool], timeout: float, what: str, interval: float = 0.05
) -> None:
    """Poll ``check()`` until it is true; raise AssertionError naming ``what`` after timeout."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


class ServeProcess:
    """``hookyard serve --config CONFIG --port PORT``; output goes to ``log``."""

    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.config = config
        self.port = port
        self.log = log
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(
        self,
        timeout: float = 20.0,
        extra_args: Sequence[str] = (),
        cores: set[int] | None = None,
    ) -> ServeProcess:
        """Start the process and wait until ``GET /health`` answers 200.

        :param cores: run it on these cores only (its CPU affinity).
        """
        command = [str(HOOKYARD), "serve", "--config", str(self.config)]
        command += ["--port", str(self.port), "--log-level", "warning", *extra_args]
        pinned = None if cores is None else (lambda: os.sched_setaffinity(0, cores))
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, stdout=out, stderr=subprocess.STDOUT, env=serve_env(), preexec_fn=pinned
            )
        wait_until(self._healthy, timeout, f"hookyard serve to be healthy (log: {self.log})")
        return self

    def _healthy(self) -> bool:
        assert self.process is not None
        if self.process.poll() is not None:
            raise AssertionError(f"hookyard serve exited early:\n{self.output()}")
        try:
            return httpx.get(f"{self.url}/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when a machine loses power."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not exit within a few seconds."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=8)
        except subprocess.TimeoutExpired:
            self.kill()

    def children(self) -> list[int]:
        """The process ids of its child processes (its worker processes)."""
        assert self.process is not None
        pid = self.process.pid
        found = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(child) for child in found.read_text().split()] if found.exists() else []

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""
