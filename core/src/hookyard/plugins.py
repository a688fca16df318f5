"""Building the plugin manager and collecting what plugins register."""

from __future__ import annotations

import importlib.metadata
import os
from typing import TYPE_CHECKING, Any, TypeVar

import pluggy
from attrs import frozen

from hookyard import hookspecs
from hookyard.sinks import SinkSpec
from hookyard.vendors import VendorSpec

if TYPE_CHECKING:
    from collections.abc import Iterable

    import cattrs

__all__ = [
    "DEFAULT_PLUGINS",
    "PluginError",
    "PluginInfo",
    "Registry",
    "collect_registry",
    "configure_converter",
    "get_plugin_manager",
    "list_plugins",
    "validate",
]

ENTRY_POINT_GROUP = "hookyard"
DISABLE_ENV = "HOOKYARD_DISABLE_PLUGINS"

#: Plugins that ship inside the hookyard distribution, by plugin name.
DEFAULT_PLUGINS: dict[str, str] = {
    "generic": "hookyard.default_plugins.generic",
    "http": "hookyard.default_plugins.http",
    "file": "hookyard.default_plugins.file",
    "log": "hookyard.default_plugins.log",
}


class PluginError(Exception):
    """A plugin problem that stops start-up; the message is one line for the user."""


def _disabled_from_env() -> set[str]:
    return {name.strip() for name in os.environ.get(DISABLE_ENV, "").split(",") if name.strip()}


def get_plugin_manager(disabled: Iterable[str] | None = None) -> pluggy.PluginManager:
    """A plugin manager with hookyard's hook specs, the entry-point plugins and the defaults.

    :param disabled: plugin names to leave out; defaults to ``HOOKYARD_DISABLE_PLUGINS``
        (comma separated).
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in _disabled_from_env() if disabled is None else set(disabled):
        pm.set_blocked(name)
    try:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    except ValueError as exc:
        raise PluginError(f"two installed plugins share a name: {exc}") from None
    except Exception as exc:  # a plugin's import raised; say which plugin
        raise PluginError(_broken_entry_point(pm, exc)) from None
    for name, module_name in DEFAULT_PLUGINS.items():
        if pm.is_blocked(name) or pm.has_plugin(name):
            continue
        pm.register(importlib.import_module(module_name), name=name)
    validate(pm)
    return pm


def _broken_entry_point(pm: pluggy.PluginManager, error: Exception) -> str:
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if pm.is_blocked(entry_point.name):
            continue
        try:
            entry_point.load()
        except Exception as exc:
            dist = entry_point.dist.name if entry_point.dist else "an unknown distribution"
            return (
                f"plugin {entry_point.name!r} from {dist} cannot be loaded "
                f"({type(exc).__name__}: {exc}); fix or uninstall it, or block it with "
                f"{DISABLE_ENV}={entry_point.name}"
            )
    return f"loading plugins failed: {type(error).__name__}: {error}"


def validate(pm: pluggy.PluginManager) -> None:
    """Refuse plugins that implement a hook hookyard does not define.

    Called by :func:`get_plugin_manager`; call it again after registering plugins by hand.
    """
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        name = pm.get_name(exc.plugin) or repr(exc.plugin)
        known = ", ".join(sorted(n for n in dir(hookspecs) if n.startswith("hookyard_")))
        raise PluginError(
            f"plugin {name!r} implements a hook hookyard does not define: {exc} (hooks: {known})"
        ) from None


SpecT = TypeVar("SpecT", VendorSpec, SinkSpec)


@frozen
class Registry:
    """Every vendor and sink the installed plugins registered, by name."""

    vendors: dict[str, VendorSpec]
    sinks: dict[str, SinkSpec]
    owners: dict[str, str]


def _collect(
    hook: pluggy.HookCaller, kind: str, spec_type: type[SpecT], owners: dict[str, str]
) -> dict[str, SpecT]:
    found: dict[str, SpecT] = {}
    for impl in reversed(hook.get_hookimpls()):
        plugin_name: str = impl.plugin_name

        def register(spec: SpecT, _plugin: str = plugin_name) -> None:
            if not isinstance(spec, spec_type):
                raise PluginError(f"plugin {_plugin!r} registered {spec!r}, not a {kind} spec")
            owner = owners.get(f"{kind}:{spec.name}")
            if owner is not None:
                raise PluginError(
                    f"{kind} {spec.name!r} is registered by both plugin {owner!r} and plugin "
                    f"{_plugin!r}; uninstall one or block it with {DISABLE_ENV}={_plugin}"
                )
            owners[f"{kind}:{spec.name}"] = _plugin
            found[spec.name] = spec

        impl.function(**{arg: register for arg in impl.argnames if arg == "register"})
    return found


def collect_registry(pm: pluggy.PluginManager) -> Registry:
    """Ask every plugin for its vendors and sinks; refuse duplicate names."""
    owners: dict[str, str] = {}
    vendors = _collect(pm.hook.hookyard_register_vendors, "vendor", VendorSpec, owners)
    sinks = _collect(pm.hook.hookyard_register_sinks, "sink", SinkSpec, owners)
    return Registry(vendors=vendors, sinks=sinks, owners=owners)


def configure_converter(pm: pluggy.PluginManager, converter: cattrs.Converter) -> None:
    """Let every plugin add its structure hooks (``hookyard_configure_converter``)."""
    pm.hook.hookyard_configure_converter(converter=converter)


@frozen
class PluginInfo:
    name: str
    distribution: str
    version: str
    hooks: tuple[str, ...]


def list_plugins(pm: pluggy.PluginManager) -> list[PluginInfo]:
    """Name, distribution, version and implemented hooks of every plugin not blocked."""
    dists: dict[int, Any] = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    core_version = importlib.metadata.version("hookyard")
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:  # blocked (HOOKYARD_DISABLE_PLUGINS)
            continue
        dist = dists.get(id(plugin))
        hooks = tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or ()))
        infos.append(
            PluginInfo(
                name=name,
                distribution=dist.project_name if dist else "hookyard",
                version=dist.version if dist else core_version,
                hooks=hooks,
            )
        )
    return sorted(infos, key=lambda info: info.name)
