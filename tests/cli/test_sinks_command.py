"""``hookyard sinks`` and ``sinks resume``: a sink paused by a real 429, shown, resumed."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from click.testing import CliRunner

from hookyard.cli import main
from hookyard.delivery import Worker
from hookyard.testing import RecordingServer, Reply

if TYPE_CHECKING:
    from pathlib import Path

    from hookyard.testing import HostFactory, TestHost

#: The delivery itself may be retried at once; only the sink's pause holds it.
RETRY = {"initial_delay": "0.05s", "max_delay": "0.1s", "jitter": 0}


def _config(database_url: str, slack: str, ops: str) -> dict[str, Any]:
    return {
        "database": database_url,
        "sources": {"lc": {"vendor": "livechat", "secret": "s3cret-for-tests"}},
        "sinks": {
            "slack": {"plugin": "http", "url": slack, "retry": RETRY, "rate_limit": "1/s"},
            "ops": {"plugin": "http", "url": ops, "breaker": {"failures": 3}},
        },
        "routes": [
            {"name": "to slack", "match": {"type": "chat.started"}, "to": "slack"},
            {"name": "to ops", "match": {"type": "chat.started"}, "to": "ops"},
        ],
    }


def _run_workers(
    hookyard_host: HostFactory, config: dict[str, Any], until: Any, chats: int
) -> None:
    """Post ``chats`` new chats, run the workers until ``until(host)`` holds, stop."""

    async def run() -> None:
        async with hookyard_host(config) as host:
            for _ in range(chats):
                assert (await host.simulate("lc", "incoming_chat")).status == 200
            worker = Worker(host.host.config, host.registry, host.host.router, host.host.store)
            worker.start()
            try:
                async with asyncio.timeout(10):
                    while not await until(host):
                        await asyncio.sleep(0.05)
            finally:
                await worker.stop()

    asyncio.run(run())


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_a_paused_sink_is_listed_and_resumed(
    database_url: str, hookyard_host: HostFactory, tmp_path: Path
) -> None:
    with RecordingServer() as slack, RecordingServer() as ops:
        slack.script(Reply(429, b'{"ok": false}', {"Retry-After": "600"}))
        config = _config(database_url, slack.url, ops.url)
        path = tmp_path / "hookyard.yaml"
        path.write_text(json.dumps(config))

        async def refused_and_ops_done(host: TestHost) -> bool:
            ds = await host.deliveries()
            return (
                len(slack.requests) == 1
                and all(d.status == "delivered" for d in ds if d.sink == "ops")
                and any(d.attempts == 1 and d.status == "pending" for d in ds if d.sink == "slack")
            )

        before = datetime.now(UTC)
        _run_workers(hookyard_host, config, refused_and_ops_done, chats=2)

        code, table = _cli("sinks", "--config", str(path))
        code_json, lines = _cli("sinks", "--json", "--config", str(path))
        code_resume, resumed = _cli("sinks", "resume", "slack", "--config", str(path))
        code_again, again = _cli("sinks", "resume", "slack", "--config", str(path))
        code_after, after = _cli("sinks", "--config", str(path))

        async def slack_done(host: TestHost) -> bool:
            return all(d.status == "delivered" for d in await host.deliveries())

        _run_workers(hookyard_host, config, slack_done, chats=0)

    assert code == 0, table
    header, slack_row, ops_row = table.splitlines()
    assert header.split() == ["sink", "plugin", "state", "queued", "oldest", "due"]
    paused = re.fullmatch(r"slack +http +paused until (\S+ \S+) +2 +(\S+ \S+)", slack_row)
    assert paused, slack_row
    until = datetime.fromisoformat(paused[1]).replace(tzinfo=UTC)
    assert before + timedelta(seconds=590) < until < before + timedelta(seconds=610)
    assert re.fullmatch(r"ops +http +active +0 +-", ops_row), ops_row

    assert code_json == 0
    listed = {row["sink"]: row for row in map(json.loads, lines.splitlines())}
    assert listed["slack"]["state"] == "paused" and listed["slack"]["queued"] == 2
    assert listed["slack"]["reason"] == "HTTP 429 from 127.0.0.1 with Retry-After"
    assert listed["slack"]["oldest_due"].endswith("Z")
    assert (listed["ops"]["state"], listed["ops"]["plugin"]) == ("active", "http")

    assert code_resume == 0
    assert resumed == f"sink slack resumed (was paused until {paused[1]})\n"
    assert (code_again, again) == (0, "sink slack is active; nothing to resume\n")
    assert re.search(r"^slack +http +active +2 ", after, re.M), after
    assert len(slack.requests) == 3  # the refused one again, and the second chat's


def test_resume_of_an_unknown_sink_fails_in_one_line(database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "hookyard.yaml"
    path.write_text(
        json.dumps(_config(database_url, "http://127.0.0.1:9/a", "http://127.0.0.1:9/b"))
    )

    result = CliRunner().invoke(main, ["sinks", "resume", "slak", "--config", str(path)])

    assert result.exit_code == 1
    assert result.output == (f"hookyard: no sink named 'slak' in {path} (sinks: ops, slack)\n")
