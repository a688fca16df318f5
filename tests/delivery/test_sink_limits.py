"""Per-sink limits and back-pressure in a real host: Retry-After pauses one sink, the
circuit breaker, ``rate_limit`` and ``concurrency``, on SQLite and PostgreSQL.

Deliveries are queued with the workers stopped, then one worker starts, so the first
claim sees them all; timings are asserted as loose lower bounds only.
"""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import pytest

from hookyard.testing import RecordingServer, Reply

from ._support import arrived, host_without_workers, send_chat, start_workers

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
    from pathlib import Path

    from hookyard.host import Host
    from hookyard.store.deliveries import SinkOverview
    from hookyard.testing import Recorded

    Open = Callable[..., Awaitable[Host]]

FAST_RETRY = {"max_attempts": 10, "initial_delay": "0.05s", "multiplier": 1, "jitter": 0}


@pytest.fixture
def servers() -> Iterator[tuple[RecordingServer, RecordingServer]]:
    with RecordingServer() as first, RecordingServer() as second:
        yield first, second


@pytest.fixture
async def open_host(tmp_path: Path, database_url: str) -> AsyncIterator[Open]:
    """``await open_host(sinks)``: a host whose every sink gets every new chat; its
    workers start with :func:`start_workers`."""
    opened: list[Host] = []

    async def open_(sinks: dict[str, dict[str, Any]]) -> Host:
        config = {
            "database": database_url,
            "sources": {"lc": {"vendor": "livechat", "secret": "s3cret-for-tests"}},
            "sinks": {
                name: {"plugin": "http", "retry": FAST_RETRY, **s} for name, s in sinks.items()
            },
            "routes": [
                {"name": f"to {name}", "match": {"type": "chat.started"}, "to": name}
                for name in sinks
            ],
            "workers": {"poll_interval": "0.1s", "lease": "2s", "shutdown_grace": "0.5s"},
        }
        host = await host_without_workers(tmp_path / "hookyard.yaml", config)
        opened.append(host)
        return host

    yield open_
    for host in opened:
        await host.stop()


async def queue_chats(host: Host, count: int) -> None:
    for _ in range(count):
        await send_chat(host)


async def overview(host: Host, name: str) -> SinkOverview:
    (found,) = await host.store.deliveries.sinks([name])
    return found


async def paused_now(host: Host, name: str) -> None:
    """Wait (at most 5 s) until the pause a sink's answer asked for is recorded."""
    for _ in range(100):
        if (await overview(host, name)).state == "paused":
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"sink {name} was not paused")


def gaps(requests: list[Recorded]) -> list[float]:
    return [later.at - earlier.at for earlier, later in pairwise(requests)]


async def test_a_429_with_retry_after_pauses_only_that_sink(
    open_host: Open, servers: tuple[RecordingServer, RecordingServer]
) -> None:
    limited, other = servers
    limited.script(Reply(429, b'{"ok": false, "error": "ratelimited"}', {"Retry-After": "3"}))
    host = await open_host(
        {"slack": {"url": limited.url, "concurrency": 1}, "ops": {"url": other.url}}
    )
    await queue_chats(host, 1)
    start_workers(host)
    (refused,) = await arrived(limited, 1)
    await paused_now(host, "slack")  # the 429's outcome, and with it the pause, is recorded

    await queue_chats(host, 3)
    at_once = await arrived(other, 4, timeout=2.5)  # the other sink goes on at full speed
    paused = await overview(host, "slack")
    await asyncio.sleep(max(0.0, refused.at + 2.5 - at_once[-1].at))
    held = len(limited.requests)
    later = (await arrived(limited, 5))[1:]

    assert held == 1  # nothing for 2.5 s: not the retry, not the three new deliveries
    assert all(r.at - refused.at >= 2.9 for r in later)
    assert at_once[-1].at - refused.at < 2.5
    assert (paused.state, paused.queued) == ("paused", 4)
    assert paused.reason == "HTTP 429 from 127.0.0.1 with Retry-After"
    assert paused.until is not None
    assert (await overview(host, "ops")).state == "active"
    for _ in range(100):  # the last outcome is recorded (in a batch) shortly after it arrived
        deliveries = await host.store.deliveries.list()
        if all(d.status == "delivered" for d in deliveries):
            break
        await asyncio.sleep(0.05)
    assert all(d.status == "delivered" for d in deliveries)


async def test_a_503_with_an_http_date_pauses_the_sink_too(
    open_host: Open, servers: tuple[RecordingServer, RecordingServer]
) -> None:

    limited, _ = servers
    when = formatdate(time.time() + 3, usegmt=True)  # whole seconds: 2 to 3 s from now
    limited.script(Reply(503, b"maintenance", {"Retry-After": when}))
    host = await open_host({"zendesk": {"url": limited.url}})
    await queue_chats(host, 1)
    start_workers(host)
    (refused,) = await arrived(limited, 1)
    await paused_now(host, "zendesk")

    paused = await overview(host, "zendesk")
    retried = (await arrived(limited, 2))[1]

    assert paused.state == "paused"
    assert retried.at - refused.at >= 1.5


