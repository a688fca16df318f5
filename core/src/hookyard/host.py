"""Everything one hookyard process runs, assembled from a configuration file."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from hookyard.intake import Intake
from hookyard.setup import Setup, load_setup
from hookyard.store import Store
from hookyard.worker import Worker

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path


__all__ = ["Host"]

log = logging.getLogger("hookyard")


class Host:
    """Plugins, configuration, routes and store of one process.

    Building a Host validates everything (plugins, config, routes, templates) and raises
    :class:`~hookyard.config.ConfigError` or :class:`~hookyard.plugins.PluginError` with
    messages for the user. Nothing touches the database until :meth:`start`.
    """

    def __init__(self, setup: Setup) -> None:
        self.pm = setup.pm
        self.registry = setup.registry
        self.converter = setup.converter
        self.config = config = setup.config
        self.router = setup.router
        self.store = Store(config.database)
        self.worker: Worker | None = None
        self.intake = Intake(
            config, self.registry, self.router, self.store, self.converter, self._stored
        )

    @classmethod
    def from_file(cls, path: str | Path, disabled: Iterable[str] | None = None) -> Host:
        return cls(load_setup(path, disabled))

    def _stored(self) -> None:
        if self.worker is not None:
            self.worker.wake()

    async def start(self, *, intake: bool = True, workers: bool = True) -> None:
        """Migrate the database, then start the intake writer and/or the workers."""
        await self.store.migrate()
        if intake:
            self.store.intake.start()
        if workers:
            self.worker = Worker(self.config, self.registry, self.router, self.store)
            self.worker.start()
        log.info("hookyard started (database %s)", self.store.engine.url.render_as_string())

    async def stop(self) -> None:
        """Finish or release claimed deliveries, then close the database."""
        if self.worker is not None:
            await self.worker.stop()
            self.worker = None
        await self.store.close()
