"""A route's ``dedup``, ``throttle`` and ``group`` over real intake and real workers: what
is delivered, what is kept as suppressed (never lost), and a group delivered once after
its wait holding every event."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from chat_vendor import PLUGINS, chat_source

from hookyard.store.retention import Ages

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from hookyard.testing import HostFactory, TestHost


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Callable[..., dict[str, Any]]:
    """A config with one route (given as keywords) to a file sink, on SQLite and PostgreSQL."""

    def make(**route: Any) -> dict[str, Any]:
        return {"database": database_url, **_config(tmp_path, **route)}

    return make


def _config(tmp_path: Path, **route: Any) -> dict[str, Any]:
    return {
        "sources": chat_source(),
        "sinks": {"out": {"plugin": "file", "path": str(tmp_path / "out.jsonl")}},
        "routes": [{"name": "gated", "to": "out", **route}],
    }


def _lines(tmp_path: Path) -> list[Any]:
    path = tmp_path / "out.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


async def _post(host: TestHost, *messages: tuple[str, str]) -> None:
    for message_id, chat in messages:
        answer = await host.post("chats", {"id": message_id, "chat": chat, "text": message_id})
        assert answer.status == 200, answer.body


async def _statuses(host: TestHost) -> list[tuple[str, str]]:
    return [(d.status, d.route) for d in await host.deliveries()]


async def test_dedup_delivers_one_per_key_per_window_and_keeps_the_rest_suppressed(
    hookyard_host: HostFactory, tmp_path: Path, config: Callable[..., dict[str, Any]]
) -> None:
    line = {"line": "{{ event.chat.id }} {{ event.message.text }}"}
    gated = config(dedup={"key": "{{ event.chat.id }}", "window": "10m"}, **{"with": line})
    async with hookyard_host(gated, plugins=PLUGINS) as host:
        await _post(host, ("m1", "c1"), ("m2", "c1"), ("m3", "c2"), ("m4", "c1"))
        await host.deliver()
        statuses = [d.status for d in await host.deliveries()]
        assert statuses == ["delivered", "suppressed", "delivered", "suppressed"]
        assert (tmp_path / "out.jsonl").read_text() == "c1 m1\nc2 m3\n"

        await host.advance(601)  # the window is over: the next one of c1 is delivered
        await _post(host, ("m5", "c1"))
        await host.deliver()
        assert (tmp_path / "out.jsonl").read_text() == "c1 m1\nc2 m3\nc1 m5\n"
        record = (await host.host.store.deliveries.list(limit=10))[3]
        assert record.status == "suppressed"


async def test_throttle_lets_n_per_window_through(
    hookyard_host: HostFactory, tmp_path: Path, config: Callable[..., dict[str, Any]]
) -> None:
    gated = config(
        throttle={"key": "{{ event.chat.id }}", "limit": 2, "window": "1h"},
        **{"with": {"line": "{{ event.message.text }}"}},
    )
    async with hookyard_host(gated, plugins=PLUGINS) as host:
        await _post(host, *((f"m{i}", "c1") for i in range(5)))
        await host.deliver()
        assert (tmp_path / "out.jsonl").read_text() == "m0\nm1\n"
        statuses = [d.status for d in await host.deliveries()]
        assert statuses.count("suppressed") == 3


async def test_a_group_is_delivered_once_after_its_wait_holding_every_event(
    hookyard_host: HostFactory, tmp_path: Path, config: Callable[..., dict[str, Any]]
) -> None:
    digest = "{{ events | length }}: {% for e in events %}{{ e.message.text }} {% endfor %}"
    gated = config(
        group={"key": "{{ event.chat.id }}", "wait": "1m"},
        **{"with": {"line": digest}},
    )
    async with hookyard_host(gated, plugins=PLUGINS) as host:
        await _post(host, ("a1", "A"), ("b1", "B"), ("a2", "A"), ("a3", "A"))
        assert _lines(tmp_path) == []
        await host.deliver()
        written = sorted((tmp_path / "out.jsonl").read_text().splitlines())
        assert written == ["1: b1 ", "3: a1 a2 a3 "]
        statuses = sorted(d.status for d in await host.deliveries())
        assert statuses == ["delivered", "delivered", "grouped", "grouped"]

        await _post(host, ("a4", "A"))  # the group of A was delivered: a new one opens
        await host.deliver()
        assert (tmp_path / "out.jsonl").read_text().splitlines()[-1] == "1: a4 "


async def test_a_group_at_its_max_events_is_delivered_without_waiting(
    hookyard_host: HostFactory, tmp_path: Path, config: Callable[..., dict[str, Any]]
) -> None:
    digest = "{% for e in events %}{{ e.message.text }} {% endfor %}"
    gated = config(
        group={"key": "{{ event.chat.id }}", "wait": "1h", "max_events": 2},
        **{"with": {"line": digest}},
    )
    async with hookyard_host(gated, plugins=PLUGINS) as host:
        await _post(host, ("a1", "A"), ("a2", "A"))
        await host.deliver(real_time=True, timeout=5)  # an hour's wait would time out
        assert (tmp_path / "out.jsonl").read_text() == "a1 a2 \n"


async def test_a_key_that_cannot_render_makes_a_dead_delivery_naming_its_place(
    hookyard_host: HostFactory, tmp_path: Path, config: Callable[..., dict[str, Any]]
) -> None:
    gated = config(dedup={"key": "{{ event.chat.id.upper() }}", "window": "1m"})
    async with hookyard_host(gated, plugins=PLUGINS) as host:
        answer = await host.post("chats", {"id": "m1"})  # no chat: its id is undefined
        assert answer.status == 200
        [delivery] = await host.deliveries()
        assert delivery.status == "dead"
        assert delivery.last_error is not None
        assert delivery.last_error.startswith("routes[0].dedup.key: template failed:")


async def test_retention_purges_what_a_gate_held_back_once_its_group_was_delivered(
    hookyard_host: HostFactory, tmp_path: Path, config: Callable[..., dict[str, Any]]
) -> None:
    digest = "{% for e in events %}{{ e.message.text }} {% endfor %}"
    gated = config(group={"key": "{{ event.chat.id }}", "wait": "1m"}, **{"with": {"line": digest}})
    async with hookyard_host(gated, plugins=PLUGINS) as host:
        store = host.host.store
        await _post(host, ("a1", "A"), ("a2", "A"))
        later = datetime.now(UTC) + timedelta(days=2)
        # While the group waits, the event that joined it stays (the group will render it).
        assert not await store.retention.purge(Ages(delivered=86400), now=later)
        await host.deliver()
        purged = await store.retention.purge(Ages(delivered=86400), now=later)
        assert (purged.events, purged.deliveries) == (2, 2)
        assert await host.deliveries() == []


async def test_webhooks_committed_together_are_decided_in_order(
    hookyard_host: HostFactory, tmp_path: Path, config: Callable[..., dict[str, Any]]
) -> None:
    """Concurrent webhooks share one intake transaction (group commit): the gate still
    counts each of them, and a group opened in that transaction takes the others."""
    digest = "{{ events | length }}"
    gated = config(group={"key": "{{ event.chat.id }}", "wait": "1m"}, **{"with": {"line": digest}})
    async with hookyard_host(gated, plugins=PLUGINS) as host:
        answers = await asyncio.gather(
            *(host.post("chats", {"id": f"m{i}", "chat": "A", "text": "x"}) for i in range(8))
        )
        assert {a.status for a in answers} == {200}
        await host.deliver()
        assert (tmp_path / "out.jsonl").read_text() == "8\n"
        assert sorted(d.status for d in await host.deliveries()) == ["delivered"] + ["grouped"] * 7


async def test_a_key_with_a_nul_or_a_lone_surrogate_is_kept_and_counted(
    hookyard_host: HostFactory, tmp_path: Path, config: Callable[..., dict[str, Any]]
) -> None:
    """PostgreSQL's text refuses NUL and lone surrogates: the key is kept as its hash."""
    gated = config(dedup={"key": "{{ event.message.text }}", "window": "10m"})
    async with hookyard_host(gated, plugins=PLUGINS) as host:
        for message_id, text in (("m1", "a\x00b"), ("m2", "\ud800"), ("m3", "a\x00b")):
            body = json.dumps({"id": message_id, "chat": "c", "text": text}).encode()
            answer = await host.post("chats", body)
            assert answer.status == 200, answer.body
        assert [d.status for d in await host.deliveries()] == ["pending", "pending", "suppressed"]


async def test_a_group_still_waiting_does_not_hold_back_a_full_one_of_its_chat(
    hookyard_host: HostFactory, tmp_path: Path, config: Callable[..., dict[str, Any]]
) -> None:
    digest = "{% for e in events %}{{ e.message.text }} {% endfor %}"
    gated = config(
        group={"key": "{{ event.chat.id }}", "wait": "1h", "max_events": 2},
        **{"with": {"line": digest}},
    )
    async with hookyard_host(gated, plugins=PLUGINS) as host:
        for message_id, second in (("a1", 5), ("a2", 6), ("a3", 1)):  # a3 occurred first
            at = f"2026-03-01T10:00:0{second}+00:00"
            answer = await host.post(
                "chats", {"id": message_id, "chat": "A", "text": message_id, "at": at}
            )
            assert answer.status == 200
        await host.deliver()
        assert (tmp_path / "out.jsonl").read_text() == "a1 a2 \na3 \n"
