"""A base for local servers that speak a SaaS API's documented contract, for sink tests.

:class:`ApiServer` is a real HTTP server on 127.0.0.1, in a thread. A subclass registers
handlers for the API's endpoints (:meth:`ApiServer.route`) that keep state (tickets,
threads, contacts) the test reads back; every request is recorded. Faults a real target
shows are scripted on top of any endpoint:

- :meth:`ApiServer.fail_next` answers the next matching requests with an error, without
  doing what they ask (a 429 with ``Retry-After``, a 503, a 401);
- :meth:`ApiServer.slow_next` does what the next matching request asks, then waits before
  answering: the client times out although the target created the object, which is how a
  sink's exactly-once claim is tested.

The contract servers for Slack, HubSpot, Zendesk and Jira in :mod:`hookyard.testing` are
subclasses; a plugin author extending one of those sinks can reuse them.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from attrs import field, frozen

from hookyard.testing.recorder import Recorded, RecordingServer, Reply

__all__ = ["ApiRequest", "ApiServer", "Fault", "json_reply"]


@frozen
class ApiRequest:
    """One request as a handler sees it: ``params`` holds the path's named groups."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(factory=dict)

    def json(self) -> Any:
        """The body as JSON; ``None`` for an empty body."""
        return json.loads(self.body) if self.body else None


def json_reply(status: int, value: Any, headers: dict[str, str] | None = None) -> Reply:
    """A JSON answer."""
    merged = {"content-type": "application/json; charset=utf-8", **(headers or {})}
    return Reply(status, json.dumps(value).encode(), merged)


@frozen
class Fault:
    """A scripted fault for requests whose method and path match ``pattern``."""

    pattern: re.Pattern[str]
    reply: Reply | None  # answered instead of the handler; None: handled, then delayed
    delay: float = 0.0


Handler = Callable[[ApiRequest], Reply]


class ApiServer(RecordingServer):
    """``with MyApi() as api:`` then point the sink's ``api_url`` at ``api.url``.

    Unknown endpoints answer 404. Handlers run one at a time (under a lock), so they may
    change the server's state freely.
    """

    def __init__(self) -> None:
        super().__init__()
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._faults: deque[Fault] = deque()
        self._state = threading.Lock()

    def route(self, method: str, path: str, handler: Handler) -> None:
        """Answer ``method`` requests to ``path`` (a regular expression matched against the
        whole path, without the query; named groups become ``ApiRequest.params``)."""
        self._routes.append((method.upper(), re.compile(path), handler))

    def fail_next(self, reply: Reply, *, times: int = 1, match: str = ".*") -> None:
        """Answer the next ``times`` requests whose ``"METHOD /path"`` matches ``match``
        with ``reply``, doing nothing else."""
        with self._lock:
            self._faults.extend(Fault(re.compile(match), reply) for _ in range(times))

    def slow_next(self, seconds: float, *, times: int = 1, match: str = ".*") -> None:
        """Handle the next ``times`` matching requests, then wait ``seconds`` before
        answering (the client may have given up; what it asked for is done)."""
        with self._lock:
            self._faults.extend(Fault(re.compile(match), None, seconds) for _ in range(times))

    def handled(self, method: str, path: str) -> list[Recorded]:
        """The recorded requests with this method whose path (without query) matches."""
        pattern = re.compile(path)
        return [
            r
            for r in self.requests
            if r.method == method.upper() and pattern.fullmatch(urlsplit(r.path).path)
        ]

    def _take(self, recorded: Recorded) -> Reply:
        with self._arrived:
            self.requests.append(recorded)
            self._arrived.notify_all()
            fault = self._fault_for(f"{recorded.method} {urlsplit(recorded.path).path}")
        if fault is not None and fault.reply is not None:
            return fault.reply
        reply = self._handle(recorded)
        if fault is not None:
            return Reply(reply.status, reply.body, reply.headers, delay=fault.delay)
        return reply

    def _fault_for(self, line: str) -> Fault | None:
        for fault in self._faults:
            if fault.pattern.search(line):
                self._faults.remove(fault)
                return fault
        return None

    def _handle(self, recorded: Recorded) -> Reply:
        parts = urlsplit(recorded.path)
        for method, pattern, handler in self._routes:
            found = pattern.fullmatch(parts.path)
            if method == recorded.method and found:
                request = ApiRequest(
                    recorded.method,
                    parts.path,
                    parse_qs(parts.query),
                    recorded.headers,
                    recorded.body,
                    {k: v for k, v in found.groupdict().items() if v is not None},
                )
                with self._state:
                    try:
                        return handler(request)
                    except Exception as exc:  # a bug in the test's server: say so, as a 500
                        error = f"the handler raised {type(exc).__name__}: {exc}"
                        return json_reply(500, {"error": error})
        return json_reply(404, {"error": f"no such endpoint: {recorded.method} {parts.path}"})

    def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Block until ``condition()`` holds (checked under the state lock)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._state:
                if condition():
                    return
            if time.monotonic() > deadline:
                raise TimeoutError("the condition did not hold in time")
            time.sleep(0.02)
