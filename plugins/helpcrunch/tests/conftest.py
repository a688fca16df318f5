"""Fixtures for the HelpCrunch plugin tests (uniquely named, the workspace shares them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from helpcrunch_support import SECRET, Body, request_for

from hookyard_helpcrunch import HelpCrunchConfig, parse

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard import Event


@pytest.fixture
def helpcrunch_config() -> HelpCrunchConfig:
    return HelpCrunchConfig(secret=SECRET)


@pytest.fixture
def helpcrunch_parse_one(helpcrunch_config: HelpCrunchConfig) -> Callable[[Body | bytes], Event]:
    """Parse a body and return its only event."""

    def run(body: Body | bytes) -> Event:
        events = parse(helpcrunch_config, request_for(body))
        assert len(events) == 1
        return events[0]

    return run
