"""Test helpers for hookyard plugin authors (and hookyard's own suite).

Installed with hookyard; the pytest plugin in :mod:`hookyard.testing.pytest_plugin` is
loaded automatically and provides the fixtures documented in docs/plugins.md.
"""

from hookyard.testing.recorder import Recorded, RecordingServer, Reply

__all__ = ["Recorded", "RecordingServer", "Reply"]