async def test_the_breaker_opens_after_n_failures_probes_and_closes(
    open_host: Open, servers: tuple[RecordingServer, RecordingServer]
) -> None:
    sink, _ = servers
    sink.script(
        Reply(500, b"down"),
        Reply(500, b"down"),
        Reply(500, b"down"),  # three at once: the breaker opens
        Reply(500, b"still down"),  # the first probe: it opens again
        Reply(200, b"ok", delay=0.4),  # the second probe: alone in flight, then closed
    )
    # Retries wait 0.5 s: longer than recording three failures can take, so none of
    # them is retried before the breaker opens, even if they are recorded one by one.
    slow_retry = {**FAST_RETRY, "initial_delay": "0.5s"}
    breaker = {"failures": 2, "cooldown": "1.5s"}
    host = await open_host({"jira": {"url": sink.url, "breaker": breaker, "retry": slow_retry}})
    await queue_chats(host, 3)
    start_workers(host)
    await arrived(sink, 3)
    await asyncio.sleep(0.2)
    opened = await overview(host, "jira")

    requests = await arrived(sink, 7)
    for _ in range(100):  # the last two outcomes are recorded (in a batch) shortly after
        closed = await overview(host, "jira")
        if closed.queued == 0:
            break
        await asyncio.sleep(0.05)

    assert (opened.state, opened.failures) == ("breaker open", 3)
    first_probe, second_probe, *rest = requests[3:]
    assert first_probe.at - requests[2].at >= 1.45  # the cooldown, not the 0.05 s backoff
    assert second_probe.at - first_probe.at >= 1.45  # a failed probe opens it again
    assert all(r.at - second_probe.at >= 0.35 for r in rest)  # half-open: the probe alone
    assert len(rest) == 2 and len(sink.requests) == 7
    assert (closed.state, closed.failures, closed.queued) == ("active", 0, 0)


async def test_a_permanent_failure_neither_opens_the_breaker_nor_pauses(
    open_host: Open, servers: tuple[RecordingServer, RecordingServer]
) -> None:
    sink, _ = servers
    sink.script(*[Reply(400, b"invalid_payload")] * 3)
    host = await open_host(
        {"slack": {"url": sink.url, "breaker": {"failures": 1}, "concurrency": 1}}
    )
    await queue_chats(host, 4)
    start_workers(host)

    await arrived(sink, 4, timeout=2)  # one after the other: none held by a breaker

    assert (await overview(host, "slack")).state == "active"


async def test_rate_limit_spreads_deliveries_over_its_windows(
    open_host: Open, servers: tuple[RecordingServer, RecordingServer]
) -> None:
    sink, other = servers
    host = await open_host(
        {"hubspot": {"url": sink.url, "rate_limit": "5/s"}, "ops": {"url": other.url}}
    )
    await queue_chats(host, 20)
    start_workers(host)

    unlimited = await arrived(other, 20)
    limited = await arrived(sink, 20)

    # 5 per window, counted 1.1 s: windows at 0, 1.1, 2.2, 3.3 s; never waiting a poll more
    assert 2.5 <= limited[-1].at - limited[0].at <= 4.5
    assert unlimited[-1].at - unlimited[0].at < 2.0


async def test_concurrency_1_never_has_two_requests_in_flight(
    open_host: Open, servers: tuple[RecordingServer, RecordingServer]
) -> None:
    one, many = servers
    one.default = many.default = Reply(200, b"ok", delay=0.25)
    host = await open_host(
        {"serial": {"url": one.url, "concurrency": 1}, "parallel": {"url": many.url}}
    )
    await queue_chats(host, 4)
    start_workers(host)

    serial = await arrived(one, 4)
    parallel = await arrived(many, 4)

    assert all(gap >= 0.24 for gap in gaps(serial))  # each waits for the previous answer
    assert parallel[-1].at - parallel[0].at < 0.24  # the other sink's were in flight together


async def test_a_pause_holds_for_the_workers_of_every_process(
    open_host: Open, servers: tuple[RecordingServer, RecordingServer]
) -> None:
    limited, _ = servers
    limited.script(Reply(429, b"slow down", {"Retry-After": "2"}))
    host = await open_host({"slack": {"url": limited.url}})
    replica = await open_host({"slack": {"url": limited.url}})  # another process's workers
    await queue_chats(host, 1)
    start_workers(host)
    (refused,) = await arrived(limited, 1)
    await paused_now(host, "slack")
    assert host.worker is not None
    await host.worker.stop()  # the first process stops delivering; its pause stays
    host.worker = None

    await queue_chats(host, 2)
    start_workers(replica)
    later = (await arrived(limited, 4))[1:]

    assert all(r.at - refused.at >= 1.9 for r in later)
