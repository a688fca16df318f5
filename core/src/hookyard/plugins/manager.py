"""Building the plugin manager: entry points, the built-in plugins, block and allow lists."""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
import os
from typing import TYPE_CHECKING

import pluggy

from hookyard import hookspecs

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "BUILTIN_PLUGINS",
    "DISABLE_ENV",
    "ENTRY_POINT_GROUP",
    "LOAD_ENV",
    "TRACE_ENV",
    "PluginError",
    "get_plugin_manager",
    "validate",
]

log = logging.getLogger("hookyard.plugins")

ENTRY_POINT_GROUP = "hookyard"
#: Comma-separated plugin names never to load.
DISABLE_ENV = "HOOKYARD_DISABLE_PLUGINS"
#: Comma-separated plugin names: when set, the only installed plugins loaded.
LOAD_ENV = "HOOKYARD_LOAD_PLUGINS"
#: ``1`` logs every hook call and its result.
TRACE_ENV = "HOOKYARD_TRACE_PLUGINS"

#: Plugins that ship inside the hookyard distribution, by plugin name: a module, or
#: ``module:Class`` for a plugin object made anew for each plugin manager. They are loaded
#: unless blocked; the allow list applies to installed plugins only.
BUILTIN_PLUGINS: dict[str, str] = {
    "generic": "hookyard.builtin.generic:GenericVendor",
    "http": "hookyard.builtin.http",
    "file": "hookyard.builtin.file",
    "log": "hookyard.builtin.log",
}


class PluginError(Exception):
    """A plugin problem that stops start-up; the message is one line for the user."""


def _names(variable: str) -> set[str] | None:
    value = os.environ.get(variable)
    if value is None:
        return None
    return {name.strip() for name in value.split(",") if name.strip()}


def get_plugin_manager(
    disabled: Iterable[str] | None = None, only: Iterable[str] | None = None
) -> pluggy.PluginManager:
    """A plugin manager with hookyard's hook specs, the installed plugins and the built-ins.

    :param disabled: plugin names to leave out; defaults to ``HOOKYARD_DISABLE_PLUGINS``.
    :param only: when given, the only installed (entry-point) plugins to load; defaults to
        ``HOOKYARD_LOAD_PLUGINS`` when that is set.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    if os.environ.get(TRACE_ENV, "") not in ("", "0"):
        _trace(pm)
    for name in _names(DISABLE_ENV) or set() if disabled is None else set(disabled):
        pm.set_blocked(name)
    allowed = _names(LOAD_ENV) if only is None else set(only)
    if allowed is not None:
        _block_all_but(pm, allowed)
    try:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    except ValueError as exc:
        raise PluginError(f"two installed plugins share a name: {exc}") from None
    except Exception as exc:  # a plugin's import raised; say which plugin
        raise PluginError(_broken_entry_point(pm, exc)) from None
    for name, where in BUILTIN_PLUGINS.items():
        if pm.has_plugin(name):  # an installed entry point took a built-in's name
            dist = dict(pm.list_plugin_distinfo()).get(pm.get_plugin(name))
            owner = f" (distribution {dist.project_name})" if dist is not None else ""
            raise PluginError(
                f"the installed plugin {name!r}{owner} has the name of a built-in plugin; "
                "rename its entry point in the hookyard group"
            )
        if not pm.is_blocked(name):
            pm.register(_builtin(where), name=name)
    validate(pm)
    return pm


def _builtin(where: str) -> object:
    module_name, _, class_name = where.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, class_name)() if class_name else module


def _trace(pm: pluggy.PluginManager) -> None:
    """Log every hook call, its arguments and results (pluggy's own tracing).

    Commands that set up no logging (``check``, ``plugins``) still show the trace: the
    logger then writes to stderr itself.
    """
    log.setLevel(logging.INFO)
    if not logging.getLogger().handlers and not log.handlers:
        log.addHandler(logging.StreamHandler())
    pm.trace.root.setwriter(lambda message: log.info("%s", message.rstrip()))
    pm.enable_tracing()


def _entry_points() -> list[importlib.metadata.EntryPoint]:
    return list(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP))


def _block_all_but(pm: pluggy.PluginManager, allowed: set[str]) -> None:
    installed = {ep.name for ep in _entry_points()}
    unknown = sorted(allowed - installed - set(BUILTIN_PLUGINS))
    if unknown:
        known = ", ".join(sorted(installed)) or "none"
        raise PluginError(
            f"{LOAD_ENV} names {', '.join(map(repr, unknown))}, which is not installed "
            f"(installed plugins: {known})"
        )
    for name in installed - allowed:
        pm.set_blocked(name)


def _broken_entry_point(pm: pluggy.PluginManager, error: Exception) -> str:
    for entry_point in _entry_points():
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
