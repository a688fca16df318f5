"""``hookyard events list`` and ``events reparse``: a parser bug fixed between the two.

The vendor is a plugin installed into a folder on ``sys.path`` (a dist-info with an entry
point, as ``pip install`` leaves it), so the in-process CLI finds it as a user's would;
fixing the bug is rewriting its module, as installing a fixed release would.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from hookyard.cli import main

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Iterator
    from pathlib import Path

    from hookyard.testing import HostFactory, RecordingServer, TestHost

SECRET = "buggy-secret-7Hq"
MODULE = "hookyard_buggy_vendor"
PLUGIN = '''\
"""A vendor whose secret travels in the body (as LiveChat's does)."""

from attrs import frozen

from hookyard import AuthenticationFailed, Event, VendorSpec, hookimpl


@frozen
class BuggyConfig:
    secret: str | None = None


def verify(config, request):
    if request.json().get("secret") != config.secret:
        raise AuthenticationFailed("wrong secret")


def parse(config, request):
    body = request.json()
    if body.get("broken"):
        raise ValueError("this payload is broken for good\\nsecond line")
    customer = {CUSTOMER}
    return [
        Event(
            id=item,
            source=request.source,
            vendor="buggy",
            type="chat.message",
            vendor_type="message",
            occurred_at=request.received_at,
            received_at=request.received_at,
            data={{"customer": customer}},
        )
        for item in body["items"]
    ]


@hookimpl
def hookyard_register_vendors(register):
    register(VendorSpec("buggy", BuggyConfig, verify, parse, auth_fields=("secret",)))
'''
BUGGY = 'body["customer"]["name"]'  # a payload without a customer raises KeyError
FIXED = '(body.get("customer") or {}).get("name")'


def _install(site: Path, customer: str) -> None:
    (site / f"{MODULE}.py").write_text(PLUGIN.format(CUSTOMER=customer))
    sys.modules.pop(MODULE, None)


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on ``sys.path`` with the buggy vendor installed."""
    folder = tmp_path / "site"
    info = folder / "hookyard_buggy_vendor-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: hookyard-buggy\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[hookyard]\nbuggy = {MODULE}\n")
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # a rewrite is read afresh
    _install(folder, BUGGY)
    monkeypatch.syspath_prepend(str(folder))
    yield folder
    sys.modules.pop(MODULE, None)


def _config(database: str, sink_url: str = "http://127.0.0.1:9/in", source: str = "chats") -> str:
    return f"""\
database: "{database}"
sources:
  {source}: {{vendor: buggy, secret: "{SECRET}"}}
sinks:
  ops: {{plugin: http, url: "{sink_url}"}}
routes:
  - to: ops
"""


def cli(*args: str) -> Result:
    """``hookyard ARGS`` in this process; only a deliberate exit may end it."""
    env = {name: None for name in os.environ if name.startswith("HOOKYARD_")}
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def _with_host(
    hookyard_host: HostFactory, config: str, use: Callable[[TestHost], Coroutine[Any, Any, Any]]
) -> Any:
    async def run() -> Any:
        async with hookyard_host(config) as host:
            return await use(host)

    return asyncio.run(run())


def _body(items: list[str], customer: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"secret": SECRET, "items": items, **extra}
    if customer is not None:
        body["customer"] = {"name": customer}
    return body


#: What the story's webhooks are: two hit the bug, one parses, one is broken for good.
WEBHOOKS = [
    _body(["m1", "m2"]),
    _body(["c1"], customer="Ann"),
    _body(["c1", "m3"]),
    _body(["x1"], broken=True),
]


def _receive(hookyard_host: HostFactory, config: str) -> list[dict[str, Any]]:
    async def post(host: TestHost) -> list[dict[str, Any]]:
        return [(await host.post("chats", body)).body for body in WEBHOOKS]

    answers: list[dict[str, Any]] = _with_host(hookyard_host, config, post)
    return answers


def _listed(config_path: Path, *args: str) -> list[dict[str, Any]]:
    result = cli("events", "list", "--config", str(config_path), "--json", *args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def test_a_fixed_parser_turns_unparsed_payloads_into_delivered_events(
    site: Path,
    tmp_path: Path,
    database_url: str,
    hookyard_host: HostFactory,
    recording_server: RecordingServer,
) -> None:
    config = _config(database_url, recording_server.url)
    path = tmp_path / "hookyard.yaml"
    path.write_text(config)
    answers = _receive(hookyard_host, config)
    assert [a.get("stored") for a in answers] == [0, 1, 0, 0]
    kept = [answers[0]["unparsed"], answers[2]["unparsed"], answers[3]["unparsed"]]

    table = cli("events", "list", "--config", str(path), "--status", "unparsed")
    assert table.exit_code == 0, table.output
    header, *lines = table.output.splitlines()
    assert header.split() == ["id", "source", "vendor", "type", "status", "received_at", "error"]
    assert [line.split()[0] for line in lines] == kept[::-1]  # newest first
    assert "KeyError: 'customer'" in lines[-1] and "unparsed" in lines[-1]
    assert lines[0].endswith("ValueError: this payload is broken for good")  # its first line
    before = {r["id"]: r for r in _listed(path, "--status", "unparsed")}
    assert SECRET not in json.dumps(before)

    _install(site, FIXED)
    result = cli("events", "reparse", "--config", str(path))
    assert result.exit_code == 1, result.output  # one payload still fails
    assert result.stdout == (
        "2 reparsed into 3 events (1 duplicate not stored again), 3 deliveries planned, "
        "1 still unparsed\n"
    )
    assert result.stderr == (
        f"{kept[2]} (source chats) still unparsed: ValueError: this payload is broken for good\n"
    )

    [left] = _listed(path, "--status", "unparsed")
    assert left["id"] == kept[2]
    stored = {r["id"]: r for r in _listed(path, "--status", "stored")}
    assert set(stored) == {"m1", "m2", "c1", "m3"}
    # The events keep the time their payload was received, not the time of the reparse.
    assert stored["m1"]["received_at"] == stored["m2"]["received_at"]
    assert stored["m1"]["received_at"] == before[kept[0]]["received_at"]
    assert stored["m3"]["received_at"] == before[kept[1]]["received_at"]

    delivered = _with_host(hookyard_host, config, lambda host: host.deliver())
    assert [d.status for d in delivered] == ["delivered"] * 4
    posted = recording_server.wait_for(4)
    assert sorted(r.json()["id"] for r in posted) == ["c1", "m1", "m2", "m3"]
    assert {r.json()["data"]["customer"] for r in posted} == {"Ann", None}

    again = cli("events", "reparse", "--config", str(path))
    assert again.exit_code == 1
    assert again.stdout.startswith("0 reparsed into 0 events, 0 deliveries planned, 1 still")


def test_reparse_of_named_ids_reports_those_that_are_not_unparsed(
    site: Path, tmp_path: Path, hookyard_host: HostFactory
) -> None:
    config = _config(f"sqlite:///{tmp_path / 'h.db'}")
    path = tmp_path / "hookyard.yaml"
    path.write_text(config)
    answers = _receive(hookyard_host, config)
    _install(site, FIXED)

    result = cli("events", "reparse", "--config", str(path), answers[0]["unparsed"], "c1", "nope")
    assert result.exit_code == 1
    assert result.stdout == "1 reparsed into 2 events, 2 deliveries planned, 0 still unparsed\n"
    assert result.stderr == "c1: not an unparsed payload\nnope: not an unparsed payload\n"
    # The payloads not named are left as they were.
    left = {r["id"] for r in _listed(path, "--status", "unparsed")}
    assert left == {answers[2]["unparsed"], answers[3]["unparsed"]}

    named = cli("events", "reparse", "--config", str(path), "--json", answers[2]["unparsed"])
    assert named.exit_code == 0, named.output
    assert json.loads(named.stdout) == {
        "id": answers[2]["unparsed"],
        "source": "chats",
        "result": "reparsed",
        "events": 1,
        "duplicates": 1,
        "deliveries": 1,
        "error": None,
    }


def test_a_payload_whose_source_left_the_config_is_reported_and_kept(
    site: Path, tmp_path: Path, hookyard_host: HostFactory
) -> None:
    database = f"sqlite:///{tmp_path / 'h.db'}"
    answers = _receive(hookyard_host, _config(database))
    path = tmp_path / "renamed.yaml"
    path.write_text(_config(database, source="chats-eu"))
    _install(site, FIXED)

    result = cli("events", "reparse", "--config", str(path))
    assert result.exit_code == 1
    assert result.stdout == "0 reparsed into 0 events, 0 deliveries planned, 3 still unparsed\n"
    assert f"{answers[0]['unparsed']} (source chats) still unparsed: source 'chats' is not" in (
        result.stderr
    )
    # The parser's own error is kept: the payload was never parsed again.
    errors = {r["error"].splitlines()[0] for r in _listed(path, "--status", "unparsed")}
    assert errors == {"KeyError: 'customer'", "ValueError: this payload is broken for good"}

    only = cli("events", "reparse", "--config", str(path), "--source", "chats-eu")
    assert (only.exit_code, only.stdout) == (0, "no unparsed payloads of source 'chats-eu'\n")


def test_list_filters_by_source_and_limit(
    site: Path, tmp_path: Path, hookyard_host: HostFactory
) -> None:
    config = _config(f"sqlite:///{tmp_path / 'h.db'}")
    path = tmp_path / "hookyard.yaml"
    path.write_text(config)
    assert cli("events", "list", "--config", str(path)).stdout == "no events\n"
    _receive(hookyard_host, config)

    newest = _listed(path, "--limit", "2")
    assert [r["status"] for r in newest] == ["unparsed", "unparsed"]
    [stored] = _listed(path, "--status", "stored")
    assert {k: stored[k] for k in ("id", "source", "vendor", "type", "error")} == {
        "id": "c1",
        "source": "chats",
        "vendor": "buggy",
        "type": "chat.message",
        "error": None,
    }
    assert _listed(path, "--source", "other") == []
    empty = cli("events", "list", "--config", str(path), "--source", "other", "--status", "stored")
    assert empty.stdout == "no stored events of source 'other'\n"
