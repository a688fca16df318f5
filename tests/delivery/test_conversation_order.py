"""Order per conversation in a real host, on SQLite and PostgreSQL: a sink's deliveries of
one chat are attempted one at a time in the order the events occurred, while other chats
run in parallel; a retrying delivery holds the later ones, a dead one lets them go on
(or holds them with ``when_dead: hold``); ``ordering: none`` turns it off.

Events are queued with the workers stopped, then one worker starts, so its first claim
sees every delivery; timings are loose lower bounds.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import pytest

from hookyard.testing import RecordingServer, Reply

from ._support import arrived, cli_in_process, host_without_workers, start_workers

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
    from pathlib import Path

    from hookyard.host import Host
    from hookyard.testing import Recorded

    Open = Callable[..., Awaitable[Host]]

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RETRY = {"max_attempts": 3, "initial_delay": "0.3s", "multiplier": 1, "jitter": 0}


@pytest.fixture
def sink() -> Iterator[RecordingServer]:
    with RecordingServer() as server:
        yield server


@pytest.fixture
async def open_host(
    tmp_path: Path, database_url: str, sink: RecordingServer
) -> AsyncIterator[Open]:
    """``await open_host(**sink_options)``: a generic source whose every event goes to one
    http sink at ``sink``; the workers start with :func:`start_workers`."""
    opened: list[Host] = []

    async def open_(**options: Any) -> Host:
        config = {
            "database": database_url,
            "sources": {"chats": {"vendor": "generic", "auth": "none"}},
            "sinks": {"crm": {"plugin": "http", "url": sink.url, "retry": RETRY, **options}},
            "routes": [{"name": "everything", "match": {}, "to": "crm"}],
            "workers": {"poll_interval": "0.1s", "lease": "5s", "shutdown_grace": "0.5s"},
        }
        host = await host_without_workers(tmp_path / "hookyard.yaml", config)
        opened.append(host)
        return host

    yield open_
    for host in opened:
        await host.stop()


async def post(host: Host, event_id: str, minute: int, chat: str | None, **more: Any) -> None:
    """Queue one event of ``chat`` that occurred ``minute`` minutes after START."""
    event = {
        "type": "chat.message",
        "id": event_id,
        "occurred_at": (START + timedelta(minutes=minute)).isoformat(),
        **({} if chat is None else {"chat": {"id": chat}}),
        **more,
    }
    answer = await host.intake.receive(
        "chats", {"content-type": "application/json"}, json.dumps(event).encode()
    )
    assert answer.status == 200, answer.body


async def statuses(host: Host, timeout: float = 10.0) -> dict[str, str]:
    """Each event's delivery status, once none is pending or being delivered."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        records = await host.store.deliveries.list()
        found = {r.event_id: r.status for r in records}
        if not {"pending", "delivering"} & set(found.values()) or loop.time() > deadline:
            return found
        await asyncio.sleep(0.05)


def ids(requests: list[Recorded]) -> list[str]:
    return [r.json()["id"] for r in requests]


def by_chat(requests: list[Recorded]) -> dict[str, list[Recorded]]:
    chats: dict[str, list[Recorded]] = defaultdict(list)
    for request in requests:
        chats[request.json()["chat"]["id"]].append(request)
    return chats


async def test_one_chat_arrives_in_order_while_ten_chats_run_in_parallel(
    open_host: Open, sink: RecordingServer
) -> None:
    sink.default = Reply(200, b"ok", delay=0.15)
    host = await open_host()
    # Five events in each of ten chats, posted newest first: the order they occurred in
    # is the opposite of the order they were received in.
    for minute in reversed(range(5)):
        for chat in range(10):
            await post(host, f"c{chat}-e{minute}", minute, f"chat-{chat}")
    start_workers(host)

    requests = await arrived(sink, 50, timeout=30)
    await asyncio.sleep(0.3)

    chats = by_chat(requests)
    assert len(requests) == 50  # each once
    for chat, received in chats.items():
        number = chat.removeprefix("chat-")
        assert ids(received) == [f"c{number}-e{m}" for m in range(5)], chat
        # One at a time: each waited for the answer to the one before (0.15 s).
        assert all(later.at - earlier.at >= 0.14 for earlier, later in pairwise(received))
    first_of_each = sorted(received[0].at for received in chats.values())
    assert first_of_each[-1] - first_of_each[0] < 0.14  # ten chats in flight at once


