"""Fixtures for the SuperOffice plugin tests (uniquely named, the workspace shares them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from superoffice_support import SECRET, Body, request_for

from hookyard_superoffice import SuperOfficeConfig, parse

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard import Event, WebhookRequest


@pytest.fixture
def superoffice_config() -> SuperOfficeConfig:
    return SuperOfficeConfig(secret=SECRET)


@pytest.fixture
def superoffice_parse_one(
    superoffice_config: SuperOfficeConfig,
) -> Callable[[Body | bytes | WebhookRequest], Event]:
    """Parse a body (or a whole request) and return its only event."""

    def run(body: Body | bytes | WebhookRequest) -> Event:
        request = body if not isinstance(body, dict | bytes) else request_for(body)
        events = parse(superoffice_config, request)
        assert len(events) == 1
        return events[0]

    return run
