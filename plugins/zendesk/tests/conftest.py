"""Fixtures for the Zendesk sink tests: the contract server and a sink pointed at it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from zendesk_support import EMAIL, TOKEN

from hookyard import Seconds
from hookyard.testing import ZendeskApi
from hookyard_zendesk import ZendeskConfig, ZendeskSink

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator


@pytest.fixture
def zendesk() -> Iterator[ZendeskApi]:
    with ZendeskApi(email=EMAIL, token=TOKEN) as server:
        yield server


@pytest.fixture
async def sink(zendesk: ZendeskApi) -> AsyncIterator[ZendeskSink]:
    """A sink whose attempts time out after 1.5 s (for the slow answers: 5 s), with room
    for a loaded machine's loopback."""
    opened = ZendeskSink(
        ZendeskConfig(url=zendesk.url, email=EMAIL, token=TOKEN, timeout=Seconds(1.5))
    )
    yield opened
    await opened.aclose()
