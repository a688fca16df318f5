"""pytest fixtures for hookyard plugin authors (loaded through the ``pytest11`` entry point)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from hookyard.testing.recorder import RecordingServer

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["recording_server"]


@pytest.fixture
def recording_server() -> Iterator[RecordingServer]:
    """A :class:`~hookyard.testing.RecordingServer` on 127.0.0.1, stopped after the test."""
    with RecordingServer() as server:
        yield server
