"""pytest fixtures for hookyard plugin authors (loaded through the ``pytest11`` entry point)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from hookyard.testing.host import open_host
from hookyard.testing.recorder import RecordingServer

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping
    from contextlib import AbstractAsyncContextManager
    from pathlib import Path

    from hookyard.testing.host import TestHost

__all__ = ["HostFactory", "hookyard_host", "recording_server"]


@pytest.fixture
def recording_server() -> Iterator[RecordingServer]:
    """A :class:`~hookyard.testing.RecordingServer` on 127.0.0.1, stopped after the test."""
    with RecordingServer() as server:
        yield server


class HostFactory:
    """``hookyard_host(config, plugins={...})``: an async context manager of a TestHost."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(
        self,
        config: Mapping[str, Any] | str,
        plugins: Mapping[str, object] | None = None,
        disabled: Iterable[str] | None = None,
    ) -> AbstractAsyncContextManager[TestHost]:
        return open_host(config, self.folder, plugins, disabled)


@pytest.fixture
def hookyard_host(tmp_path: Path) -> HostFactory:
    """Builds a started :class:`~hookyard.testing.TestHost` from a config and plugin objects.

    The database is a SQLite file in the test's ``tmp_path``; relative paths in the config
    resolve there too.
    """
    return HostFactory(tmp_path)
