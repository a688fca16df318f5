"""Fixtures for the HubSpot sink tests: the contract server and an open sink."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from hubspot_support import TOKEN, open_sink

from hookyard.testing import HubSpotApi

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator

    from hookyard_hubspot import HubSpotSink


@pytest.fixture
def hubspot() -> Iterator[HubSpotApi]:
    with HubSpotApi(token=TOKEN) as api:
        yield api


@pytest.fixture
async def sink(hubspot: HubSpotApi) -> AsyncIterator[HubSpotSink]:
    opened = open_sink(hubspot)
    try:
        yield opened
    finally:
        await opened.aclose()
