"""``hookyard replay``: a changed configuration over events stored by real intake, the
difference as a user reads it (table, examples, ``--json``), and ``--apply`` delivering
exactly the added deliveries, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sqlite3
import sys
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from hookyard.cli import main

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from hookyard.testing import Delivery, HostFactory, TestHost

#: The start of both configurations; DATABASE is replaced by the test's database.
HEAD = """\
database: "DATABASE"
sources:
  chats: {vendor: generic, auth: none}
  desk: {vendor: generic, auth: none}
sinks:
  ops: {plugin: file, path: ops.jsonl}
  archive: {plugin: file, path: archive.jsonl}
routes:
  - name: started to ops
    match: {type: chat.started}
    to: ops
    with: {line: "started {{ event.id }}"}
"""
#: What was running when the webhooks came.
OLD = (
    HEAD
    + """\
  - name: messages to ops
    match: {type: chat.message}
    to: ops
    with: {line: "message {{ event.id }}: {{ event.message.text }}"}
  - name: everything archived
    to: archive
    with: {line: "archived {{ event.id }}"}
"""
)
#: The change: one route's `with` changed, one removed, one added (whose template fails
#: for an event without data.n).
NEW = (
    HEAD
    + """\
  - name: messages to ops
    match: {type: chat.message}
    to: ops
    with: {line: "said {{ event.id }}: {{ event.message.text }}"}
  - name: desk to archive
    match: {source: desk}
    to: archive
    with: {line: "desk {{ event.id }} n+1={{ event.data.n + 1 }}"}
"""
)
#: (source, body) of the webhooks received, oldest first.
WEBHOOKS = [
    (
        "chats",
        {"id": "m1", "type": "chat.started", "chat": {"id": "c-1"}, "customer": {"id": "u-1"}},
    ),
    ("chats", {"id": "m2", "type": "chat.message", "message": {"text": "hello"}}),
    ("desk", {"id": "d1", "type": "chat.started", "chat": {"id": "c-2"}, "data": {"n": 1}}),
    ("desk", {"id": "d2", "type": "chat.message", "message": {"text": "hi"}, "data": {"n": 2}}),
    ("desk", {"id": "d3", "type": "chat.closed", "chat": {"id": "c-2"}}),
]


def cli(*args: str, runner: CliRunner | None = None) -> Result:
    """``hookyard ARGS`` in this process, with no HOOKYARD_ variable and no COLUMNS."""
    env: dict[str, str | None] = {
        name: None for name in os.environ if name.startswith("HOOKYARD_") or name == "COLUMNS"
    }
    result = (runner or CliRunner()).invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


class _Store:
    """A hookyard that received :data:`WEBHOOKS` under ``old`` (:data:`OLD`), and ``new``
    written beside it."""

    def __init__(
        self, folder: Path, database: str, factory: HostFactory, old: str = OLD, new: str = NEW
    ) -> None:
        self.folder, self.factory = folder, factory
        self.old = old.replace("DATABASE", database)
        self.new = new.replace("DATABASE", database)
        self.path = folder / "new.yaml"
        self.path.write_text(self.new)

    def _with_host(self, config: str, use: Any) -> Any:
        async def run() -> Any:
            async with self.factory(config) as host:
                return await use(host)

        return asyncio.run(run())

    def receive(self) -> None:
        async def post(host: TestHost) -> None:
            for source, body in WEBHOOKS:
                assert (await host.post(source, body)).status == 200

        self._with_host(self.old, post)

    def deliver(self, config: str) -> list[Delivery]:
        async def run(host: TestHost) -> list[Delivery]:
            return await host.deliver()

        delivered: list[Delivery] = self._with_host(config, run)
        return delivered

    def lines(self, sink: str) -> list[str]:
        return (self.folder / f"{sink}.jsonl").read_text().splitlines()

    def replay(self, *args: str, runner: CliRunner | None = None) -> Result:
        return cli("replay", "--config", str(self.path), "--since", "1h", *args, runner=runner)


def _received(made: _Store) -> _Store:
    made.receive()
    assert {d.status for d in made.deliver(made.old)} <= {"delivered", "grouped"}
    return made


@pytest.fixture
def stored(tmp_path: Path, database_url: str, hookyard_host: HostFactory) -> _Store:
    return _received(_Store(tmp_path, database_url, hookyard_host))


def _row(lines: list[str], route: str) -> list[str]:
    """The counts of ``route``'s table row: added, removed, changed, unchanged."""
    [row] = [line for line in lines if line.startswith(route + "  ")]
    return row[len(route) :].split()


