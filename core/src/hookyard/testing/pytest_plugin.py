"""pytest fixtures for hookyard plugin authors (loaded through the ``pytest11`` entry point)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from hookyard.testing.host import HostFactory
from hookyard.testing.recorder import RecordingServer

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

__all__ = ["hookyard_host", "recording_server"]


@pytest.fixture
def recording_server() -> Iterator[RecordingServer]:
    """A :class:`~hookyard.testing.RecordingServer` on 127.0.0.1, stopped after the test."""
    with RecordingServer() as server:
        yield server


@pytest.fixture
def hookyard_host(tmp_path: Path) -> HostFactory:
    """Builds a started :class:`~hookyard.testing.TestHost` from a config and plugin objects.

    The database is a SQLite file in the test's ``tmp_path``; relative paths in the config
    resolve there too.
    """
    return HostFactory(tmp_path)
