"""Through a real host (``hookyard.testing``): 401 stores nothing, retries are duplicates."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from deskdirector_support import SECRET, STATUSES, raw, signed

if TYPE_CHECKING:
    from hookyard.testing import HostFactory

CONFIG = {"sources": {"dd": {"vendor": "deskdirector", "secret": SECRET}}}
BODY = raw("multiple_sessions")


async def test_bad_signatures_store_nothing(hookyard_host: HostFactory) -> None:
    async with hookyard_host(CONFIG) as host:
        missing = await host.post("dd", BODY, {"content-type": "application/json"})
        wrong = await host.post("dd", BODY, signed(BODY, secret="not-the-secret"))
        assert (missing.status, wrong.status) == (401, 401)
        answered = await host.post("dd", BODY, signed(BODY))
        assert (answered.status, answered.body) == (200, {"stored": 3, "duplicates": 0})


async def test_the_same_body_again_is_duplicates(hookyard_host: HostFactory) -> None:
    async with hookyard_host(CONFIG) as host:
        first = await host.post("dd", BODY, signed(BODY, encoding="base64"))
        again = await host.post("dd", BODY, signed(BODY))
    assert first.body == {"stored": 3, "duplicates": 0}
    assert (again.status, again.body) == (200, {"stored": 0, "duplicates": 3})


async def test_not_deskdirector_shape_is_400(hookyard_host: HostFactory) -> None:
    body = b'{"id": "1530162945-9852", "status": "created"}'
    async with hookyard_host(CONFIG) as host:
        answered = await host.post("dd", body, signed(body))
    assert answered.status == 400


@pytest.mark.parametrize("action", STATUSES)
async def test_simulated_deliveries_are_stored(hookyard_host: HostFactory, action: str) -> None:
    async with hookyard_host(CONFIG) as host:
        answered = await host.simulate("dd", action)
    assert (answered.status, answered.body) == (200, {"stored": 1, "duplicates": 0})
