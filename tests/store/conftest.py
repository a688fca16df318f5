"""Fixtures of the store tests: a reader on a connection of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from ._support import BlockingReader

if TYPE_CHECKING:
    from collections.abc import Iterator

    from hookyard.store import Store


@pytest.fixture
def reader(database_url: str, store: Store) -> Iterator[BlockingReader]:
    """Committed rows as another process would see them (the store is migrated first)."""
    opened = BlockingReader(database_url)
    yield opened
    opened.close()
