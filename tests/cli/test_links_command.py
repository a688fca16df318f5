"""``hookyard links``: what each sink keeps per conversation, filtered by sink and chat."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from click.testing import CliRunner

from hookyard.cli import main
from hookyard.store import Store
from hookyard.store.intake import conversation_key
from hookyard.store.links import merge_links

if TYPE_CHECKING:
    from pathlib import Path


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "hookyard.yaml"
    config = {
        "database": f"sqlite:///{tmp_path / 'hookyard.db'}",
        "sources": {"site": {"vendor": "generic", "auth": "none"}},
        "sinks": {
            "slack": {"plugin": "http", "url": "http://127.0.0.1:9/slack"},
            "desk": {"plugin": "http", "url": "http://127.0.0.1:9/desk"},
        },
        "routes": [{"to": "slack"}, {"to": "desk"}],
    }
    path.write_text(json.dumps(config))
    return path


def _keep(tmp_path: Path, changes: list[tuple[str, str, dict[str, object]]]) -> None:
    async def run() -> None:
        store = Store(f"sqlite+aiosqlite:///{tmp_path / 'hookyard.db'}")
        await store.migrate()
        keyed = [
            (sink, str(conversation_key("site", chat, None)), link) for sink, chat, link in changes
        ]
        async with store.engine.begin() as connection:
            await merge_links(connection, keyed, datetime.now(UTC))
        await store.close()

    asyncio.run(run())


def test_links_lists_each_sinks_link_per_conversation(tmp_path: Path) -> None:
    config = _config(tmp_path)
    _keep(
        tmp_path,
        [
            ("slack", "chat-1", {"channel": "C1", "ts": "1700.1"}),
            ("desk", "chat-1", {"ticket_id": 7}),
            ("slack", "chat-2", {"channel": "C1", "ts": "1700.2"}),
        ],
    )
    runner = CliRunner()

    everything = runner.invoke(main, ["links", "--config", str(config)])
    assert everything.exit_code == 0, everything.output
    header, *rows = everything.output.strip().splitlines()
    assert header.split()[:2] == ["sink", "conversation"]
    assert len(rows) == 3

    chat = runner.invoke(main, ["links", "--config", str(config), "--chat", "chat-1", "--json"])
    assert chat.exit_code == 0, chat.output
    found = sorted((row["sink"], row["link"]) for row in map(json.loads, chat.output.splitlines()))
    assert found == [("desk", {"ticket_id": 7}), ("slack", {"channel": "C1", "ts": "1700.1"})]

    one = runner.invoke(main, ["links", "--config", str(config), "--sink", "desk"])
    assert [line.split()[0] for line in one.output.strip().splitlines()[1:]] == ["desk"]


def test_links_names_an_unknown_sink(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["links", "--config", str(_config(tmp_path)), "--sink", "crm"]
    )
    assert result.exit_code == 1
    assert "no sink named 'crm'" in result.output
    assert "desk, slack" in result.output


def test_links_says_when_there_are_none(tmp_path: Path) -> None:
    config = _config(tmp_path)
    _keep(tmp_path, [])
    result = CliRunner().invoke(main, ["links", "--config", str(config)])
    assert (result.exit_code, result.output.strip()) == (0, "no conversation links")


def test_a_senders_control_characters_never_reach_the_terminal(tmp_path: Path) -> None:
    config = _config(tmp_path)
    _keep(tmp_path, [("slack", "evil\n\x1b[31mred", {"ts": "1"})])
    result = CliRunner().invoke(main, ["links", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output
    header, row = result.output.strip().splitlines()
    assert "evil\\n\\x1b[31mred" in row


def test_links_takes_only_a_positive_limit(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["links", "--config", str(_config(tmp_path)), "--limit", "0"])
    assert result.exit_code == 2
    assert "--limit" in result.output
