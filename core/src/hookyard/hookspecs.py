"""Every hook a hookyard plugin can implement. These docstrings are the plugin contract.

Public through :mod:`hookyard`: plugins import ``hookimpl`` from there, not from here.

Plugins implement hooks with :data:`hookimpl` and are found through the ``hookyard``
entry-point group. Hooks gain arguments over time, never lose them; implement only the
arguments you need.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from collections.abc import Callable

    import cattrs

    from hookyard.sinks import SinkSpec
    from hookyard.vendors import VendorSpec

__all__ = ["PROJECT", "hookimpl", "hookspec"]

PROJECT = "hookyard"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def hookyard_register_vendors(register: Callable[[VendorSpec], None]) -> None:
    """Register the vendors whose webhooks this plugin parses.

    Called once when the plugin manager is built.

    :param register: call it once per :class:`hookyard.VendorSpec`. Two plugins
        registering the same vendor name stop hookyard at start-up with an error naming both.
    """


@hookspec
def hookyard_register_sinks(register: Callable[[SinkSpec], None]) -> None:
    """Register the sinks this plugin delivers to.

    Called once when the plugin manager is built.

    :param register: call it once per :class:`hookyard.SinkSpec`. Two plugins registering
        the same sink name stop hookyard at start-up with an error naming both.
    """


@hookspec
def hookyard_configure_converter(converter: cattrs.Converter) -> None:
    """Teach hookyard's one cattrs converter about the plugin's own types.

    Called once per host, after the registration hooks and before any configuration is
    loaded. Register structure hooks for types used in the plugin's config classes that
    cattrs cannot handle on its own. A plugin that structures its own data at run time may
    keep ``converter``: it also structures the event JSON form's parts (``Chat``,
    ``Person``, ``Message``, ``Rating``, ``Attachment``), lenient about unknown keys.

    :param converter: hookyard's one converter, which structures the whole configuration
        file; the only place plugins extend it.
    """