def test_the_difference_names_each_route_with_counts_and_examples(stored: _Store) -> None:
    result = stored.replay()
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("5 stored events received since ")
    assert lines[0].endswith(f" UTC, through the routes of {stored.path}:")
    assert lines[1].split() == ["route", "added", "removed", "changed", "unchanged"]
    assert _row(lines, "started to ops") == ["0", "0", "0", "2"]
    assert _row(lines, "messages to ops") == ["0", "0", "2", "0"]
    assert _row(lines, "desk to archive") == ["3", "0", "0", "0"]
    assert _row(lines, "everything archived") == ["0", "5", "0", "0"]
    assert _row(lines, "all routes") == ["3", "5", "2", "2"]

    examples = lines[lines.index("") :]
    changed = examples.index("messages to ops: 2 changed")
    assert examples[changed + 1 : changed + 3] == [
        '  changed  m2 (chats)  with.line: "message m2: hello" → "said m2: hello"',
        '  changed  d2 (desk)  with.line: "message d2: hi" → "said d2: hi"',
    ]
    added = examples.index("desk to archive: 3 added")
    assert examples[added + 1 : added + 4] == [
        '  added    d1 (desk)  archive.append {"line":"desk d1 n+1=2"}',
        '  added    d2 (desk)  archive.append {"line":"desk d2 n+1=3"}',
        "  added    d3 (desk)  archive.append fails: routes[2].with.line: template failed: "
        "'dict object' has no attribute 'n'",
    ]
    removed = examples.index(f"everything archived: 5 removed (no longer a route of {stored.path})")
    shown = examples[removed + 1 :]
    assert len(shown) == 4 and shown[3] == "  removed  … and 2 more"  # the first three of five
    assert shown[0].startswith("  removed  m1 (chats)  was archive.append (delivery ")
    assert shown[0].endswith(", delivered)")
    assert "started to ops:" not in "\n".join(examples)  # unchanged: counted, not shown


