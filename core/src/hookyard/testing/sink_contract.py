"""The contract every sink keeps, as one reusable check (``assert_sink_contract``).

    from hookyard.testing import assert_sink_contract, delivery_request

    async def test_my_sink_keeps_the_contract() -> None:
        await assert_sink_contract(
            lambda url: my_plugin.open(MyConfig(url=url, token=TOKEN, timeout=Seconds(0.5))),
            delivery_request("post", {"text": "hi"}),
            secrets=[TOKEN],
            timeout=0.5,
        )

It runs the sink against a real local HTTP peer that misbehaves in the ways real targets do
and checks what a user would otherwise find out in production:

1. **secrets stay secret**: the peer answers 401, 403 and 500 with bodies and headers that echo
   every secret (and the request's own ``Authorization`` header); no secret — as it is,
   lower-cased, URL-encoded or in base64 — may appear in the failure's reason or response,
   or in anything logged meanwhile at any level (debug included; a URL holding a token,
   which httpx logs at info, counts);
2. **attempts are bounded**: a peer that never answers, and one that answers a byte at a
   time, must both end in :class:`~hookyard.DeliveryFailed` (retried) within the sink's
   ``timeout`` plus a second;
3. **aclose releases connections**: after ``aclose()`` the peer sees no connection open.

A sink that must talk to its target in several steps (a lookup, then a create) meets the
peer's failures at its first step; that is enough for all three rules.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
import urllib.parse
from typing import TYPE_CHECKING

from hookyard.observability.logs import QUIETER
from hookyard.sinks import DeliveryFailed
from hookyard.testing.factories import would_retry
from hookyard.testing.recorder import RecordingServer, Reply

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from hookyard.sinks import DeliveryRequest, Sink

__all__ = ["assert_sink_contract"]

#: How much longer than its ``timeout`` an attempt may take before it counts as unbounded.
TIMEOUT_SLACK = 1.0


class _Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


async def assert_sink_contract(
    open_sink: Callable[[str], Sink],
    request: DeliveryRequest,
    *,
    secrets: Sequence[str],
    timeout: float,
) -> None:
    """Fail with an ``AssertionError`` naming the broken rule.

    :param open_sink: given the peer's base URL (``http://127.0.0.1:PORT``), an opened sink
        whose requests for ``request`` go to that peer (every URL option pointed at it).
    :param request: a delivery the sink attempts (e.g. from :func:`delivery_request`).
    :param secrets: the token, password or key values in the sink's options.
    :param timeout: the sink's configured attempt timeout, in seconds.
    """
    await _keeps_secrets(open_sink, request, secrets)
    await _is_bounded(open_sink, request, timeout)


def _echo(secrets: Sequence[str]) -> list[Reply]:
    body = json.dumps({"error": "invalid_auth", "message": "bad token", "echo": list(secrets)})
    header = {"www-authenticate": f'Bearer error="{" ".join(secrets)}"'}
    return [Reply(status, body.encode(), header) for status in (401, 403, 500)]


async def _keeps_secrets(
    open_sink: Callable[[str], Sink], request: DeliveryRequest, secrets: Sequence[str]
) -> None:
    captured = _Captured()
    root = logging.getLogger()
    # What hookyard logs at --log-level debug: everything but the libraries it quietens.
    levels = {name: logging.getLogger(name).level for name in ["", *QUIETER]}
    root.addHandler(captured)
    root.setLevel(logging.DEBUG)
    for name, quieter in QUIETER.items():
        logging.getLogger(name).setLevel(quieter)
    try:
        with RecordingServer() as peer:
            sink = open_sink(peer.url)
            texts: list[str] = []
            try:
                for reply in _echo(secrets):
                    peer.script(reply)
                    texts += await _failure_texts(sink, request, f"a {reply.status} answer")
                    echoed = [r.headers.get("authorization", "") for r in peer.requests]
                    peer.script(Reply(500, " ".join(echoed).encode()))
                    texts += await _failure_texts(sink, request, "a 500 echoing the request")
            finally:
                await sink.aclose()
            await _closed(peer)
            sent = {r.headers.get("authorization", "") for r in peer.requests} - {""}
    finally:
        root.removeHandler(captured)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
    written = texts + captured.lines
    for secret in [s for s in [*secrets, *sent] if s]:
        for form in _forms(secret):
            for text in written:
                assert form not in text, f"a secret reached a failure or the log: {text!r}"


def _forms(secret: str) -> set[str]:
    """A secret as it may be written: as it is, lower-cased, URL-encoded, base64."""
    encoded = base64.b64encode(secret.encode()).decode().rstrip("=")
    return {secret, secret.lower(), urllib.parse.quote(secret, safe=""), encoded}


async def _failure_texts(sink: Sink, request: DeliveryRequest, what: str) -> list[str]:
    try:
        await sink.deliver(request)
    except DeliveryFailed as failure:
        return [failure.reason, failure.response or "", str(failure)]
    raise AssertionError(f"the sink reported success for {what}")


async def _is_bounded(
    open_sink: Callable[[str], Sink], request: DeliveryRequest, timeout: float
) -> None:
    for stalling, reply in (
        ("never answers", Reply(200, b"{}", delay=timeout + 30)),
        ("answers a byte at a time", Reply(200, b'{"ok": true}' * 20, drip=timeout / 4)),
    ):
        with RecordingServer(reply) as peer:
            sink = open_sink(peer.url)
            started = time.monotonic()
            try:
                async with asyncio.timeout(timeout + TIMEOUT_SLACK + 1):
                    await sink.deliver(request)
            except DeliveryFailed as failure:
                took = time.monotonic() - started
                assert took <= timeout + TIMEOUT_SLACK, (
                    f"an attempt against a peer that {stalling} took {took:.1f}s "
                    f"with a timeout of {timeout}s"
                )
                assert would_retry(failure), f"a peer that {stalling} was not retried"
            except TimeoutError:
                raise AssertionError(
                    f"an attempt against a peer that {stalling} did not end "
                    f"{timeout + TIMEOUT_SLACK + 1:.1f}s after it started"
                ) from None
            else:
                raise AssertionError(f"the sink reported success from a peer that {stalling}")
            finally:
                await sink.aclose()


async def _closed(peer: RecordingServer) -> None:
    deadline = time.monotonic() + 2.0
    while peer.open_connections and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    assert not peer.open_connections, (
        f"{peer.open_connections} connection(s) still open after aclose()"
    )
