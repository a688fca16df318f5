"""Workers facing a locked database: one line a poll, no traceback, nothing lost."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from typing import TYPE_CHECKING

import pytest

from delivery._support import arrived, send_chat

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from delivery.conftest import StartHost
    from hookyard.testing import RecordingServer


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: another process's lock on the file is what this is about."""
    return f"sqlite:///{tmp_path / 'hookyard.db'}"


class FileLock:
    """``BEGIN EXCLUSIVE`` on the database file from another connection, as another process."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._release = threading.Event()
        self._held = threading.Event()
        self._thread = threading.Thread(target=self._hold, daemon=True)

    def _hold(self) -> None:
        connection = sqlite3.connect(self.path, isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        self._held.set()
        self._release.wait(60)
        connection.execute("ROLLBACK")
        connection.close()

    def __enter__(self) -> FileLock:
        self._thread.start()
        assert self._held.wait(5)
        return self

    def __exit__(self, *_exc: object) -> None:
        self._release.set()
        self._thread.join(5)


@pytest.fixture
def locked(database_url: str) -> Iterator[FileLock]:
    yield FileLock(database_url.removeprefix("sqlite:///"))


async def test_a_locked_database_is_one_warning_a_poll_and_the_delivery_follows(
    start_host: StartHost,
    recording_server: RecordingServer,
    locked: FileLock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    host = await start_host(workers={"poll_interval": "0.1s"})
    assert host.worker is not None
    await host.worker.stop()  # no claims while the chat is stored
    host.worker = None
    await send_chat(host)
    with caplog.at_level("WARNING", logger="hookyard.worker"), locked:
        await host.start(intake=False, workers=True)  # migrations ran already: no lock needed
        await asyncio.sleep(6.5)  # longer than one busy timeout
    warnings = [r for r in caplog.records if r.name == "hookyard.worker"]
    assert warnings, "the failed claims were not logged"
    assert all(r.exc_info is None for r in warnings)
    assert all("claiming deliveries failed (database" in r.getMessage() for r in warnings)
    [got] = await arrived(recording_server, 1)
    assert got.path == "/in"