def test_json_is_the_whole_difference_in_one_document(stored: _Store) -> None:
    result = stored.replay("--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert (found["events"], found["source"], found["applied"]) == (5, None, None)
    assert found["totals"] == {"added": 3, "removed": 5, "changed": 2, "unchanged": 2}
    routes = {route.pop("route"): route for route in found["routes"]}
    assert list(routes) == [
        "started to ops",
        "messages to ops",
        "desk to archive",
        "everything archived",
    ]
    changed = routes["messages to ops"]
    assert (changed["changed"], changed["configured"]) == (2, True)
    [m2, _d2] = changed["examples"]["changed"]
    assert m2["event"] == "m2" and m2["source"] == "chats"
    assert m2["differences"] == [
        {"key": "with.line", "old": "message m2: hello", "new": "said m2: hello"}
    ]
    added = routes["desk to archive"]["examples"]["added"]
    assert [(a["event"], a["sink"], a["action"], a["params"]) for a in added[:2]] == [
        ("d1", "archive", "append", {"line": "desk d1 n+1=2"}),
        ("d2", "archive", "append", {"line": "desk d2 n+1=3"}),
    ]
    assert "has no attribute 'n'" in added[2]["error"]
    gone = routes["everything archived"]
    assert (gone["removed"], gone["configured"]) == (5, False)
    assert {r["status"] for r in gone["examples"]["removed"]} == {"delivered"}


def test_source_narrows_the_replay(stored: _Store) -> None:
    result = stored.replay("--source", "desk")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("3 stored events of source desk received since ")
    assert _row(lines, "all routes") == ["3", "3", "1", "1"]
    assert "m1 (chats)" not in result.stdout and "m2 (chats)" not in result.stdout

    typo = stored.replay("--source", "dsk")
    assert typo.exit_code == 2
    assert "has no source 'dsk'; did you mean 'desk'? (sources: chats, desk)" in typo.stderr
    later = stored.replay("--until", "2h")
    assert (later.exit_code, later.stdout) == (2, "")
    assert "--until must be later than --since" in later.stderr
    none = cli("replay", "--config", str(stored.path), "--since", "0s")
    assert none.exit_code == 0, none.output
    assert none.stdout.splitlines()[1:] == ["no route delivers any of them, before or now"]


def test_apply_enqueues_exactly_the_added_deliveries_once(stored: _Store) -> None:
    before = (stored.lines("ops"), stored.lines("archive"))
    result = stored.replay("--apply")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-3:] == [
        "",
        "1 added delivery not enqueued: its templates fail now (the examples say how)",
        "enqueued 2 deliveries (0 were already there)",
    ]
    assert _row(result.stdout.splitlines(), "desk to archive") == ["3", "0", "0", "0"]

    delivered = stored.deliver(stored.new)
    assert stored.lines("ops") == before[0]  # the changed route is not sent again
    archived = stored.lines("archive")
    assert archived[: len(before[1])] == before[1]
    assert sorted(archived[len(before[1]) :]) == ["desk d1 n+1=2", "desk d2 n+1=3"]
    backfilled = [d for d in delivered if d.route == "desk to archive"]
    assert [(d.status, d.attempts) for d in backfilled] == [("delivered", 1), ("delivered", 1)]
    shown = cli("deliveries", "show", str(backfilled[0].id), "--json", "--config", str(stored.path))
    recorded = json.loads(shown.stdout)["why"]["recorded"].splitlines()
    assert recorded[0].startswith("route 'desk to archive' (routes[2]) matched: ")
    assert recorded[1:] == ["added later by hookyard replay --apply (a backfill)"]
    assert len(delivered) == 9 + 2

    again = stored.replay("--apply")
    assert again.exit_code == 0, again.output
    lines = again.stdout.splitlines()
    assert _row(lines, "desk to archive") == ["1", "0", "0", "2"]
    assert lines[-1] == "enqueued 0 deliveries (0 were already there)"
    assert len(stored.deliver(stored.new)) == 11


#: Gated routes as they were: a group per desk chat, one delivery per chats chat.
OLD_GATES = (
    HEAD
    + """\
  - name: desk digest
    match: {source: desk}
    to: archive
    group: {key: "{{ event.chat.id }}", wait: 1m}
    with: {line: "digest of {{ events | length }}"}
  - name: once per chat
    match: {source: chats}
    to: archive
    dedup: {key: "{{ event.chat.id }}", window: 1h}
    with: {line: "once {{ event.id }}"}
"""
)
#: The group kept, the dedup keyed by customer instead, and a throttled route added.
NEW_GATES = (
    OLD_GATES.replace(
        '{key: "{{ event.chat.id }}", window: 1h}', '{key: "{{ event.customer.id }}", window: 1h}'
    )
    + """\
  - name: throttled desk
    match: {source: desk}
    to: ops
    throttle: {key: "{{ event.chat.id }}", limit: 1, window: 1h}
    with: {line: "throttled {{ event.id }}"}
"""
)


