"""Fixtures for the Teams sink tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def only_this_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The host loads this plugin through its entry point, and no other installed one."""
    monkeypatch.setenv("HOOKYARD_LOAD_PLUGINS", "teams")
