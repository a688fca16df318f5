"""Several ``hookyard serve`` replicas as real processes on one PostgreSQL database.

Each replica is ``hookyard serve --config CONFIG --port PORT`` in a process group of its own,
so :meth:`Replica.kill` takes down the whole replica (any process it started too) as a
lost machine would lose it. All replicas of one :class:`ReplicaSet` share one configuration
file and one fresh database; the ``replicas`` fixture in this folder's conftest.py makes one
per test and stops every replica afterwards.

    def test_two(replicas: ReplicaSet) -> None:
        first, second = replicas(2, CONFIG_WITHOUT_DATABASE, extra_args=["--log-level", "info"])
        httpx.post(f"{first.url}/hooks/chat", content=body)
        second.kill()
        assert "Traceback" not in first.log_text()
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from serve_process import HOOKYARD, free_port, serve_env

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = ["Replica", "ReplicaSet"]

#: Seconds a replica may take from exec to answering ``GET /health`` (all start at once).
START_TIMEOUT = 30.0
#: Seconds ``stop()`` waits after SIGTERM before it sends SIGKILL.
STOP_TIMEOUT = 8.0

_DATABASE_KEY = re.compile(r"^database\s*:", re.MULTILINE)


class Replica:
    """One ``hookyard serve`` process (and whatever it starts) listening on ``url``."""

    def __init__(self, index: int, command: Sequence[str], port: int, log: Path) -> None:
        self.index = index
        self.command = list(command)
        self.port = port
        self.log = log
        self.url = f"http://127.0.0.1:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        #: time.time() when the replica stopped running: its freeze() or kill(), the first
        self.killed_at: float | None = None

    def __repr__(self) -> str:
        return f"<replica {self.index} pid={self.pid} {self.url}>"

    @property
    def pid(self) -> int:
        """The process id of ``hookyard serve`` (also the id of the replica's process group)."""
        assert self.process is not None, "not started"
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def hooks(self, source: str) -> str:
        """The intake URL of a source: ``{url}/hooks/{source}``."""
        return f"{self.url}/hooks/{source}"

    def launch(self, env: Mapping[str, str]) -> None:
        """Start the process without waiting for it; :meth:`wait_healthy` waits."""
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command,
                stdout=out,
                stderr=subprocess.STDOUT,
                env=dict(env),
                start_new_session=True,  # its own process group: kill() reaches its children
            )

    def healthy(self) -> bool:
        """Whether ``GET /health`` answers 200; raises if the process has exited."""
        if not self.alive:
            raise AssertionError(f"replica {self.index} exited early:\n{self.log_text()}")
        try:
            return httpx.get(f"{self.url}/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_healthy(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not self.healthy():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"replica {self.index} not healthy after {timeout:g}s:\n{self.log_text()}"
                )
            time.sleep(0.05)

    def processes(self) -> list[int]:
        """Pids of every live process in the replica's process group (Linux ``/proc``)."""
        if not self.alive:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid pgrp ...; comm may hold spaces and parentheses
            fields = stat.rpartition(")")[2].split()
            if len(fields) > 2 and int(fields[2]) == self.pid and fields[0] != "Z":
                found.append(int(entry.name))
        return sorted(found) or [self.pid]

    def freeze(self) -> None:
        """SIGSTOP the whole replica: it does nothing more until :meth:`kill` (or SIGCONT).

        Freezing first and killing a moment later is a SIGKILL whose moment can be looked at:
        what the database holds for the replica then is what the kill leaves behind.
        """
        if self.killed_at is None and self.alive:
            self.killed_at = time.time()
        self._signal_group(signal.SIGSTOP)

    def kill(self) -> None:
        """SIGKILL the replica's whole process group: no shutdown code runs anywhere."""
        if self.process is None:
            return
        if self.killed_at is None and self.alive:
            self.killed_at = time.time()
        self._signal_group(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM to ``hookyard serve``; SIGKILL to the group if it has not exited in time."""
        self.terminate()
        self.finish(time.monotonic() + STOP_TIMEOUT)

    def terminate(self) -> None:
        if self.alive:
            assert self.process is not None
            self.process.terminate()

    def finish(self, deadline: float) -> None:
        """Wait until ``deadline`` (monotonic) for the exit, then SIGKILL what is left."""
        if self.process is None:
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        self._signal_group(signal.SIGKILL)  # also children left behind by a clean exit
        self.process.wait(timeout=10)

    def _signal_group(self, sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, sig)

    def log_text(self, last: int | None = None) -> str:
        """What the replica printed (stdout and stderr), or its last ``last`` characters."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return text if last is None else text[-last:]


class ReplicaSet:
    """Starts replicas on ``database_url``; call it: ``replicas(n, config_text)``.

    ``config_text`` is a hookyard.yaml without the ``database`` key: the set adds the line
    ``database: "<database_url>"`` in front and writes the file to ``folder/hookyard.yaml``.
    """

    def __init__(self, database_url: str, folder: Path) -> None:
        self.database_url = database_url
        self.folder = folder
        self.config_path = folder / "hookyard.yaml"
        self.started: list[Replica] = []

    def __call__(
        self,
        n: int,
        config_text: str,
        extra_args: Iterable[str] = (),
        env: Mapping[str, str] | None = None,
        timeout: float = START_TIMEOUT,
    ) -> list[Replica]:
        """Start ``n`` replicas at once and return them once every one answers ``/health``.

        :param extra_args: appended to each ``hookyard serve`` command line (a later
            ``--log-level info`` overrides the default ``warning``).
        :param env: variables added to each replica's environment.
        """
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        if _DATABASE_KEY.search(config_text):
            raise ValueError("config_text names a database; the replica set adds its own")
        if self.started and self.config_path.read_text() != self._config(config_text):
            raise ValueError("every replica of a set runs with one configuration")
        self.config_path.write_text(self._config(config_text))
        environment = {**serve_env(), **(env or {})}
        new = []
        for _ in range(n):
            index = len(self.started)
            port = free_port()
            command = [str(HOOKYARD), "serve", "--config", str(self.config_path)]
            command += ["--port", str(port), "--log-level", "warning", *extra_args]
            replica = Replica(index, command, port, self.folder / f"replica-{index}.log")
            replica.launch(environment)
            self.started.append(replica)
            new.append(replica)
        for replica in new:
            replica.wait_healthy(timeout)
        return new

    def _config(self, config_text: str) -> str:
        return f'database: "{self.database_url}"\n{config_text}'

    def stop_all(self) -> None:
        """SIGTERM every live replica at once, then SIGKILL whatever is left after a while."""
        for replica in self.started:
            replica.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT
        for replica in self.started:
            replica.finish(deadline)

    def logs(self, last: int = 3000) -> str:
        """The end of every replica's log, each under a heading: for assertion messages."""
        return "\n".join(
            f"--- replica {r.index} (pid {r.pid}) ---\n{r.log_text(last)}"
            for r in self.started
            if r.process is not None
        )
