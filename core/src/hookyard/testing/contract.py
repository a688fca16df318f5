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

__all__ = ["BUILT_IN", "InstalledVendor", "installed_vendor"]

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
