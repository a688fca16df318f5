"""Fixtures for the Comm100 plugin tests (uniquely named, the workspace shares them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from comm100_support import Body, request_for

from hookyard_comm100 import Comm100Config, parse

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard import Event


@pytest.fixture
def comm100_parse_one() -> Callable[[Body | bytes], Event]:
    """Parse a body and return its only event."""

    def run(body: Body | bytes) -> Event:
        events = parse(Comm100Config(), request_for(body))
        assert len(events) == 1
        return events[0]

    return run
