"""A real hookyard host for plugin tests: a config dict, in-process plugins, a SQLite file.

No entry point, no subprocess, no HTTP server: the host is built exactly as ``hookyard
serve`` builds it (plugin manager, the one converter and its plugin hooks, config loading,
routes), and webhooks enter intake directly. Use it through the ``hookyard_host`` fixture::

    async def test_my_sink(hookyard_host):
        async with hookyard_host(CONFIG, plugins={"memo": MemoPlugin()}) as host:
            await host.post("chats", body, headers)
            [delivery] = await host.deliver()
            assert delivery.status == "delivered"
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs
import yaml
from attrs import evolve, frozen

from hookyard import Seconds
from hookyard._json import dumpb
from hookyard.host import Host, Setup, setup_from_text
from hookyard.intake import Caller, credentials

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Mapping
    from contextlib import AbstractAsyncContextManager
    from pathlib import Path

__all__ = [
    "Answered",
    "Attempt",
    "Delivery",
    "HostFactory",
    "TestHost",
    "load_config",
    "open_host",
]

#: Seconds between the test host's workers' looks for due deliveries.
POLL_INTERVAL = 0.02


@frozen
class Answered:
    """What hookyard answered a webhook: the HTTP status and the JSON body."""

    status: int
    body: dict[str, Any]


@frozen
class Attempt:
    """One attempt at a delivery, as the store keeps it."""

    number: int
    outcome: str
    status_code: int | None
    error: str | None


@frozen
class Delivery:
    """One delivery and where it stands: ``pending``, ``delivering``, ``delivered``, ``dead``."""

    id: int
    status: str
    route: str
    sink: str
    action: str
    attempts: int
    last_error: str | None
    last_status_code: int | None
    last_response: str | None
    delivered_at: datetime | None


def load_config(
    config: Mapping[str, Any] | str,
    folder: Path,
    plugins: Mapping[str, object] | None = None,
    disabled: Iterable[str] | None = None,
) -> Setup:
    """Load ``config`` as ``hookyard check`` would, with ``plugins`` registered in-process.

    Relative paths resolve against ``folder``; the default database is a SQLite file there.
    Raises the same errors ``check`` reports (``ConfigError`` with ``.problems``).
    """
    text = config if isinstance(config, str) else yaml.safe_dump(dict(config), sort_keys=False)
    return setup_from_text(text, folder / "hookyard.yaml", disabled=disabled, plugins=plugins)


class TestHost:
    """A started host: intake runs; workers run during :meth:`deliver`."""

    __test__ = False  # not a pytest test class

    def __init__(self, setup: Setup) -> None:
        # Workers look for due retries every 20 ms, so retry schedules run at test speed.
        workers = evolve(setup.config.workers, poll_interval=Seconds(POLL_INTERVAL))
        setup = evolve(setup, config=evolve(setup.config, workers=workers))
        self.host = Host(setup)
        self.config = setup.config
        self.registry = setup.registry

    async def post(
        self,
        source: str,
        body: bytes | Mapping[str, Any],
        headers: Mapping[str, str] = {},
        *,
        query: str = "",
        peer: str | None = "127.0.0.1",
    ) -> Answered:
        """Hand one webhook to intake, as the HTTP edge would (header names lower-cased).

        :param query: the URL's query string without ``?`` (``token=…`` for a source's token).
        :param peer: the address the request comes from, as the server's socket sees it.
        """
        data = body if isinstance(body, bytes) else dumpb(body)
        lowered = {name.lower(): value for name, value in headers.items()}
        answer = await self.host.intake.receive(source, lowered, data, Caller(peer, query))
        return Answered(answer.status, dict(answer.body))

    async def simulate(self, source: str, action: str) -> Answered:
        """Post the vendor's own sample of ``action`` (what ``hookyard simulate`` sends)."""
        configured = self.config.sources[source]
        spec = self.registry.vendors[configured.vendor]
        if spec.simulate is None:
            raise ValueError(f"vendor {spec.name!r} cannot simulate")
        sample = spec.simulate(configured.options, action)
        query, headers = credentials(configured.access)
        return await self.post(source, sample.body, {**sample.headers, **headers}, query=query)

    async def deliveries(self) -> list[Delivery]:
        """Every delivery, oldest first."""
        records = await self.host.store.deliveries.list(limit=1_000_000)
        return [_delivery(record) for record in reversed(records)]

    async def attempts(self, delivery_id: int) -> list[Attempt]:
        """Every attempt of one delivery, in order."""
        rows = await self.host.store.deliveries.attempts_of(delivery_id)
        return [Attempt(r["number"], r["outcome"], r["status_code"], r["error"]) for r in rows]

    async def deliver(self, timeout: float = 10.0, *, real_time: bool = False) -> list[Delivery]:
        """Run the workers until no delivery is pending or delivering, then stop them.

        The real worker and status policy run; only waiting is skipped: whenever nothing is
        being delivered and nothing is due, the host's clock jumps to when the last wait
        ends (a retry's backoff, a sink paused by ``Retry-After``, a breaker's cooldown), so
        a schedule of minutes runs in milliseconds. ``real_time=True`` waits instead.
        Raises ``TimeoutError`` after ``timeout`` seconds.
        """
        await self._start_workers()
        try:
            async with asyncio.timeout(timeout):
                while not await self._settled():
                    await asyncio.sleep(POLL_INTERVAL)
                    if not real_time:
                        await self._skip_waiting()
        finally:
            await self._stop_workers()
        return await self.deliveries()

    async def advance(self, seconds: float) -> None:
        """Let ``seconds`` pass for everything that waits: due times, pauses, cooldowns."""
        await self.host.store.waiting.bring_forward(seconds)

    async def _skip_waiting(self) -> None:
        counts = await self.host.store.deliveries.counts()
        if counts["delivering"]:
            return
        wait = await self.host.store.waiting.longest_wait()
        if wait:
            await self.advance(wait)

    async def _settled(self) -> bool:
        counts = await self.host.store.deliveries.counts()
        return counts["pending"] == 0 and counts["delivering"] == 0

    async def _start_workers(self) -> None:
        from hookyard.delivery import Worker

        host = self.host
        host.worker = Worker(host.config, host.registry, host.router, host.store, host.metrics)
        host.worker.start()

    async def _stop_workers(self) -> None:
        if self.host.worker is not None:
            await self.host.worker.stop()
            self.host.worker = None


@contextlib.asynccontextmanager
async def open_host(
    config: Mapping[str, Any] | str,
    folder: Path,
    plugins: Mapping[str, object] | None = None,
    disabled: Iterable[str] | None = None,
) -> AsyncIterator[TestHost]:
    """A :class:`TestHost` for ``config``, started, and stopped when the block ends."""
    test_host = TestHost(load_config(config, folder, plugins, disabled))
    await test_host.host.start(intake=True, workers=False)
    try:
        yield test_host
    finally:
        await test_host.host.stop()


def _delivery(record: Any) -> Delivery:
    """The public view of one of the store's delivery records."""
    return Delivery(**{field.name: getattr(record, field.name) for field in attrs.fields(Delivery)})


class HostFactory:
    """``hookyard_host(config, plugins={...})``: an async context manager of a TestHost."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __call__(
        self,
        config: Mapping[str, Any] | str,
        plugins: Mapping[str, object] | None = None,
        disabled: Iterable[str] | None = None,
    ) -> AbstractAsyncContextManager[TestHost]:
        return open_host(config, self.folder, plugins, disabled)
