"""Contract checks every vendor plugin's tests make: found through its entry point alone."""

from __future__ import annotations

import importlib.metadata
from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard.plugins.manager import BUILTIN_PLUGINS, ENTRY_POINT_GROUP
from hookyard.testing.host import load_config
from hookyard.vendors import VendorSpec

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

__all__ = ["BUILT_IN", "InstalledVendor", "assert_vendor_plugin", "installed_vendor"]

#: The plugins that ship inside hookyard; disable them to see only installed plugins.
BUILT_IN: tuple[str, ...] = tuple(BUILTIN_PLUGINS)


@frozen
class InstalledVendor:
    """A vendor as hookyard finds it: its entry point, the object it loads, its spec."""

    entry_point: importlib.metadata.EntryPoint
    plugin: Any
    spec: VendorSpec
    #: The plugin name hookyard says registered the vendor.
    owner: str


def installed_vendor(name: str, folder: Path) -> InstalledVendor:
    """The vendor ``name`` of the one installed plugin of that name, with the built-ins off.

    Fails (``AssertionError``) unless exactly one ``hookyard`` entry point has that name, a
    distribution declares it, and loading hookyard's plugins registers the vendor from it.
    """
    points = importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)
    found = [entry_point for entry_point in points if entry_point.name == name]
    assert len(found) == 1, f"{len(found)} {ENTRY_POINT_GROUP!r} entry points are named {name!r}"
    (entry_point,) = found
    assert entry_point.dist is not None, f"entry point {name!r} belongs to no distribution"
    registry = load_config({}, folder, disabled=BUILT_IN).registry
    assert name in registry.vendors, f"the {name!r} plugin registered no vendor {name!r}"
    owner = registry.owners[f"vendor:{name}"]
    return InstalledVendor(entry_point, entry_point.load(), registry.vendors[name], owner)


def assert_vendor_plugin(
    name: str,
    folder: Path,
    *,
    module: ModuleType,
    distribution: str,
    config_type: type[Any],
    auth_fields: tuple[str, ...],
) -> InstalledVendor:
    """The vendor ``name``, found as :func:`installed_vendor` finds it, after checking that
    ``module`` is the plugin behind it and registers it whole.

    Fails (``AssertionError``, saying what differs) unless the entry point's value is
    ``module``'s name, the distribution named ``distribution`` declares it, it loads
    ``module`` itself, the plugin ``name`` registered the vendor, and the spec has
    ``config_type``, ``module``'s own ``verify``, ``parse`` and ``simulate``, exactly
    ``auth_fields`` and ``module.ACTIONS`` as its actions. Returns what it found, for your
    own assertions.
    """
    found = installed_vendor(name, folder)
    entry_point, spec = found.entry_point, found.spec
    assert entry_point.value == module.__name__, (
        f"entry point {name!r} is {entry_point.value!r}, not the module {module.__name__!r}"
    )
    declared_by = entry_point.dist.name if entry_point.dist is not None else None
    assert declared_by == distribution, (
        f"entry point {name!r} is declared by {declared_by!r}, not {distribution!r}"
    )
    assert found.plugin is module, f"entry point {name!r} loads {found.plugin!r}, not {module!r}"
    assert found.owner == name, f"vendor {name!r} is registered by plugin {found.owner!r}"
    assert spec.config_type is config_type, (
        f"vendor {name!r} has config_type {spec.config_type!r}, not {config_type!r}"
    )
    for hook in ("verify", "parse", "simulate"):
        registered, own = getattr(spec, hook), getattr(module, hook)
        assert registered == own, (
            f"vendor {name!r} has {hook} {registered!r}, not {module.__name__}.{hook} {own!r}"
        )
    assert spec.auth_fields == auth_fields, (
        f"vendor {name!r} has auth_fields {spec.auth_fields!r}, not {auth_fields!r}"
    )
    assert spec.actions == module.ACTIONS, (
        f"vendor {name!r} has actions {spec.actions!r}, not {module.__name__}.ACTIONS"
        f" {module.ACTIONS!r}"
    )
    return found
