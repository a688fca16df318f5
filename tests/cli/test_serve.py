"""``hookyard serve`` as a user starts it: one line when it serves, one line when it cannot."""

from __future__ import annotations

import queue
import re
import socket
import subprocess
import threading
from typing import IO, TYPE_CHECKING

import httpx
import pytest

from serve_process import HOOKYARD, serve_env

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

CONFIG = "database: sqlite:///hookyard.db\nsources:\n  chats: {vendor: livechat, secret: s3cret}\n"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "hookyard.yaml"
    path.write_text(CONFIG)
    return path


@pytest.fixture
def held_port() -> Iterator[int]:
    """A loopback port this test listens on, so hookyard cannot."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield int(held.getsockname()[1])


def test_a_busy_port_is_one_line_and_exit_1(config: Path, held_port: int) -> None:
    done = subprocess.run(
        [str(HOOKYARD), "serve", "--config", str(config), "--port", str(held_port)],
        capture_output=True,
        text=True,
        timeout=60,
        env=serve_env(),
    )
    assert done.returncode == 1
    assert (
        done.stderr == f"hookyard: cannot listen on 127.0.0.1:{held_port}: address already in use\n"
    )
    assert done.stdout == ""


def _lines(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)


def test_listening_is_announced_once_requests_are_answered(config: Path) -> None:
    command = [str(HOOKYARD), "serve", "--config", str(config), "--port", "0"]
    command += ["--log-level", "warning"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=serve_env())
    try:
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_lines, args=(process.stderr, lines), daemon=True).start()
        announced = lines.get(timeout=30)
        found = re.fullmatch(
            rf"hookyard: listening on (http://127\.0\.0\.1:\d+) with {config}\n", announced
        )
        assert found, announced
        answer = httpx.get(f"{found[1]}/health", timeout=5)  # at once: no waiting, no retry
        assert answer.status_code == 200
        assert answer.json()["status"] == "ok"
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert "Traceback" not in "".join(lines.queue)
