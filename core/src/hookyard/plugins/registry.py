"""What the plugins register: vendors and sinks by name, and who registered each."""

from __future__ import annotations

import importlib.metadata
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import field, frozen

from hookyard.plugins.manager import DISABLE_ENV, PluginError
from hookyard.sinks import SinkSpec
from hookyard.vendors import VendorSpec

if TYPE_CHECKING:
    import cattrs
    import pluggy

__all__ = ["PluginInfo", "Registry", "collect_registry", "configure_converter", "list_plugins"]

SpecT = TypeVar("SpecT", VendorSpec, SinkSpec)
_HOOKS = {"vendor": "hookyard_register_vendors", "sink": "hookyard_register_sinks"}


@frozen
class Registry:
    """Every vendor and sink the loaded plugins registered, by name."""

    vendors: dict[str, VendorSpec]
    sinks: dict[str, SinkSpec]
    #: ``"vendor:NAME"`` / ``"sink:NAME"`` -> the plugin that registered it.
    owners: dict[str, str]


def _collect(
    pm: pluggy.PluginManager, kind: str, spec_type: type[SpecT], owners: dict[str, str]
) -> dict[str, SpecT]:
    """Call the registration hook plugin by plugin, through pluggy, to know who registered what.

    Each call is a subset of the hook caller holding one registering plugin (and every
    wrapper), so pluggy's wrappers and tracing (``HOOKYARD_TRACE_PLUGINS``) see it like any
    ``pm.hook`` call.
    """
    hook_name = _HOOKS[kind]
    caller: pluggy.HookCaller = getattr(pm.hook, hook_name)
    impls = reversed(caller.get_hookimpls())
    plugins = [impl.plugin for impl in impls if not (impl.wrapper or impl.hookwrapper)]
    found: dict[str, SpecT] = {}
    for plugin in plugins:
        plugin_name: str = pm.get_name(plugin) or repr(plugin)

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

        others = [p for p in plugins if p is not plugin]
        pm.subset_hook_caller(hook_name, remove_plugins=others)(register=register)
    return found


def collect_registry(pm: pluggy.PluginManager) -> Registry:
    """Ask every plugin for its vendors and sinks; refuse duplicate names."""
    owners: dict[str, str] = {}
    vendors = _collect(pm, "vendor", VendorSpec, owners)
    sinks = _collect(pm, "sink", SinkSpec, owners)
    return Registry(vendors=vendors, sinks=sinks, owners=owners)


def configure_converter(pm: pluggy.PluginManager, converter: cattrs.Converter) -> None:
    """Let every plugin add its structure hooks (``hookyard_configure_converter``)."""
    pm.hook.hookyard_configure_converter(converter=converter)


@frozen
class PluginInfo:
    """One loaded plugin as ``hookyard plugins`` shows it."""

    name: str
    distribution: str
    version: str
    hooks: tuple[str, ...]
    vendors: tuple[str, ...] = field(default=())
    sinks: tuple[str, ...] = field(default=())


def list_plugins(pm: pluggy.PluginManager, registry: Registry | None = None) -> list[PluginInfo]:
    """Name, distribution, version, hooks and registered names of every plugin not blocked."""
    registry = registry or collect_registry(pm)
    dists: dict[int, Any] = {id(plugin): dist for plugin, dist in pm.list_plugin_distinfo()}
    core_version = importlib.metadata.version("hookyard")
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:  # blocked
            continue
        dist = dists.get(id(plugin))
        hooks = tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or ()))
        infos.append(
            PluginInfo(
                name=name,
                distribution=dist.project_name if dist else "hookyard",
                version=dist.version if dist else core_version,
                hooks=hooks,
                vendors=_registered(registry, "vendor", name),
                sinks=_registered(registry, "sink", name),
            )
        )
    return sorted(infos, key=lambda info: info.name)


def _registered(registry: Registry, kind: str, plugin: str) -> tuple[str, ...]:
    prefix = f"{kind}:"
    return tuple(
        sorted(
            k[len(prefix) :]
            for k, v in registry.owners.items()
            if k.startswith(prefix) and v == plugin
        )
    )
