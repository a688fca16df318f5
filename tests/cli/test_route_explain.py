"""``hookyard route explain``: every route's answer to one event, as a user reads it."""

from __future__ import annotations

import asyncio
import json
import os
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from hookyard.cli import main

if TYPE_CHECKING:
    from pathlib import Path

    from hookyard.testing import HostFactory

CONFIG = """\
database: sqlite:///hookyard.db
sources:
  chats: {vendor: generic, auth: none}
  livechat-main: {vendor: livechat, secret: s3cret-for-tests}
sinks:
  vip-desk: {plugin: log}
  sales: {plugin: log}
  everyone: {plugin: log}
routes:
  - name: vips first
    match: {type: chat.started, chat.tags: vip}
    to: vip-desk
    continue: false
    with: {message: "VIP chat {{ event.chat.id }} from {{ event.customer.name }}"}
  - name: sales
    match: {chat.department: sales, any: [{chat.tags: big}, {customer.email: {ends_with: .com}}]}
    to: sales
  - name: old sales rule
    match: {chat.tags: sales}
    to: sales
    enabled: false
  - name: everyone else
    to: everyone
"""


def cli(*args: str, columns: int | None = None) -> Result:
    """``hookyard ARGS`` in this process (a terminal ``columns`` wide, if given); only a
    deliberate exit may end it."""
    env: dict[str, str | None] = {name: None for name in os.environ if name.startswith("HOOKYARD_")}
    env["COLUMNS"] = None if columns is None else str(columns)
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "hookyard.yaml"
    path.write_text(CONFIG)
    return path


def _event(tmp_path: Path, **event: Any) -> str:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    return str(path)


def _explain(config: Path, *args: str) -> list[str]:
    result = cli("route", "explain", "--config", str(config), *args)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def _route(lines: list[str], number: int) -> list[str]:
    """The table row of route ``number`` and the detail lines below it."""
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{number}  "))
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith(" ")), None)
    return lines[start:end]


def test_a_matched_route_shows_its_verdicts_and_rendered_params_and_stops_the_list(
    config: Path, tmp_path: Path
) -> None:
    lines = _explain(
        config,
        _event(
            tmp_path,
            type="chat.started",
            source="chats",
            chat={"id": "C7", "tags": ["vip"]},
            customer={"name": "Ann"},
        ),
    )
    assert (
        lines[0].startswith("event ") and "chat.started (source chats, vendor generic)" in lines[0]
    )
    assert lines[1].split() == ["#", "route", "delivers", "to", "result"]
    assert _route(lines, 0) == [
        "0  vips first      vip-desk.write  MATCHED",
        "     matched: type eq 'chat.started'",
        "     matched: chat.tags eq 'vip'",
        "     params:",
        '       message: "VIP chat C7 from Ann"',
    ]
    # continue: false: the routes after it are not tried, but still say what they would do.
    assert _route(lines, 1)[:2] == [
        "1  sales           sales.write     skipped",
        "     skipped: 'vips first' matched with continue: false",
    ]
    assert _route(lines, 3) == [
        "3  everyone else   everyone.write  skipped",
        "     skipped: 'vips first' matched with continue: false",
        "     no conditions: every event matches",
    ]
    assert lines[-1] == "1 of 4 routes match"


def test_a_route_that_does_not_match_names_the_condition_that_decided(
    config: Path, tmp_path: Path
) -> None:
    event = _event(
        tmp_path,
        type="chat.message",
        chat={"department": "sales", "tags": ["sales"]},
        customer={"email": "ann@example.org"},
    )
    lines = _explain(config, event)
    assert _route(lines, 0) == [
        "0  vips first      vip-desk.write  not matched",
        "     decided by: type eq 'chat.started'",
        "     not matched: type eq 'chat.started' on 'chat.message'",
        "     not matched: chat.tags eq 'vip' on ['sales']",
    ]
    assert _route(lines, 1) == [
        "1  sales           sales.write     not matched",
        "     decided by: any of 2",
        "     matched: chat.department eq 'sales'",
        "     not matched: any of 2",
        "       not matched: chat.tags eq 'big' on ['sales']",
        "       not matched: customer.email ends_with '.com' on 'ann@example.org'",
    ]
    # A disabled route never matches; what it would have said is shown all the same.
    assert _route(lines, 2) == [
        "2  old sales rule  sales.write     disabled",
        "     enabled: false",
        "     matched: chat.tags eq 'sales'",
    ]
    assert _route(lines, 3)[0] == "3  everyone else   everyone.write  MATCHED"
    # Fields left out got their defaults: the first configured source, and its vendor.
    assert "(source chats, vendor generic)" in lines[0]