def test_gated_routes_compare_by_their_gate_and_are_backfilled_through_it(
    tmp_path: Path, database_url: str, hookyard_host: HostFactory
) -> None:
    stored = _received(_Store(tmp_path, database_url, hookyard_host, OLD_GATES, NEW_GATES))
    assert sorted(stored.lines("archive")) == [
        "digest of 1",  # d2, alone in its group (no chat)
        "digest of 2",  # d1 and d3, of chat c-2
        "once m1",
        "once m2",
    ]
    result = stored.replay("--apply")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # A group's params are rendered when it is delivered: its head's are not compared.
    assert _row(lines, "desk digest") == ["0", "0", "0", "3"]
    assert _row(lines, "once per chat") == ["0", "0", "1", "1"]
    assert '  changed  m1 (chats)  gate: "dedup c-1" → "dedup u-1"' in lines
    assert _row(lines, "throttled desk") == ["3", "0", "0", "0"]
    assert '  added    d1 (desk)  ops.append (throttle "c-2") {"line":"throttled d1"}' in lines
    assert lines[-2:] == [
        "3 added deliveries of routes with dedup, throttle or group went through the gate as "
        "if their events arrived now: some may be kept as suppressed or grouped (deliveries "
        "list --status)",
        "enqueued 3 deliveries (0 were already there)",
    ]
    # The throttle lets one per chat through: d3, of d1's chat, is kept as suppressed.
    delivered = stored.deliver(stored.new)
    throttled_lines = [line for line in stored.lines("ops") if line.startswith("throttled")]
    assert sorted(throttled_lines) == ["throttled d1", "throttled d2"]
    throttled = [d.status for d in delivered if d.route == "throttled desk"]
    assert sorted(throttled) == ["delivered", "delivered", "suppressed"]
    [applied] = [json.loads(stored.replay("--json", "--apply").stdout)["applied"]]
    assert applied == {"enqueued": 0, "already": 0, "failed": 0, "gated": 0}


class _TerminalRunner(CliRunner):
    """A runner whose stderr is a terminal, as a user's is (the progress bar shows)."""

    @contextlib.contextmanager
    def isolation(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        with super().isolation(*args, **kwargs) as streams:
            sys.stderr.isatty = lambda: True  # type: ignore[method-assign]
            yield streams


def test_a_progress_bar_on_a_terminal_only(stored: _Store) -> None:
    shown = stored.replay("--apply", runner=_TerminalRunner())
    assert shown.exit_code == 0, shown.output
    assert "replaying and enqueueing  [####################################]  100%" in (
        shown.stderr
    )
    piped = stored.replay()
    assert (piped.exit_code, piped.stderr) == (0, "")


def test_an_invalid_new_config_is_exit_2_with_its_problems_as_check_prints_them(
    stored: _Store,
) -> None:
    stored.path.write_text(stored.new.replace("to: archive", "to: archives"))
    result = stored.replay("--apply")
    assert (result.exit_code, result.stdout) == (2, "")
    assert "routes[2].to" in result.stderr and "'archives'" in result.stderr
    assert result.stderr == cli("check", "--config", str(stored.path)).stderr
    assert len(stored.deliver(stored.old)) == 9  # nothing added


def test_a_store_that_cannot_be_read_is_exit_1(tmp_path: Path) -> None:
    missing = tmp_path / "new.yaml"
    missing.write_text(NEW.replace("DATABASE", f"sqlite:///{tmp_path / 'typo.db'}"))
    result = cli("replay", "--config", str(missing), "--since", "1h")
    assert result.exit_code == 1
    assert "typo.db) does not exist: replay reads the stored events" in result.stderr
    assert not (tmp_path / "typo.db").exists()

    unreachable = tmp_path / "down.yaml"
    unreachable.write_text(NEW.replace("DATABASE", "postgresql://hookyard@127.0.0.1:9/none"))
    down = cli("replay", "--config", str(unreachable), "--since", "1h")
    assert (down.exit_code, down.stdout) == (1, "")
    assert down.stderr.startswith("hookyard: cannot reach the database")
    assert len(down.stderr.splitlines()) == 1


def test_an_empty_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    """Replay never creates (or migrates) a store: an empty file is not the running one."""
    (tmp_path / "empty.db").write_bytes(b"")
    empty = tmp_path / "empty.yaml"
    empty.write_text(NEW.replace("DATABASE", f"sqlite:///{tmp_path / 'empty.db'}"))
    result = cli("replay", "--config", str(empty), "--since", "1h")
    assert result.exit_code == 1
    assert "empty.db) holds no hookyard store: replay reads the stored events" in result.stderr
    tables = sqlite3.connect(tmp_path / "empty.db").execute("SELECT name FROM sqlite_master")
    assert tables.fetchall() == []


def test_until_the_same_as_since_is_a_usage_error(stored: _Store) -> None:
    result = cli("replay", "--config", str(stored.path), "--since", "1h", "--until", "1h")
    assert result.exit_code == 2
    assert "--until must be later than --since" in result.stderr
