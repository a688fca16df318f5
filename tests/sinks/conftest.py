"""Fixtures for sink tests: a real recording HTTP server and delivery requests."""

from __future__ import annotations

import copy
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from hookyard.sinks import DeliveryRequest

#: An event in its JSON form, as the host hands it to sinks.
EVENT: dict[str, Any] = {
    "id": "evt-0001",
    "source": "livechat-main",
    "vendor": "livechat",
    "type": "chat.started",
    "vendor_type": "incoming_chat",
    "occurred_at": "2025-03-04T10:11:12Z",
    "received_at": "2025-03-04T10:11:13Z",
    "chat": {
        "id": "chat-42",
        "thread_id": "thread-7",
        "status": "open",
        "department": "sales",
        "tags": ["vip"],
        "rating": None,
    },
    "customer": {
        "id": "cust-1",
        "name": "Zoë Ångström",
        "email": "zoe@example.com",
        "phone": None,
        "company": None,
    },
    "agent": None,
    "message": None,
    "changes": {},
    "data": {"note": "naïve café ✓"},
    "raw": {"action": "incoming_chat"},
}


@dataclass
class Recorded:
    """One request the server received; header names are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    """How the server answers one request."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b"ok"
    delay: float = 0.0
    drip: float = 0.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    recorder: RecordingServer


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        self._answer()

    do_GET = do_PUT = do_PATCH = do_DELETE = do_POST

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {name.lower(): value for name, value in self.headers.items()}
        recorder = self.server.recorder
        reply = recorder.record(Recorded(self.command, self.path, headers, body))
        if reply.delay and recorder.stopping.wait(reply.delay):
            return
        try:
            if reply.drip:
                self._drip(reply, recorder.stopping)
                return
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            pass  # the client gave up (timeout tests)

    def _drip(self, reply: Reply, stopping: threading.Event) -> None:
        """Send the answer one byte at a time, ``reply.drip`` seconds apart."""
        head = f"HTTP/1.0 {reply.status} X\r\ncontent-length: {len(reply.body)}\r\n\r\n"
        for byte in head.encode() + reply.body:
            if stopping.wait(reply.drip):
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        pass


class RecordingServer:
    """An HTTP server on 127.0.0.1 that records every request and answers as scripted.

    Queue answers with :meth:`reply`; with none queued it answers ``200 ok``.
    """

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.stopping = threading.Event()
        self._replies: list[Reply] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.recorder = self
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._server.serve_forever(poll_interval=0.02)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def reply(
        self,
        status: int = 200,
        *,
        headers: dict[str, str] | None = None,
        body: bytes | str = b"ok",
        delay: float = 0.0,
        drip: float = 0.0,
    ) -> None:
        """Queue the answer to the next request not yet answered.

        :param delay: seconds to wait before answering.
        :param drip: send the answer one byte at a time, this many seconds apart.
        """
        data = body.encode() if isinstance(body, str) else body
        with self._lock:
            self._replies.append(Reply(status, headers or {}, data, delay, drip))

    def record(self, request: Recorded) -> Reply:
        with self._lock:
            self.requests.append(request)
            return self._replies.pop(0) if self._replies else Reply()

    def close(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@pytest.fixture
def recording_server() -> Iterator[RecordingServer]:
    """A running :class:`RecordingServer`, stopped after the test."""
    server = RecordingServer()
    yield server
    server.close()


@pytest.fixture
def refused_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/in"


MakeRequest = Callable[..., DeliveryRequest]


@pytest.fixture
def make_request() -> MakeRequest:
    """Build a :class:`DeliveryRequest` for :data:`EVENT`; keyword arguments override."""

    def make(**overrides: Any) -> DeliveryRequest:
        values: dict[str, Any] = {
            "delivery_id": 17,
            "event": copy.deepcopy(EVENT),
            "action": "post",
            "params": {},
            "idempotency_key": "evt-0001:route-a:post",
            "attempt": 1,
            "route": "route-a",
        }
        values.update(overrides)
        return DeliveryRequest(**values)

    return make