async def test_a_retrying_delivery_holds_the_later_ones_of_its_chat_only(
    open_host: Open, sink: RecordingServer
) -> None:
    sink.script(Reply(500, b"busy"))  # the first request: e1 of chat A, retried in 0.3 s
    host = await open_host(concurrency=1)
    await post(host, "a1", 1, "A")
    start_workers(host)
    await arrived(sink, 1)
    await post(host, "a2", 2, "A")
    await post(host, "a3", 3, "A")
    await post(host, "b1", 4, "B")

    requests = await arrived(sink, 5)

    assert ids(requests) == ["a1", "b1", "a1", "a2", "a3"]
    assert requests[2].at - requests[0].at >= 0.29
    assert set((await statuses(host)).values()) == {"delivered"}


async def test_a_dead_delivery_lets_the_next_of_its_chat_go_on(
    open_host: Open, sink: RecordingServer
) -> None:
    sink.script(Reply(400, b"invalid"))  # permanent: a1 is dead at once
    host = await open_host()
    for minute in range(1, 4):
        await post(host, f"a{minute}", minute, "A")
    start_workers(host)

    requests = await arrived(sink, 3)

    assert ids(requests) == ["a1", "a2", "a3"]
    assert await statuses(host) == {"a1": "dead", "a2": "delivered", "a3": "delivered"}


async def test_when_dead_hold_keeps_the_chat_waiting_until_the_dead_one_is_retried(
    open_host: Open, sink: RecordingServer, tmp_path: Path
) -> None:
    sink.script(Reply(400, b"invalid"))  # the first request: a1, claimed first
    host = await open_host(when_dead="hold", concurrency=1)
    await post(host, "a1", 1, "A")
    await post(host, "a2", 2, "A")
    await post(host, "b1", 3, "B")  # another chat is not held
    start_workers(host)

    before = await arrived(sink, 2)
    await asyncio.sleep(1.0)  # ten polls: a2 stays behind the dead a1
    held = ids(sink.requests)
    (dead,) = [r for r in await host.store.deliveries.list() if r.status == "dead"]
    code, output = await cli_in_process(
        "deliveries", "retry", str(dead.id), "--config", str(tmp_path / "hookyard.yaml")
    )
    after = await arrived(sink, 4)

    assert sorted(ids(before)) == ["a1", "b1"]
    assert sorted(held) == ["a1", "b1"]
    assert code == 0, output
    assert ids(after)[2:] == ["a1", "a2"]


async def test_ordering_none_sends_one_chats_events_in_parallel(
    open_host: Open, sink: RecordingServer
) -> None:
    sink.default = Reply(200, b"ok", delay=0.3)
    host = await open_host(ordering="none")
    for minute in range(4):
        await post(host, f"a{minute}", minute, "A")
    start_workers(host)

    requests = await arrived(sink, 4)

    assert requests[-1].at - requests[0].at < 0.25  # all four in flight at once


async def test_events_without_a_chat_are_ordered_by_customer_or_not_at_all(
    open_host: Open, sink: RecordingServer
) -> None:
    sink.default = Reply(200, b"ok", delay=0.3)
    host = await open_host()
    for minute in range(3):
        await post(host, f"k{minute}", minute, None, customer={"id": "cust-1"})
        await post(host, f"n{minute}", minute, None)
    start_workers(host)

    requests = await arrived(sink, 6)

    customer = [r for r in requests if r.json()["id"].startswith("k")]
    loose = [r for r in requests if r.json()["id"].startswith("n")]
    assert ids(customer) == ["k0", "k1", "k2"]
    assert all(later.at - earlier.at >= 0.29 for earlier, later in pairwise(customer))
    assert loose[-1].at - loose[0].at < 0.25  # no conversation: nothing holds them
