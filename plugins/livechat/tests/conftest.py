"""Fixtures for the LiveChat plugin tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from livechat_support import SECRET, Body, request_for

from hookyard_livechat import LiveChatConfig, parse

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard import Event


@pytest.fixture
def config() -> LiveChatConfig:
    return LiveChatConfig(secret=SECRET)


@pytest.fixture
def parse_one(config: LiveChatConfig) -> Callable[[Body | bytes], Event]:
    """Parse a body and return its only event."""

    def run(body: Body | bytes) -> Event:
        events = parse(config, request_for(body))
        assert len(events) == 1
        return events[0]

    return run
