"""Fixtures for the Slack sink tests: a contract server, and the host loading this plugin."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from slack_support import CHANNEL, TOKEN

from hookyard.testing import SlackApi

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(autouse=True)
def only_this_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    """The host loads this plugin through its entry point, and no other installed one."""
    monkeypatch.setenv("HOOKYARD_LOAD_PLUGINS", "slack")


@pytest.fixture
def slack() -> Iterator[SlackApi]:
    """Slack's Web API and incoming webhooks, with the channel CHANNEL and the bot token TOKEN."""
    with SlackApi(token=TOKEN, channels=(CHANNEL,)) as api:
        yield api
