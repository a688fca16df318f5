"""Fixtures of the delivery tests: real hosts built from YAML files, fed through intake."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from hookyard.host import Host

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable
    from pathlib import Path

    from hookyard.testing import RecordingServer

    StartHost = Callable[..., Awaitable[Host]]

#: Small delays so a whole retry schedule runs in a few seconds.
FAST_RETRY: dict[str, Any] = {
    "max_attempts": 4,
    "initial_delay": "0.2s",
    "multiplier": 2,
    "max_delay": "5s",
    "jitter": 0.2,
}


def write_config(
    path: Path,
    database_url: str,
    sink_url: str,
    *,
    timeout: float = 5.0,
    retry: dict[str, Any] | None = None,
    workers: dict[str, Any] | None = None,
) -> Path:
    """A hookyard.yaml (JSON is YAML) with a LiveChat source and an http sink."""
    config = {
        "database": database_url,
        "sources": {"lc": {"vendor": "livechat", "secret": "s3cret-for-tests"}},
        "sinks": {
            "rec": {
                "plugin": "http",
                "url": f"{sink_url}/in",
                "timeout": timeout,
                "retry": retry or FAST_RETRY,
            }
        },
        "routes": [{"name": "new chats", "match": {"type": "chat.started"}, "to": "rec"}],
        "workers": {"poll_interval": "0.1s", "lease": "2s", **(workers or {})},
    }
    path.write_text(json.dumps(config, indent=2))
    return path


@pytest.fixture
def config_path(tmp_path: Path) -> Path:
    return tmp_path / "hookyard.yaml"


@pytest.fixture
async def start_host(
    config_path: Path, database_url: str, recording_server: RecordingServer
) -> AsyncIterator[StartHost]:
    """``await start_host(**options)`` writes the config and starts a Host on it."""
    started: list[Host] = []

    async def start(*, intake: bool = True, **options: Any) -> Host:
        write_config(config_path, database_url, recording_server.url, **options)
        host = Host.from_file(config_path)
        await host.start(intake=intake)
        started.append(host)
        return host

    yield start
    for host in started:
        await host.stop()
