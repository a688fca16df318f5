"""Internal: everything one hookyard process runs, assembled from a configuration.

:func:`load_setup` (plugins, converter, configuration, routes) touches no database and
imports no SQLAlchemy, so ``check`` and ``simulate`` stay quick; :class:`Host` adds the
store, intake and workers.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import cattrs
import pluggy
from attrs import frozen

from hookyard.config import Config, ConfigError, make_converter, read_config, structure_config
from hookyard.plugins import (
    Registry,
    collect_registry,
    configure_converter,
    get_plugin_manager,
    validate,
)
from hookyard.routing import Router, compile_routes

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from hookyard.delivery import Worker
    from hookyard.delivery.processes import WorkerProcesses
    from hookyard.delivery.retention import Purger

__all__ = ["Host", "Setup", "load_setup", "setup_from_text"]

log = logging.getLogger("hookyard")


@frozen
class Setup:
    """Plugins, converter, configuration and compiled routes: everything validated."""

    pm: pluggy.PluginManager
    registry: Registry
    converter: cattrs.Converter
    config: Config
    router: Router


def _plugins(
    disabled: Iterable[str] | None, plugins: Mapping[str, object] | None
) -> tuple[pluggy.PluginManager, Registry, cattrs.Converter]:
    pm = get_plugin_manager(disabled)
    for name, plugin in (plugins or {}).items():
        if pm.has_plugin(name):  # the installed plugin of that name gives way to this one
            pm.unregister(name=name)
        pm.register(plugin, name=name)
    validate(pm)
    registry = collect_registry(pm)
    converter = make_converter()
    configure_converter(pm, converter)
    return pm, registry, converter


def load_setup(
    path: str | Path,
    disabled: Iterable[str] | None = None,
    plugins: Mapping[str, object] | None = None,
) -> Setup:
    """Load plugins and the configuration file at ``path`` and compile its routes.

    :param plugins: in-process plugin objects to register beside the installed ones, by name;
        one named like an installed plugin replaces it.

    Raises :class:`~hookyard.config.ConfigError` or :class:`~hookyard.plugins.PluginError`
    with messages for the user.
    """
    file = Path(path)
    return setup_from_text(read_config(file), file.resolve(), disabled, plugins)


def setup_from_text(
    text: str,
    path: Path | None = None,
    disabled: Iterable[str] | None = None,
    plugins: Mapping[str, object] | None = None,
) -> Setup:
    """:func:`load_setup` for configuration text; relative paths resolve against ``path``.

    The problems of the file and those of its routes are raised together, in file order.
    """
    pm, registry, converter = _plugins(disabled, plugins)
    config, problems = structure_config(text, converter, registry, path)
    router = compile_routes(config, registry, problems, converter)
    if problems:
        raise ConfigError(problems.messages())
    return Setup(pm, registry, converter, config, router)


class Host:
    """Plugins, configuration, routes and store of one process.

    Nothing touches the database until :meth:`start`.
    """

    def __init__(self, setup: Setup) -> None:
        from hookyard.intake import Intake
        from hookyard.observability.metrics import Metrics
        from hookyard.store import Store

        self.setup = setup
        self.pm = setup.pm
        self.registry = setup.registry
        self.converter = setup.converter
        self.config = config = setup.config
        self.router = setup.router
        self.store = Store(config.database)
        self.worker: Worker | None = None
        #: ``hookyard serve``'s worker processes, if it runs its workers in children.
        self.worker_processes: WorkerProcesses | None = None
        self.purger: Purger | None = None
        #: What ``GET /metrics`` serves; intake and this host's workers count into it.
        self.metrics = Metrics()
        self.intake = Intake(
            config,
            self.registry,
            self.router,
            self.store,
            self.converter,
            self._stored,
            metrics=self.metrics,
        )

    @classmethod
    def from_file(cls, path: str | Path, disabled: Iterable[str] | None = None) -> Host:
        return cls(load_setup(path, disabled))

    def _stored(self) -> None:
        if self.worker is not None:
            self.worker.wake()
        if self.worker_processes is not None:
            self.worker_processes.wake()

    async def start(self, *, intake: bool = True, workers: bool = True) -> None:
        """Migrate the database, then start the intake writer and/or the workers."""
        from hookyard.delivery import Worker
        from hookyard.delivery.retention import Purger

        await self.store.migrate()
        if intake:
            self.store.intake.start()
        if workers:
            self.worker = Worker(self.config, self.registry, self.router, self.store, self.metrics)
            self.worker.start()
            if self.config.retention.configured:
                self.purger = Purger(self.config.retention, self.store)
                self.purger.start()
        if self.worker_processes is not None:
            await self.worker_processes.start()
        log.info("hookyard started (database %s)", self.store.display_url)

    async def apply(self, setup: Setup) -> None:
        """Run on ``setup`` from now on (a reload; its database and ``workers`` unchanged):
        the next webhooks are answered and the next attempts made with it. Raises
        :class:`~hookyard.config.ConfigError`, changing nothing, if a sink cannot be opened;
        returns once this process's attempts in flight finished with the old sinks."""
        retire = None
        if self.worker is not None:
            retire = await self.worker.reload(setup.config, setup.registry, setup.router)
        self.setup, self.pm, self.registry = setup, setup.pm, setup.registry
        self.converter, self.config, self.router = setup.converter, setup.config, setup.router
        self.intake = self.intake.reconfigured(
            setup.config, setup.registry, setup.router, setup.converter
        )
        if retire is not None:
            await retire

    async def stop(self) -> None:
        """Finish or release claimed deliveries, then close the database."""
        if self.purger is not None:
            await self.purger.stop()
            self.purger = None
        if self.worker is not None:
            await self.worker.stop()
            self.worker = None
        if self.worker_processes is not None:
            await self.worker_processes.stop()
        await self.store.close()
