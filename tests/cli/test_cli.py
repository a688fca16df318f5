"""The ``hookyard`` command as a user sees it: messages, exit codes, never a traceback.

Most commands run in-process through click's runner (an exception escaping a command
fails the test there); the error paths whose point is "no traceback" run the installed
``hookyard`` executable in a real process.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hookyard.cli import main
from hookyard.config import load_config
from hookyard.config.converter import make_converter
from hookyard.plugins import collect_registry, get_plugin_manager

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "hookyard.yaml"
HOOKYARD = Path(sys.executable).parent / "hookyard"

CONFIG = """\
database: sqlite:///state/hookyard.db
sources:
  chats: {vendor: livechat, secret: s3cret}
sinks:
  journal: {plugin: file, path: journal.jsonl}
routes:
  - to: journal
"""

BROKEN = """\
sources:
  chats: {vendor: livechat}
sinks:
  ops: {plugin: http, url: "http://127.0.0.1:9/in", timeout: fast}
routes:
  - to: slak
"""


def hookyard(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOOKYARD_")}
    return subprocess.run(
        [str(HOOKYARD), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def cli(*args: str) -> Result:
    """``hookyard ARGS`` in this process; only a deliberate exit may end it."""
    env = {name: None for name in os.environ if name.startswith("HOOKYARD_")}
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "etc" / "hookyard.yaml"
    path.parent.mkdir()
    path.write_text(CONFIG)
    return path


def test_check_accepts_the_example(tmp_path: Path) -> None:
    result = hookyard("check", "--config", str(EXAMPLE), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    loaded = load_config(EXAMPLE, make_converter(), collect_registry(get_plugin_manager([])))
    counts = (len(loaded.sources), len(loaded.sinks), len(loaded.routes))
    assert result.stdout == (
        f"{EXAMPLE}: OK ({counts[0]} sources, {counts[1]} sinks, {counts[2]} routes)\n"
    )


def test_check_accepts_the_support_team_example_with_no_environment(tmp_path: Path) -> None:
    example = ROOT / "examples" / "support-team.yaml"
    result = subprocess.run(
        [str(HOOKYARD), "check", "--config", str(example)],
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", "")},  # not one of its variables set
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"{example}: OK (1 sources, 4 sinks, 7 routes)\n"


def test_check_lists_every_problem_with_its_place(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN)
    result = hookyard("check", "--config", str(broken), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == f"hookyard: configuration {broken} is not valid:"
    assert [line.split(":")[0] for line in lines[1:]] == [
        "  sources.chats (line 2)",
        "  sinks.ops.timeout (line 4)",
        "  routes[0].to (line 6)",
    ]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["check"], ["db", "upgrade"], ["deliveries", "list"]])
def test_a_missing_or_unreadable_config_is_cannot_read(command: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    result = cli(*command, "--config", str(missing))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"hookyard: {missing}: cannot read: No such file or directory"
    ]
    result = cli(*command, "--config", str(tmp_path))  # a folder
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"hookyard: {tmp_path}: cannot read: ")


def test_db_upgrade_creates_the_schema(config: Path) -> None:
    result = cli("db", "upgrade", "--config", str(config))
    assert (result.exit_code, result.stdout) == (0, "database is up to date\n")
    database = config.parent / "state" / "hookyard.db"  # relative to the config file
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        tables = {name for (name,) in rows}
    assert {"events", "deliveries", "attempts"} <= tables


def test_deliveries_list_on_an_empty_database(config: Path) -> None:
    result = cli("deliveries", "list", "--config", str(config))
    assert (result.exit_code, result.stdout) == (0, "no deliveries\n")
    dead = cli("deliveries", "list", "--status", "dead", "--config", str(config))
    assert (dead.exit_code, dead.stdout) == (0, "no dead deliveries\n")


@pytest.mark.parametrize("args", [[], ["7", "--all-dead"]])
def test_deliveries_retry_needs_ids_or_all_dead(config: Path, args: list[str]) -> None:
    result = cli("deliveries", "retry", *args, "--config", str(config))
    assert result.exit_code == 2
    usage = result.stderr.splitlines()[0]
    assert usage.startswith("Usage: ") and usage.endswith(" deliveries retry [OPTIONS] [IDS]...")
    assert "Error: name delivery ids or say --all-dead (not both)" in result.stderr


def test_simulate_lists_what_a_vendor_can_send() -> None:
    result = cli("simulate", "livechat")
    assert result.exit_code == 0, result.stderr
    actions = result.stdout.splitlines()
    assert actions[0] == "incoming_chat"
    assert {"incoming_event", "chat_transferred"} <= set(actions)


def test_simulate_needs_a_source_to_send() -> None:
    result = cli("simulate", "livechat", "incoming_chat")
    assert result.exit_code == 2
    assert "--source" in result.stderr
    unknown = cli("simulate", "zendesk")
    assert (unknown.exit_code, unknown.stderr) == (
        2,
        "hookyard: vendor 'zendesk' is not installed or cannot simulate\n",
    )


def test_simulate_against_nothing_listening_says_so(config: Path, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    result = hookyard(
        "simulate", "livechat", "incoming_chat", "--source", "chats", "--url", url,
        "--config", str(config), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 1
    assert re.match(rf"hookyard: could not reach {url}/hooks/chats: ", result.stderr)
    assert "Traceback" not in result.stdout + result.stderr


def test_serve_with_an_unreachable_database_says_so(tmp_path: Path) -> None:
    file = tmp_path / "down.yaml"
    file.write_text(
        "database: postgresql://postgres:hunter2@127.0.0.1:1/hookyard\n"
        "sources:\n  lc: {vendor: livechat, secret: s3cret}\n"
    )
    done = hookyard("serve", "--config", str(file), "--port", "1", cwd=tmp_path)
    assert done.returncode == 1
    assert "cannot reach the database postgresql://postgres:***@127.0.0.1:1/hookyard" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert "hunter2" not in done.stderr + done.stdout
