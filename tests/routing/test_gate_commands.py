"""``hookyard route explain`` and ``hookyard test`` on routes with a gate: explain names the
gate and renders a group of the one event; a route test decides gates over a case's
events, arriving in order, and a wrong expectation prints its diff."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from hookyard.cli import main

if TYPE_CHECKING:
    from pathlib import Path

CONFIG = """\
sources:
  livechat: {vendor: livechat, secret: s3cret-for-tests}
sinks:
  digest: {plugin: file, path: digest.jsonl}
  alerts: {plugin: log}
routes:
  - name: chat digest
    match: {type: chat.message}
    to: digest
    group: {key: "{{ event.chat.id }}", wait: 1m}
    with: {line: "{{ events | length }}: {% for e in events %}{{ e.message.text }} {% endfor %}"}
  - name: one alert per chat
    match: {type: chat.message}
    to: alerts
    dedup: {key: "{{ event.chat.id }}", window: 10m}
    with: {message: "{{ event.message.text }}"}
"""


def cli(*args: str) -> Result:
    env = {name: None for name in os.environ if name.startswith("HOOKYARD_")}
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "hookyard.yaml").write_text(CONFIG)
    return tmp_path


def _message(chat: str, text: str) -> str:
    return f"{{type: chat.message, chat: {{id: {chat}}}, message: {{text: {text}}}}}"


def test_explain_names_each_gate_and_renders_a_group_of_the_event_alone(folder: Path) -> None:
    event = {"type": "chat.message", "chat": {"id": "c7"}, "message": {"text": "hello"}}
    (folder / "event.json").write_text(json.dumps(event))
    config = str(folder / "hookyard.yaml")
    result = cli("route", "explain", "--config", config, str(folder / "event.json"))
    assert result.exit_code == 0, result.output
    assert "group: key 'c7', one delivery of the events within 1m of the first (at most 100)" in (
        result.output
    )
    assert "dedup: key 'c7', one delivery per 10m" in result.output
    assert '  line: "1: hello "' in result.output

    result = cli("route", "explain", "--config", config, "--json", str(folder / "event.json"))
    gates = [json.loads(line)["gate"] for line in result.output.splitlines()]
    assert gates == [
        {"kind": "group", "key": "c7", "window": 60.0, "limit": 100},
        {"kind": "dedup", "key": "c7", "window": 600.0, "limit": 1},
    ]


def test_a_route_test_decides_gates_over_the_events_of_a_case(folder: Path) -> None:
    events = ", ".join(
        _message(chat, text) for chat, text in (("A", "a1"), ("B", "b1"), ("A", "a2"), ("A", "a3"))
    )
    (folder / "routes.test.yaml").write_text(
        f"""\
config: hookyard.yaml
cases:
  - name: one digest per chat, one alert per chat
    events: [{events}]
    expect:
      - {{route: chat digest, params: {{line: "3: a1 a2 a3 "}}}}
      - {{route: chat digest, params: {{line: "1: b1 "}}}}
      - {{route: one alert per chat, params: {{message: a1}}}}
      - {{route: one alert per chat, params: {{message: b1}}}}
    not_expect:
      - {{route: one alert per chat, params: {{message: a2}}}}
"""
    )
    result = cli("test", str(folder / "routes.test.yaml"))
    assert result.exit_code == 0, result.output

    (folder / "wrong.test.yaml").write_text(
        f"""\
config: hookyard.yaml
cases:
  - name: a digest per message, wrongly
    events: [{events}]
    expect:
      - {{route: chat digest, params: {{line: "1: a2 "}}}}
"""
    )
    result = cli("test", str(folder / "wrong.test.yaml"))
    assert result.exit_code == 1
    assert '"3: a1 a2 a3 "' in result.output  # what was planned instead


def test_check_refuses_a_window_longer_than_delivered_retention(folder: Path) -> None:
    (folder / "kept.yaml").write_text(
        CONFIG.replace("window: 10m", "window: 2d") + "retention: {delivered: 1d}\n"
    )
    result = cli("check", "--config", str(folder / "kept.yaml"))
    assert result.exit_code == 2
    assert (
        "routes[1].dedup.window (line 15): the window (2d) is longer than retention.delivered "
        "(1d): the deliveries it counts would be purged before it ends"
    ) in result.stderr
