"""The installed distribution registers the ``jira`` sink through its entry point."""

from __future__ import annotations

import importlib.metadata
from typing import TYPE_CHECKING

import hookyard_jira
from hookyard.testing import load_config

if TYPE_CHECKING:
    from pathlib import Path


def test_the_entry_point_is_the_module() -> None:
    [found] = [e for e in importlib.metadata.entry_points(group="hookyard") if e.name == "jira"]
    assert found.value == "hookyard_jira"
    assert found.dist is not None and found.dist.name == "hookyard-jira"
    assert found.load() is hookyard_jira


def test_the_installed_plugin_is_what_a_config_gets(tmp_path: Path) -> None:
    config = {
        "sources": {"chats": {"vendor": "generic", "auth": "none"}},
        "sinks": {
            "jira": {
                "plugin": "jira",
                "url": "https://example.atlassian.net",
                "email": "bot@example.com",
                "token": "t0ken-value",
                "project": "SUP",
            }
        },
        "routes": [{"to": "jira", "with": {"summary": "Chat"}}],
    }
    setup = load_config(config, tmp_path)
    spec = setup.registry.sinks["jira"]
    assert (spec.actions, spec.config_type) == (hookyard_jira.ACTIONS, hookyard_jira.JiraConfig)
    assert setup.config.routes[0].action in (None, "create_issue")
