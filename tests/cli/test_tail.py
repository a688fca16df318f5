"""``hookyard tail``: webhooks received and delivery outcomes, as lines a person reads or
JSON, filtered by source or sink."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from click.testing import CliRunner

from hookyard.cli import main
from hookyard.testing import RecordingServer, Reply, open_host

if TYPE_CHECKING:
    from pathlib import Path


def _config(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "hookyard.yaml"
    config = {
        "database": f"sqlite:///{tmp_path / 'hookyard.db'}",
        "sources": {"site": {"vendor": "generic", "auth": "none"}},
        "sinks": {"ops": {"plugin": "http", "url": url, "retry": {"initial_delay": "10ms"}}},
        "routes": [{"name": "all to ops", "to": "ops"}],
    }
    path.write_text(json.dumps(config))
    return path


def _traffic(path: Path, config: dict[str, Any]) -> None:
    async def run() -> None:
        async with open_host(config, path.parent) as host:
            for n in range(2):
                answer = await host.post("site", {"id": f"e{n}", "type": "chat.started"})
                assert answer.status == 200
            await host.deliver()

    asyncio.run(run())


def test_tail_shows_what_arrived_and_each_attempt(tmp_path: Path) -> None:
    with RecordingServer() as server:
        server.script(Reply(503, b"busy"))
        path = _config(tmp_path, server.url)
        _traffic(path, json.loads(path.read_text()))

    runner = CliRunner()
    lines = runner.invoke(main, ["tail", "--config", str(path), "--since", "5", "--count", "5"])
    assert lines.exit_code == 0, lines.output
    shown = [" ".join(line.split()[2:]) for line in lines.output.splitlines()]
    assert shown[:2] == [
        "received site chat.started e0 (1 delivery)",
        "received site chat.started e1 (1 delivery)",
    ]
    attempts = sorted(shown[2:])
    assert attempts[0].startswith("delivered ops/post delivery")
    assert any(a.startswith("retrying ops/post") and "HTTP 503" in a for a in attempts)

    as_json = runner.invoke(
        main,
        ["tail", "--config", str(path), "--since", "5", "--count", "3", "--json", "--sink", "ops"],
    )
    records = [json.loads(line) for line in as_json.output.splitlines()]
    assert {r["kind"] for r in records} == {"attempt"}
    assert sorted(r["outcome"] for r in records) == ["delivered", "delivered", "retry"]


def test_tail_by_source_shows_only_that_sources_attempts(tmp_path: Path) -> None:
    with RecordingServer() as server:
        path = _config(tmp_path, server.url)
        config = json.loads(path.read_text())
        config["sources"]["other"] = {"vendor": "generic", "auth": "none"}
        path.write_text(json.dumps(config))

        async def run() -> None:
            async with open_host(config, path.parent) as host:
                for source in ("other", "site", "other"):
                    event = {"id": f"{source}-{len(server.requests)}", "type": "chat.started"}
                    assert (await host.post(source, event)).status == 200
                    await host.deliver()

        asyncio.run(run())
    args = ["tail", "--config", str(path), "--since", "5", "--source", "site", "--json"]
    shown = CliRunner().invoke(main, [*args, "--count", "2"])
    records = [json.loads(line) for line in shown.output.splitlines()]
    assert [r["kind"] for r in records] == ["received", "attempt"]
    assert {r["source"] for r in records} == {"site"}
