"""A PostgreSQL server that never answers is an error within seconds, never a hang."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hookyard.store import Store, StoreUnavailable
from hookyard.store.engine import CONNECT_TIMEOUT

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A loopback port that accepts connections (the kernel's backlog) and never speaks."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


async def test_ping_of_a_silent_server_fails_within_the_connect_timeout(silent_server: int) -> None:
    store = Store(f"postgresql://postgres@127.0.0.1:{silent_server}/hookyard")
    started = time.monotonic()
    try:
        with pytest.raises(StoreUnavailable):
            await asyncio.wait_for(store.ping(), CONNECT_TIMEOUT + 10)
    finally:
        await store.engine.dispose()
    assert time.monotonic() - started < CONNECT_TIMEOUT + 3


def test_db_upgrade_against_a_silent_server_is_one_line(silent_server: int, tmp_path: Path) -> None:
    config = tmp_path / "hookyard.yaml"
    config.write_text(f"database: postgresql://postgres:hunter2@127.0.0.1:{silent_server}/h\n")
    hookyard = Path(sys.executable).parent / "hookyard"
    started = time.monotonic()
    done = subprocess.run(
        [str(hookyard), "db", "upgrade", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=CONNECT_TIMEOUT + 30,
    )
    assert time.monotonic() - started < CONNECT_TIMEOUT + 15
    assert done.returncode == 1
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(
        f"hookyard: cannot reach the database postgresql://postgres:***@127.0.0.1:{silent_server}/h"
    )
    assert "hunter2" not in done.stderr


@pytest.mark.parametrize("mode", ["disable", "prefer"])
async def test_a_libpq_sslmode_in_the_url_is_understood(fresh_postgres: str, mode: str) -> None:
    """``?sslmode=`` is how PostgreSQL URLs usually say it; asyncpg calls it ``ssl``."""
    store = Store(f"{fresh_postgres}?sslmode={mode}")
    try:
        await store.ping()
    finally:
        await store.engine.dispose()
