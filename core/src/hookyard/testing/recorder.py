"""A real HTTP server on 127.0.0.1 that records requests and answers as scripted.

Use it as the far end of a sink: script replies (status, body, headers, delay, drip) in
order, then read back what arrived. It runs in a thread, so it serves while the code
under test runs in the event loop or in another process.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from attrs import field, frozen

__all__ = ["Recorded", "RecordingServer", "Reply"]


@frozen
class Reply:
    """How the server answers one request.

    :param delay: seconds to wait before answering.
    :param drip: send the whole answer one byte at a time, this many seconds apart (a peer
        whose every read is quick but whose answer is not).
    """

    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(factory=dict)
    delay: float = 0.0
    drip: float = 0.0


@frozen
class Recorded:
    """One request the server received; header names are lower-case."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float

    def json(self) -> Any:
        import json

        return json.loads(self.body)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    timeout = 0  # handle_request() is called only once a connection is waiting
    # socketserver listens with a backlog of 5: the sixth of many connections opened at
    # once would wait for the client's SYN retransmission, a second later.
    request_queue_size = 128
    recorder: RecordingServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that vanished (a killed process, a timeout) is expected, not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class RecordingServer:
    """``with RecordingServer() as server:`` then POST to ``server.url``."""

    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or Reply()
        self.requests: list[Recorded] = []
        #: Connections open now (a client that keeps idle connections shows here).
        self.open_connections = 0
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server = _QuietServer(("127.0.0.1", 0), _Handler)
        self._server.recorder = self
        # Stopping writes to this pair, which wakes the serving loop at once; the loop of
        # socketserver's serve_forever() would notice only at its next 0.5 s poll.
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}"

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with ``replies`` in order, then with the default."""
        with self._lock:
            self._replies.extend(replies)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Recorded]:
        """Block until ``count`` requests arrived; raises TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while len(self.requests) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self.requests)} of {count} requests arrived")
                self._arrived.wait(left)
            return list(self.requests)

    def __enter__(self) -> RecordingServer:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stopping.set()  # ends delayed and dripping answers early
        self._wake_writer.send(b"stop")
        self._thread.join()
        self._server.server_close()
        self._wake_reader.close()
        self._wake_writer.close()

    def _serve(self) -> None:
        """Accept connections until woken to stop; each is answered in a thread of its own."""
        with selectors.DefaultSelector() as selector:
            selector.register(self._server, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while all(key.fileobj is self._server for key, _ in selector.select()):
                self._server.handle_request()

    def _take(self, recorded: Recorded) -> Reply:
        with self._arrived:
            self.requests.append(recorded)
            self._arrived.notify_all()
            return self._replies.popleft() if self._replies else self.default


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _QuietServer

    def setup(self) -> None:
        super().setup()
        with self.server.recorder._lock:
            self.server.recorder.open_connections += 1

    def finish(self) -> None:
        with self.server.recorder._lock:
            self.server.recorder.open_connections -= 1
        super().finish()

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        if len(body) < length:  # the client died mid-request: nothing arrived
            self.close_connection = True
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        recorder = self.server.recorder
        reply = recorder._take(Recorded(self.command, self.path, headers, body, time.time()))
        if recorder._stopping.wait(reply.delay):
            self.close_connection = True
            return
        with contextlib.suppress(OSError):  # the client gave up (a timeout test)
            if reply.drip:
                self._drip(reply)
            else:
                self._answer(reply)

    do_GET = do_PUT = do_PATCH = do_DELETE = do_POST

    def _answer(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body)

    def _drip(self, reply: Reply) -> None:
        reason = self.responses.get(reply.status, ("",))[0]
        head = [f"{self.protocol_version} {reply.status} {reason}"]
        head += [f"{name}: {value}" for name, value in reply.headers.items()]
        head += [f"content-length: {len(reply.body)}", "", ""]
        for byte in "\r\n".join(head).encode() + reply.body:
            if self.server.recorder._stopping.wait(reply.drip):
                self.close_connection = True
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()

    def log_message(self, *_args: Any) -> None:
        pass
