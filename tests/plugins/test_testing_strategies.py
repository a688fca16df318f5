"""``hookyard.testing.strategies``: what a plugin author relies on when using it."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from hookyard import PayloadRejected
from hookyard.testing.strategies import assert_parses_or_rejects

if TYPE_CHECKING:
    from hookyard import Event, WebhookRequest


def test_the_pytest_plugin_runs_without_hypothesis() -> None:
    """Every user's test run loads ``hookyard.testing``; hypothesis is only a dev dependency."""
    code = (
        "import sys, hookyard.testing, hookyard.testing.pytest_plugin; "
        "assert 'hypothesis' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _rejects(_config: None, request: WebhookRequest) -> list[Event]:
    raise PayloadRejected(request.body.decode())


def _crashes(_config: None, request: WebhookRequest) -> list[Event]:
    raise ValueError(request.body.decode())


def _ignores(_config: None, _request: WebhookRequest) -> list[Event]:
    return []


def test_a_rejection_passes_and_anything_else_fails() -> None:
    assert assert_parses_or_rejects(_rejects, None, {"a": "\ud800"}) == []
    with pytest.raises(ValueError, match=r'^\{"a": "\\ud800"\}$'):
        assert_parses_or_rejects(_crashes, None, {"a": "\ud800"})
    assert assert_parses_or_rejects(_ignores, None, b"\xff") == []
    with pytest.raises(AssertionError):
        assert_parses_or_rejects(_ignores, None, b"\xff", count=1)
