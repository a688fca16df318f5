"""The ``replicas`` fixture: N ``hookyard serve`` processes on one fresh PostgreSQL database."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from replica_set import ReplicaSet

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def replicas(fresh_postgres: str, tmp_path: Path) -> Iterator[ReplicaSet]:
    """Call it to start replicas: ``first, second = replicas(2, config_text)``.

    The database is new and migrated (tests/conftest.py's ``fresh_postgres``: an unreachable
    PostgreSQL fails the test); every replica still running is stopped after the test.
    """
    started = ReplicaSet(fresh_postgres, tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
