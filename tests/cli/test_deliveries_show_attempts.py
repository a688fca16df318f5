"""``deliveries show``: every attempt with its time, outcome, status code, latency, what the
target answered and the error, and why the delivery exists (its recorded reason, the gate
that held it back, the group it joined), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import update

from hookyard.cli import main
from hookyard.store._delivery_rows import RESPONSE_CHARS
from hookyard.store._schema import deliveries
from hookyard.store.deliveries import Outcome
from hookyard.testing import Reply

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine
    from pathlib import Path

    from hookyard.testing import HostFactory, RecordingServer, TestHost

CONFIG = """\
database: "{database}"
sources:
  chats: {{vendor: generic, auth: none}}
sinks:
  ops: {{plugin: http, url: "{url}"}}
routes:
  - name: chats to ops
    match: {{type: chat.started}}
    to: ops
"""
ATTEMPT_COLUMNS = ["#", "started", "outcome", "status", "latency", "response", "error"]
#: What routing recorded for the throttled delivery.
WHY = "route 'chats to ops' matched: type is 'chat.started'\nthrottle: 'c-1' had 1 in 1m"


class _Hookyard:
    """A configured hookyard whose webhooks enter intake and whose CLI reads its store."""

    def __init__(self, path: Path, config: str, factory: HostFactory) -> None:
        self.path, self.config, self.factory = path, config, factory

    def run(self, *args: str, **env: str) -> Result:
        """``hookyard ARGS --config …`` with no HOOKYARD_ variable or COLUMNS but ``env``."""
        cleared: dict[str, str | None] = {
            name: None for name in os.environ if name.startswith("HOOKYARD_") or name == "COLUMNS"
        }
        argv = [*args, "--config", str(self.path)]
        result = CliRunner().invoke(main, argv, env={**cleared, **env})
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return result

    def lines(self, *args: str, **env: str) -> list[str]:
        result = self.run(*args, **env)
        assert result.exit_code == 0, result.output
        return result.stdout.splitlines()

    def shown(self, delivery_id: int) -> dict[str, Any]:
        found: dict[str, Any] = json.loads(
            self.run("deliveries", "show", str(delivery_id), "--json").stdout
        )
        return found

    def with_host(self, use: Callable[[TestHost], Coroutine[Any, Any, Any]]) -> Any:
        async def run() -> Any:
            async with self.factory(self.config) as host:
                return await use(host)

        return asyncio.run(run())

    def receive(self, *event_ids: str) -> list[int]:
        """Post a ``chat.started`` of chat c-1 per id; the ids of their deliveries."""

        async def post(host: TestHost) -> list[int]:
            for event_id in event_ids:
                body = {"id": event_id, "type": "chat.started", "chat": {"id": "c-1"}}
                assert (await host.post("chats", body)).status == 200
            return [delivery.id for delivery in await host.deliveries()]

        made: list[int] = self.with_host(post)
        return made

    def deliver(self) -> None:
        async def run(host: TestHost) -> None:
            await host.deliver()

        self.with_host(run)


@pytest.fixture
def hookyard(
    tmp_path: Path, database_url: str, hookyard_host: HostFactory, recording_server: RecordingServer
) -> _Hookyard:
    config = CONFIG.format(database=database_url, url=recording_server.url)
    path = tmp_path / "hookyard.yaml"
    path.write_text(config)
    return _Hookyard(path, config, hookyard_host)


def _table(lines: list[str], title: str) -> list[list[str]]:
    """The rows of the table under ``title``, each cut into its cells."""
    start = lines.index(title) + 1
    rows = []
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        rows.append(re.split(r" {2,}", line.strip()))
    return rows


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_a_failed_then_delivered_delivery_shows_both_attempts(
    hookyard: _Hookyard, recording_server: RecordingServer
) -> None:
    recording_server.script(Reply(status=500, body=b"upstream down:\n  try again later"))
    [delivery] = hookyard.receive("m1")
    hookyard.deliver()
    assert len(recording_server.wait_for(2)) == 2

    lines = hookyard.lines("deliveries", "show", str(delivery))
    assert lines[0] == f"delivery {delivery}: delivered (2 attempts)"
    header, first, second = _table(lines, "attempts:")
    assert header == ATTEMPT_COLUMNS
    number, _, outcome, status, latency, response, error = first
    assert (number, outcome, status) == ("1", "retry", "500")
    assert response == "upstream down: try again later"  # its lines joined on one
    assert error == "HTTP 500 from 127.0.0.1"
    assert re.fullmatch(r"\d+ ms", latency)
    assert second[:1] + second[2:4] + second[5:] == ["2", "delivered", "-", "HTTP 200"]

    shown = hookyard.shown(delivery)
    retried, delivered = shown["attempts"]
    assert (retried["number"], retried["status_code"], delivered["status_code"]) == (1, 500, None)
    assert retried["response"] == "upstream down:\n  try again later"  # in full
    assert (retried["error"], delivered["error"]) == ("HTTP 500 from 127.0.0.1", None)
    assert delivered["response"] == "HTTP 200"
    for attempt in shown["attempts"]:
        took = _when(attempt["finished_at"]) - _when(attempt["started_at"])
        assert attempt["latency_ms"] == max(0, round(took.total_seconds() * 1000))
    assert (shown["why"]["gate"], shown["why"]["members"]) == (None, [])


def test_a_long_answer_is_cut_to_the_terminal_and_kept_whole_in_json(
    hookyard: _Hookyard, recording_server: RecordingServer
) -> None:
    answer = "A" * 300 + " the end"
    recording_server.script(Reply(status=503, body=answer.encode()))
    [delivery] = hookyard.receive("m1")
    hookyard.deliver()

    narrow = hookyard.lines("deliveries", "show", str(delivery), COLUMNS="100")
    attempts = narrow[narrow.index("attempts:") + 1 :]
    assert max(len(line) for line in attempts) <= 100
    failed = attempts[1]
    assert "AAAA…" in failed and "the end" not in failed
    assert " 503 " in failed  # the status code is never cut

    piped = hookyard.lines("deliveries", "show", str(delivery))
    assert any(answer in line for line in piped)  # into a pipe nothing is cut
    assert hookyard.shown(delivery)["attempts"][0]["response"] == answer


def test_an_answer_past_the_bound_is_kept_cut_with_an_ellipsis(
    hookyard: _Hookyard, database_url: str
) -> None:
    from hookyard.store import Store

    [delivery] = hookyard.receive("m1")

    async def answer_at_length() -> None:
        store = Store(database_url)
        try:
            [claimed] = await store.deliveries.claim("w-1", 1, 30.0)
            said = Outcome("dead", datetime.now(UTC), error="refused", response="é" * 5000)
            assert await store.deliveries.record("w-1", claimed, said)
        finally:
            await store.close()

    asyncio.run(answer_at_length())
    [attempt] = hookyard.shown(delivery)["attempts"]
    assert len(attempt["response"]) == RESPONSE_CHARS == 2000
    assert attempt["response"] == "é" * (RESPONSE_CHARS - 1) + "…"
    assert (attempt["outcome"], attempt["error"]) == ("dead", "refused")


def _gate_rows(hookyard: _Hookyard) -> tuple[int, int, int]:
    """m1 heads a group that m3 joined, m2 was throttled: what intake makes of a route with
    a gate, written on the store's tables. Returns the three deliveries' ids."""
    head, throttled, joined = hookyard.receive("m1", "m2", "m3")

    async def gate(host: TestHost) -> None:
        async with host.host.store.engine.begin() as connection:
            for delivery, values in [
                (head, {"gate": "group", "gate_key": "c-1"}),
                (
                    throttled,
                    {"status": "suppressed", "gate": "throttle", "gate_key": "c-1", "why": WHY},
                ),
                (
                    joined,
                    {"status": "grouped", "gate": "group", "gate_key": "c-1", "group_id": head},
                ),
            ]:
                await connection.execute(
                    update(deliveries).where(deliveries.c.id == delivery).values(**values)
                )

    hookyard.with_host(gate)
    hookyard.deliver()
    return head, throttled, joined


def test_a_suppressed_delivery_names_the_gate_and_key_that_held_it(
    hookyard: _Hookyard, recording_server: RecordingServer
) -> None:
    head, throttled, _ = _gate_rows(hookyard)
    assert [r.json()["id"] for r in recording_server.wait_for(1)] == ["m1"]

    lines = hookyard.lines("deliveries", "show", str(throttled))
    assert lines[0] == f"delivery {throttled}: suppressed (0 attempts)"
    why_at = lines.index("why: route 'chats to ops', action post, chat.started")
    assert lines[why_at + 1 : why_at + 3] == [f"  {line}" for line in WHY.splitlines()]
    assert "  held back by the route's throttle (key 'c-1'): suppressed, never attempted" in lines
    assert lines[-1] == "attempts: none (never attempted on its own)"
    why = hookyard.shown(throttled)["why"]
    assert (why["gate"], why["gate_key"], why["group_id"]) == ("throttle", "c-1", None)
    assert why["recorded"] == WHY
    assert hookyard.shown(throttled)["attempts"] == []

    listed = hookyard.lines("deliveries", "list", "--status", "suppressed")
    assert [line.split()[:2] for line in listed[1:]] == [[str(throttled), "suppressed"]]
    event = hookyard.lines("events", "show", "m2")
    assert event[event.index("deliveries:") + 2].split()[:3] == [str(throttled), "suppressed", "0"]

    replayed = hookyard.run("deliveries", "replay", str(throttled))  # deliver it after all
    assert (replayed.exit_code, replayed.stdout) == (0, f"1 delivery(ies) replayed: {throttled}\n")
    hookyard.deliver()
    assert [r.json()["id"] for r in recording_server.wait_for(2)] == ["m1", "m2"]
    assert hookyard.lines("deliveries", "show", str(throttled))[0].endswith("delivered (1 attempt)")
    recorded = hookyard.shown(throttled)["why"]["recorded"]
    assert recorded.endswith("\nreplayed (hookyard deliveries replay): made after all")


def test_a_grouped_delivery_names_its_head_and_the_head_its_members(
    hookyard: _Hookyard, recording_server: RecordingServer
) -> None:
    head, _, joined = _gate_rows(hookyard)

    lines = hookyard.lines("deliveries", "show", str(joined))
    assert lines[0] == f"delivery {joined}: grouped (0 attempts)"
    grouped = f"  grouped into delivery {head} (delivered) (key 'c-1'): that delivery is attempted"
    assert f"{grouped} for this event too" in lines
    assert lines[-1] == "attempts: none (never attempted on its own)"
    why = hookyard.shown(joined)["why"]
    assert (why["gate"], why["group_id"], why["head_status"]) == ("group", head, "delivered")

    lines = hookyard.lines("deliveries", "show", str(head))
    assert (
        "  the head of its group (key 'c-1'): attempted once for this event and 1 more event"
        in lines
    )
    header, member = _table(lines, "grouped into it:")
    assert header[:2] == ["id", "status"] and member[:2] == [str(joined), "grouped"]
    assert "chats/chat.started" in member
    [listed] = hookyard.shown(head)["why"]["members"]
    assert (listed["id"], listed["event_id"], listed["status"]) == (joined, "m3", "grouped")
    assert [a["outcome"] for a in hookyard.shown(head)["attempts"]] == ["delivered"]

    statuses = hookyard.lines("deliveries", "list", "--status", "grouped")
    assert [line.split()[0] for line in statuses[1:]] == [str(joined)]
    left = hookyard.run("deliveries", "replay", str(joined))
    assert (left.exit_code, left.stdout) == (0, "0 delivery(ies) replayed: -\n")
    assert left.stderr == (
        f"delivery {joined} is grouped into delivery {head}, which delivers its event: "
        f"replay {head}; left as it is\n"
    )
    assert hookyard.lines("deliveries", "show", str(joined))[0].endswith("grouped (0 attempts)")
    assert len(recording_server.requests) == 1


@pytest.mark.parametrize("written", ["abc", "1.5", " 7", "1_000", "0x10"])
def test_an_id_that_is_not_written_in_digits_is_a_usage_error(
    hookyard: _Hookyard, written: str
) -> None:
    result = hookyard.run("deliveries", "show", written)
    assert result.exit_code == 2
    assert f"{written!r} is not a whole number such as 42" in result.stderr
