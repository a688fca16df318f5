"""Public: test helpers for hookyard plugin authors (and hookyard's own suite).

Installed with hookyard; the pytest plugin in :mod:`hookyard.testing.pytest_plugin` is
loaded automatically and provides the ``hookyard_host`` and ``recording_server`` fixtures
documented in docs/plugins.md.
"""

from hookyard.config import ConfigError
from hookyard.testing.contract import (
    BUILT_IN,
    InstalledVendor,
    assert_vendor_plugin,
    installed_vendor,
)
from hookyard.testing.host import (
    Answered,
    Attempt,
    Delivery,
    HostFactory,
    TestHost,
    load_config,
    open_host,
)
from hookyard.testing.recorder import Recorded, RecordingServer, Reply

__all__ = [
    "BUILT_IN",
    "Answered",
    "Attempt",
    "ConfigError",
    "Delivery",
    "HostFactory",
    "InstalledVendor",
    "Recorded",
    "RecordingServer",
    "Reply",
    "TestHost",
    "assert_vendor_plugin",
    "installed_vendor",
    "load_config",
    "open_host",
]
