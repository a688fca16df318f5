"""The operator's console: ``events list/show`` and ``deliveries list/show/replay`` with
their filters, as a user reads them (tables, colour, ``--json``, the progress bar)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from hookyard.cli import main
from hookyard.testing import Reply

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from hookyard.testing import HostFactory, RecordingServer, TestHost

CONFIG = """\
database: "{database}"
sources:
  chats: {{vendor: generic, auth: none}}
  desk: {{vendor: generic, auth: none}}
sinks:
  ops: {{plugin: http, url: "{url}"}}
  archive: {{plugin: log}}
routes:
  - name: started to ops
    match: {{type: chat.started}}
    to: ops
  - name: everything logged
    to: archive
"""
#: (source, id, type, chat) of the webhooks received, oldest first.
WEBHOOKS = [
    ("chats", "m1", "chat.started", "c-1"),
    ("chats", "m2", "chat.message", "c-1"),
    ("desk", "m3", "chat.started", "c-2"),
]


def cli(*args: str, **env: str) -> Result:
    """``hookyard ARGS`` in this process, ``env`` set and no other HOOKYARD_ or COLUMNS."""
    cleared: dict[str, str | None] = {
        name: None for name in os.environ if name.startswith("HOOKYARD_") or name == "COLUMNS"
    }
    result = CliRunner().invoke(main, list(args), env={**cleared, **env})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


class _Console:
    """A configured hookyard that received :data:`WEBHOOKS` and delivered them once."""

    def __init__(self, path: Path, config: str, factory: HostFactory) -> None:
        self.path, self.config, self.factory = path, config, factory

    def run(self, *args: str, **env: str) -> Result:
        return cli(*args, "--config", str(self.path), **env)

    def lines(self, *args: str, **env: str) -> list[str]:
        result = self.run(*args, **env)
        assert result.exit_code == 0, result.output
        return result.stdout.splitlines()

    def json(self, *args: str) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.lines(*args, "--json")]

    def deliver(self) -> list[Any]:
        async def run(host: TestHost) -> list[Any]:
            return await host.deliver()

        delivered: list[Any] = self._with_host(run)
        return delivered

    def _with_host(self, use: Any) -> Any:
        async def run() -> Any:
            async with self.factory(self.config) as host:
                return await use(host)

        return asyncio.run(run())

    def receive(self) -> None:
        async def post(host: TestHost) -> None:
            for source, event_id, kind, chat in WEBHOOKS:
                body = {"id": event_id, "type": kind, "chat": {"id": chat}}
                assert (await host.post(source, body)).status == 200

        self._with_host(post)


@pytest.fixture
def console(
    tmp_path: Path,
    database_url: str,
    hookyard_host: HostFactory,
    recording_server: RecordingServer,
) -> _Console:
    config = CONFIG.format(database=database_url, url=recording_server.url)
    path = tmp_path / "hookyard.yaml"
    path.write_text(config)
    made = _Console(path, config, hookyard_host)
    made.receive()
    made.deliver()
    recording_server.wait_for(2)
    return made


def _column(lines: list[str], number: int) -> list[str]:
    return [line.split()[number] for line in lines[1:]]


def test_events_list_filters(console: _Console) -> None:
    assert _column(console.lines("events", "list"), 0) == ["m3", "m2", "m1"]
    assert _column(console.lines("events", "list", "--source", "chats"), 0) == ["m2", "m1"]
    assert _column(console.lines("events", "list", "--type", "chat.started"), 0) == ["m3", "m1"]
    assert _column(console.lines("events", "list", "--chat", "c-1"), 0) == ["m2", "m1"]
    assert _column(console.lines("events", "list", "--since", "1h"), 0) == ["m3", "m2", "m1"]
    assert console.lines("events", "list", "--until", "1h") == ["no events"]
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert _column(console.lines("events", "list", "--until", tomorrow), 0) == ["m3", "m2", "m1"]
    assert console.lines("events", "list", "--since", tomorrow, "--status", "stored") == [
        "no stored events"
    ]
    bad = console.run("events", "list", "--since", "yesterday")
    assert bad.exit_code == 2
    assert "'yesterday' is neither a duration (30m, 24h, 7d) nor an ISO time" in bad.stderr


def test_deliveries_list_filters(console: _Console) -> None:
    header, *_ = lines = console.lines("deliveries", "list")
    assert header.split() == ["id", "status", "try", "sink", "route", "event", "made", "error"]
    assert len(lines) == 6  # m1 and m3 to ops and to archive, m2 to archive
    assert _column(console.lines("deliveries", "list", "--sink", "ops"), 3) == ["ops", "ops"]
    routes = console.json("deliveries", "list", "--route", "everything logged")
    assert [r["event_id"] for r in routes] == ["m3", "m2", "m1"]
    picked = console.json("deliveries", "list", "--source", "chats", "--type", "chat.started")
    assert [(r["event_id"], r["sink"]) for r in picked] == [("m1", "archive"), ("m1", "ops")]
    assert [r["event_id"] for r in console.json("deliveries", "list", "--chat", "c-2")] == [
        "m3",
        "m3",
    ]
    assert {r["status"] for r in console.json("deliveries", "list", "--status", "delivered")} == {
        "delivered"
    }
    assert console.lines("deliveries", "list", "--status", "dead") == ["no dead deliveries"]
    assert len(console.json("deliveries", "list", "--since", "10m", "--until", "0s")) == 5
    assert console.json("deliveries", "list", "--until", "10m") == []


def test_event_show(console: _Console) -> None:
    lines = console.lines("events", "show", "m1", "--source", "chats")
    assert lines[0] == "event m1 of source chats"
    assert lines[1].split() == ["vendor", "generic"]
    assert "normalized event:" in lines and '    "id": "m1",' in lines
    raw = lines.index("raw payload (as the vendor plugin kept it):")
    assert lines[raw + 1 : raw + 3] == ["  {", '    "id": "m1",']
    assert '    "raw": {' not in lines[:raw]  # the normalized form without it
    deliveries = lines[lines.index("deliveries:") + 1 :]
    assert deliveries[0].split()[:4] == ["id", "status", "try", "sink"]
    assert sorted(line.split()[3] for line in deliveries[1:]) == ["archive", "ops"]

    [shown] = console.json("events", "show", "m1")
    assert (shown["id"], shown["source"], shown["status"]) == ("m1", "chats", "stored")
    assert shown["event"]["chat"]["id"] == "c-1" and shown["payload"] is None
    assert sorted(d["route"] for d in shown["deliveries"]) == [
        "everything logged",
        "started to ops",
    ]

    missing = console.run("events", "show", "m9")
    assert (missing.exit_code, missing.stderr) == (1, "hookyard: no event 'm9'\n")


def _ops_delivery(console: _Console, event_id: str = "m1") -> dict[str, Any]:
    found = console.json("deliveries", "list", "--sink", "ops")
    return next(r for r in found if r["event_id"] == event_id)


def test_delivery_show_names_its_route_and_every_attempt(console: _Console) -> None:
    delivery = _ops_delivery(console)
    lines = console.lines("deliveries", "show", str(delivery["id"]))
    assert lines[0] == f"delivery {delivery['id']}: delivered (1 attempt)"
    assert "why: route 'started to ops', action post, chat.started" in lines
    assert '  match {"type": "chat.started"}' in lines
    attempts = lines[lines.index("attempts:") + 1 :]
    header = ["#", "started", "outcome", "status", "latency", "response", "error"]
    assert attempts[0].split() == header
    number, _, _, outcome, status, latency, unit, response = attempts[1].split(maxsplit=7)
    assert (number, outcome, status, unit, response) == ("1", "delivered", "-", "ms", "HTTP 200")
    assert int(latency) >= 0

    [shown] = console.json("deliveries", "show", str(delivery["id"]))
    known = ("route", "action", "event_type", "configured", "match")
    assert {key: shown["why"][key] for key in known} == {
        "route": "started to ops",
        "action": "post",
        "event_type": "chat.started",
        "configured": True,
        "match": {"type": "chat.started"},
    }
    assert shown["event"]["id"] == "m1" and shown["idempotency_key"] == delivery["idempotency_key"]
    [attempt] = shown["attempts"]
    assert (attempt["number"], attempt["outcome"], attempt["response"]) == (
        1,
        "delivered",
        "HTTP 200",
    )

    console.path.write_text(console.config.replace("name: started to ops", "name: renamed"))
    gone = console.lines("deliveries", "show", str(delivery["id"]))
    assert "  the route is no longer in the configuration" in gone
    missing = console.run("deliveries", "show", "999")
    assert (missing.exit_code, missing.stderr) == (1, "hookyard: delivery 999 does not exist\n")


def test_replay_of_a_delivered_delivery_makes_one_attempt_with_the_same_key(
    console: _Console, recording_server: RecordingServer
) -> None:
    delivery = _ops_delivery(console)
    [first] = [r for r in recording_server.wait_for(2) if r.json()["id"] == "m1"]

    result = console.run("deliveries", "replay", str(delivery["id"]))
    assert (result.exit_code, result.stdout) == (0, f"1 delivery(ies) replayed: {delivery['id']}\n")
    assert _ops_delivery(console)["status"] == "pending"
    console.deliver()

    again = recording_server.wait_for(3)[2]
    assert again.headers["webhook-id"] == first.headers["webhook-id"] == delivery["idempotency_key"]
    assert again.body == first.body
    [shown] = console.json("deliveries", "show", str(delivery["id"]))
    assert [(a["number"], a["outcome"]) for a in shown["attempts"]] == [
        (1, "delivered"),
        (2, "delivered"),
    ]
    assert len(recording_server.wait_for(3)) == 3  # nothing else was sent

    missing = console.run("deliveries", "replay", "999")
    assert (missing.exit_code, missing.stderr) == (1, "delivery 999 does not exist\n")
    both = console.run("deliveries", "replay", "1", "--filter", "sink=ops")
    assert both.exit_code == 2 and "name delivery ids or say --filter (not both)" in both.stderr


class _TerminalRunner(CliRunner):
    """A runner whose stderr is a terminal, as a user's is (the progress bar shows)."""

    @contextlib.contextmanager
    def isolation(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        with super().isolation(*args, **kwargs) as streams:
            sys.stderr.isatty = lambda: True  # type: ignore[method-assign]
            yield streams


def test_bulk_replay_by_filter_shows_a_progress_bar(
    console: _Console, recording_server: RecordingServer
) -> None:
    recording_server.script(Reply(status=400, body=b"no such channel"))
    console.run("deliveries", "replay", "--filter", "sink=ops", "--filter", "source=desk")
    console.deliver()
    assert console.json("deliveries", "list", "--status", "dead")[0]["event_id"] == "m3"

    args = ["deliveries", "replay", "--config", str(console.path), "--filter", "since=1h"]
    result = _TerminalRunner().invoke(main, [*args, "--filter", "route=everything logged"])
    assert result.exit_code == 0, result.output
    assert result.stdout == "3 delivery(ies) replayed\n"
    assert "replaying  [####################################]  100%" in result.stderr
    pending = console.json("deliveries", "list", "--status", "pending")
    assert sorted(r["event_id"] for r in pending) == ["m1", "m2", "m3"]
    assert {r["sink"] for r in pending} == {"archive"}

    dead = console.run("deliveries", "replay", "--filter", "status=dead")
    assert (dead.exit_code, dead.stdout, dead.stderr) == (0, "1 delivery(ies) replayed\n", "")
    none = console.run("deliveries", "replay", "--filter", "chat=nobody")
    assert (none.exit_code, none.stdout) == (0, "no deliveries match\n")
    wrong = console.run("deliveries", "replay", "--filter", "colour=red")
    assert wrong.exit_code == 2 and "'colour=red' is not FIELD=VALUE" in wrong.stderr


def test_no_colour_when_piped_and_tables_fit_a_narrow_terminal(console: _Console) -> None:
    piped = console.run("deliveries", "list")
    assert "\x1b[" not in piped.stdout
    assert max(len(line) for line in piped.stdout.splitlines()) > 60  # nothing cut

    for command in (["deliveries", "list"], ["events", "list"]):
        narrow = console.lines(*command, COLUMNS="60")
        assert max(len(line) for line in narrow) <= 60, narrow
        assert any("…" in line for line in narrow)
    header, *rows = console.lines("deliveries", "list", COLUMNS="60")
    assert header.split()[:3] == ["id", "status", "try"]  # ids and states are kept whole
    assert {row.split()[1] for row in rows} == {"delivered"}
