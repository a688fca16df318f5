"""Loading what a configuration file describes, without touching the database."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard.config import Config, load_config
from hookyard.convert import make_converter
from hookyard.plugins import Registry, collect_registry, configure_converter, get_plugin_manager
from hookyard.routing import Router, compile_routes

if TYPE_CHECKING:
    from collections.abc import Iterable
    from pathlib import Path

__all__ = ["Setup", "load_setup"]


@frozen
class Setup:
    """Plugins, converter, configuration and compiled routes: everything validated."""

    pm: Any
    registry: Registry
    converter: Any
    config: Config
    router: Router


def load_setup(path: str | Path, disabled: Iterable[str] | None = None) -> Setup:
    """Load plugins and the configuration file at ``path`` and compile its routes.

    Raises :class:`~hookyard.config.ConfigError` or :class:`~hookyard.plugins.PluginError`
    with messages for the user.
    """
    pm = get_plugin_manager(disabled)
    registry = collect_registry(pm)
    converter = make_converter()
    configure_converter(pm, converter)
    config = load_config(path, converter, registry)
    return Setup(pm, registry, converter, config, compile_routes(config, registry))
