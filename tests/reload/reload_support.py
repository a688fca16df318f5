"""What the reload tests share: configurations to change, a stream of webhooks, the
``hookyard reload`` command, and reading what ``serve`` delivered and noted."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from typing import TYPE_CHECKING

import httpx
from attrs import frozen

from serve_process import HOOKYARD, ServeProcess, serve_env, wait_until

if TYPE_CHECKING:
    from pathlib import Path

__all__ = [
    "COPY_ROUTE",
    "COPY_SINK",
    "Stream",
    "delivered",
    "deliveries",
    "line_of",
    "post",
    "reload_result",
    "run_hookyard",
    "wait_delivered",
    "write_config",
]

CONFIG = """\
database: sqlite:///{folder}/hookyard.db
sources:
  {source}: {{vendor: generic, auth: none}}
workers: {{poll_interval: {poll}, lease: {lease}, shutdown_grace: 1s}}
sinks:
  out: {{plugin: file, path: {folder}/out.jsonl}}
{sinks}routes:
  - name: everything
    to: out
{routes}"""
#: A second sink, and a route to it: what a reload adds.
COPY_SINK = "  copy: {{plugin: file, path: {folder}/copy.jsonl}}\n"
COPY_ROUTE = "  - name: copies\n    to: copy\n"


def write_config(
    path: Path,
    *,
    sinks: str = "",
    routes: str = "",
    source: str = "chats",
    poll: str = "30s",
    lease: str = "120s",
) -> str:
    """Write a configuration: source ``chats``, sink ``out`` and a route to it, then
    ``sinks`` and ``routes`` (YAML lines, ``{folder}`` is the file's folder); returns it."""
    folder = path.parent
    text = CONFIG.format(
        folder=folder,
        source=source,
        poll=poll,
        lease=lease,
        sinks=sinks.format(folder=folder),
        routes=routes.format(folder=folder),
    )
    path.write_text(text)
    return text


def line_of(text: str, part: str) -> int:
    """The 1-based line of ``text`` holding ``part``."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if part in line)


def run_hookyard(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HOOKYARD), *args], capture_output=True, text=True, env=serve_env(), timeout=120
    )


def post(serve: ServeProcess, event_id: str, source: str = "chats") -> int:
    """POST one event; returns the answer's status."""
    event = {"type": "chat.message", "id": event_id, "chat": {"id": f"c-{event_id}"}}
    url = f"{serve.url}/hooks/{source}"
    return httpx.post(url, content=json.dumps(event), timeout=10).status_code


def delivered(path: Path) -> list[str]:
    """The event ids a file sink appended to ``path``, in order."""
    lines = path.read_text().splitlines() if path.exists() else []
    return [json.loads(line)["id"] for line in lines]


def wait_delivered(path: Path, ids: set[str], timeout: float = 60.0) -> None:
    wait_until(lambda: ids <= set(delivered(path)), timeout, f"{len(ids)} events in {path.name}")


def deliveries(config: Path) -> list[dict[str, object]]:
    """Every delivery, as ``hookyard deliveries list --json`` shows it."""
    done = run_hookyard(
        "deliveries", "list", "--config", str(config), "--json", "--limit", "1000000"
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def reload_result(serve: ServeProcess) -> str | None:
    """The result of the last reload ``serve`` noted beside its configuration, if any."""
    assert serve.process is not None
    record = serve.config.with_name(f".{serve.config.name}.serve") / f"{serve.process.pid}.json"
    last = json.loads(record.read_text())["reload"]
    return None if last is None else str(last["result"])


@frozen
class Sent:
    """One webhook of a stream: its event id, when its POST began and ended, its answer
    (a status, or the name of the exception it raised)."""

    event_id: str
    began: float
    ended: float
    answer: int | str


class Stream:
    """``threads`` senders POSTing events one after another (``time.monotonic()`` noted)
    until :meth:`stop`, at most ``most`` each."""

    def __init__(self, serve: ServeProcess, threads: int = 6, most: int = 600) -> None:
        self._url = f"{serve.url}/hooks/chats"
        self._most = most
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.sent: list[Sent] = []
        self._threads = [
            threading.Thread(target=self._send, args=(number,), daemon=True)
            for number in range(threads)
        ]

    def start(self) -> Stream:
        for thread in self._threads:
            thread.start()
        return self

    def answered(self, began_after: float = 0.0) -> int:
        """How many were answered (of those whose POST began after ``began_after``)."""
        with self._lock:
            return sum(1 for sent in self.sent if sent.began > began_after)

    def stop(self) -> list[Sent]:
        self._stopping.set()
        for thread in self._threads:
            thread.join(timeout=30)
        return self.sent

    def _send(self, number: int) -> None:
        with httpx.Client(timeout=10) as client:  # one keep-alive connection, as vendors do
            for count in range(self._most):
                if self._stopping.is_set():
                    return
                event_id = f"s{number}-{count}"
                event = {"type": "chat.message", "id": event_id, "chat": {"id": event_id}}
                began = time.monotonic()
                try:
                    answer: int | str = client.post(
                        self._url, content=json.dumps(event)
                    ).status_code
                except httpx.HTTPError as exc:
                    answer = type(exc).__name__
                with self._lock:
                    self.sent.append(Sent(event_id, began, time.monotonic(), answer))
                time.sleep(0.02)
