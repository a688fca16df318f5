"""Large bodies are parsed off the event loop, so they do not stall every other answer."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard import Event, VendorSpec, WebhookRequest, hookimpl
from hookyard.intake.receive import THREAD_BODY_BYTES

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard.testing import HostFactory


@frozen
class _Options:
    pass


class LoopSpy:
    """A vendor plugin noting, for each body, whether it was parsed on the event loop."""

    def __init__(self) -> None:
        self.on_loop: dict[int, bool] = {}

    @hookimpl
    def hookyard_register_vendors(self, register: Callable[[VendorSpec], None]) -> None:
        register(VendorSpec("spy", _Options, lambda *_: None, self.parse))

    def parse(self, _options: _Options, request: WebhookRequest) -> list[Event]:
        self.on_loop[len(request.body)] = _on_event_loop()
        body = request.json()
        at = request.received_at
        return [Event(str(body["id"]), request.source, "spy", "unknown", "x", at, at)]


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _body(event_id: str, size: int) -> bytes:
    empty = json.dumps({"id": event_id, "pad": ""}).encode()
    return json.dumps({"id": event_id, "pad": "x" * (size - len(empty))}).encode()


async def test_only_large_bodies_leave_the_event_loop(hookyard_host: HostFactory) -> None:
    spy = LoopSpy()
    config: dict[str, Any] = {"sources": {"s": {"vendor": "spy", "auth": "none"}}}
    small, large = _body("small", THREAD_BODY_BYTES), _body("large", THREAD_BODY_BYTES + 1)
    async with hookyard_host(config, plugins={"spy": spy}) as host:
        answers = [await host.post("s", body) for body in (small, large)]
    assert [a.body for a in answers] == [{"stored": 1, "duplicates": 0}] * 2
    assert spy.on_loop == {len(small): True, len(large): False}