def test_json_is_one_object_per_route(config: Path, tmp_path: Path) -> None:
    event = _event(tmp_path, id="e1", type="chat.started", chat={"id": "C7", "tags": ["vip"]})
    found = [json.loads(line) for line in _explain(config, event, "--json")]
    assert [(r["route"], r["result"]) for r in found] == [
        ("vips first", "matched"),
        ("sales", "skipped"),
        ("old sales rule", "skipped"),
        ("everyone else", "skipped"),
    ]
    vip = found[0]
    assert vip["event"] == "e1"
    assert (vip["sink"], vip["action"], vip["decided_by"], vip["error"]) == (
        "vip-desk",
        "write",
        None,
        None,
    )
    assert vip["params"] == {"message": "VIP chat C7 from "}
    assert vip["verdicts"][1] == {"matched": True, "text": "matched: chat.tags eq 'vip'"}
    assert found[1]["decided_by"] == "'vips first' matched with continue: false"
    assert found[1]["params"] is None


def test_a_vendor_plugins_sample_is_parsed_and_explained(config: Path) -> None:
    lines = _explain(config, "--fixture", "livechat", "incoming_chat")
    assert "chat.started (source livechat-main, vendor livechat)" in lines[0]
    assert _route(lines, 0)[0] == "0  vips first      vip-desk.write  not matched"
    assert "     not matched: chat.tags eq 'vip' on []" in _route(lines, 0)
    assert _route(lines, 3)[0] == "3  everyone else   everyone.write  MATCHED"


def test_a_vendor_payload_is_parsed_by_its_sources_plugin_unverified(
    config: Path, tmp_path: Path
) -> None:
    payload_file = tmp_path / "payload.json"  # the generic vendor's body: an event's JSON form
    payload_file.write_text(
        json.dumps(
            {
                "id": "p1",
                "type": "chat.rated",
                "vendor_type": "rated",
                "occurred_at": "2026-03-02T10:00:00Z",
            }
        )
    )
    result = cli(
        "route",
        "explain",
        "--config",
        str(config),
        "--payload",
        str(payload_file),
        "--source",
        "chats",
    )
    assert result.exit_code == 0, result.output
    assert result.stderr == "payload parsed without verifying it\n"
    assert result.stdout.splitlines()[0] == "event p1 chat.rated (source chats, vendor generic)"


def test_a_stored_event_is_read_from_the_database(
    config: Path, tmp_path: Path, hookyard_host: HostFactory
) -> None:
    assert cli("db", "upgrade", "--config", str(config)).exit_code == 0
    event = {
        "id": "stored-1",
        "type": "chat.started",
        "vendor_type": "chat_started",
        "occurred_at": "2026-03-02T10:00:00Z",
        "chat": {"id": "C9", "tags": ["vip"]},
        "customer": {"name": "Bo"},
    }

    async def store() -> None:
        async with hookyard_host(CONFIG) as host:
            answered = await host.post("chats", event)
            assert answered.body == {"stored": 1, "duplicates": 0}

    asyncio.run(store())
    lines = _explain(config, "--event", "stored-1")
    assert lines[0] == "event stored-1 chat.started (source chats, vendor generic)"
    assert _route(lines, 0)[-1] == '       message: "VIP chat C9 from Bo"'

    missing = cli("route", "explain", "--config", str(config), "--event", "nope")
    assert missing.exit_code == 1
    assert missing.stderr == "hookyard: no event 'nope' (hookyard events list shows them)\n"


def test_a_bad_event_file_is_one_line_naming_what_is_wrong(config: Path, tmp_path: Path) -> None:
    event = _event(tmp_path, type="chat.startd", chat={"tag": ["vip"]})
    result = cli("route", "explain", "--config", str(config), event)
    assert result.exit_code == 2
    assert result.stderr == (
        f"hookyard: {event}: chat.tag: not a field of the event; did you mean 'tags'? "
        "(docs/events.md); type: 'chat.startd' is not a normalized event type\n"
    )
    (tmp_path / "broken.json").write_text("{")
    broken = cli("route", "explain", "--config", str(config), str(tmp_path / "broken.json"))
    assert broken.exit_code == 2 and broken.stderr.startswith(
        f"hookyard: {tmp_path}/broken.json: not JSON"
    )
    sample = cli("route", "explain", "--config", str(config), "--fixture", "livechat", "chat")
    assert sample.exit_code == 2
    assert "livechat cannot simulate 'chat'" in sample.stderr
    both = cli("route", "explain", "--config", str(config), event, "--event", "x")
    assert both.exit_code == 2
    assert "give one of EVENT.json, --event, --fixture, --payload" in both.stderr


def test_the_table_fits_a_narrow_terminal(config: Path, tmp_path: Path) -> None:
    event = _event(tmp_path, type="chat.message", chat={"department": "sales"})
    result = cli("route", "explain", "--config", str(config), event, columns=40)
    assert result.exit_code == 0, result.output
    rows = [line for line in result.stdout.splitlines()[1:-1] if not line.startswith(" ")]
    assert rows[1] == "0  vips first   vip-desk.w…  not matched"
    assert all(len(row) <= 40 for row in rows)
