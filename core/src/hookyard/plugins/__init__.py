"""Internal: the plugin manager, and what the loaded plugins registered."""

from hookyard.plugins.manager import (
    BUILTIN_PLUGINS,
    DISABLE_ENV,
    LOAD_ENV,
    TRACE_ENV,
    PluginError,
    get_plugin_manager,
    validate,
)
from hookyard.plugins.registry import (
    PluginInfo,
    Registry,
    collect_registry,
    configure_converter,
    list_plugins,
)

__all__ = [
    "BUILTIN_PLUGINS",
    "DISABLE_ENV",
    "LOAD_ENV",
    "TRACE_ENV",
    "PluginError",
    "PluginInfo",
    "Registry",
    "collect_registry",
    "configure_converter",
    "get_plugin_manager",
    "list_plugins",
    "validate",
]
