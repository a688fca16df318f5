"""``hookyard serve`` as a user starts it: one line when it serves, one line when it cannot."""

from __future__ import annotations

import asyncio
import queue
import re
import socket
import subprocess
import threading
import time
from typing import IO, TYPE_CHECKING

import httpx
import pytest

from hookyard.cli.serve import _listen
from serve_process import HOOKYARD, ServeProcess, free_port, serve_env

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


async def test_connections_to_the_listening_socket_send_without_delay() -> None:
    """TCP_NODELAY on every accepted connection: without it, Nagle's algorithm and the
    peer's delayed ACK hold each answer back 40 ms (intake fell from ~3,700 to ~720
    requests/s when the socket was made without IPPROTO_TCP)."""
    nodelay: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            nodelay.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    sock = _listen("127.0.0.1", 0)
    server = await asyncio.get_running_loop().create_server(Probe, sock=sock)
    try:
        port = sock.getsockname()[1]
        _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await asyncio.wait_for(nodelay, 5) != 0
        writer.close()
    finally:
        server.close()
        await server.wait_closed()


def test_an_idle_keep_alive_connection_is_still_served_after_six_seconds(
    config: Path, tmp_path: Path
) -> None:
    """Senders' pools reuse idle connections: one closed by the server as a request goes
    out fails unanswered (uvicorn's default closes them after 5 s)."""
    serve = ServeProcess(config, free_port(), tmp_path / "serve.log")
    serve.start(extra_args=["--no-workers"])
    request = f"GET /health HTTP/1.1\r\nhost: 127.0.0.1:{serve.port}\r\n\r\n".encode()
    with socket.create_connection(("127.0.0.1", serve.port), timeout=10) as connection:
        connection.sendall(request)
        first = _answer(connection)
        time.sleep(6)
        connection.sendall(request)
        second = _answer(connection)
    serve.stop()

    assert first.startswith(b"HTTP/1.1 200")
    assert second.startswith(b"HTTP/1.1 200"), second


def _answer(connection: socket.socket) -> bytes:
    """One whole HTTP answer (head and a body of its content-length); b"" if closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body
