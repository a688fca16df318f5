"""What ``hookyard check`` says about the jira sink's options and its routes' ``with``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from jira_support import DISABLED, EMAIL, PLUGINS, PROJECT, TOKEN

from hookyard.testing import ConfigError, load_config

if TYPE_CHECKING:
    from pathlib import Path

SITE = "https://example.atlassian.net"


def config(
    with_: dict[str, Any] | None = None, action: str = "create_issue", **options: Any
) -> dict[str, Any]:
    sink = {"plugin": "jira", "url": SITE, "email": EMAIL, "token": TOKEN, "project": PROJECT}
    return {
        "sources": {"chats": {"vendor": "generic", "auth": "none"}},
        "sinks": {"jira": {**sink, **options}},
        "routes": [
            {
                "to": "jira",
                "action": action,
                "with": {"summary": "Chat"} if with_ is None else with_,
            }
        ],
    }


def problems(tmp_path: Path, given: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(given, tmp_path, plugins=PLUGINS, disabled=DISABLED)
    return list(caught.value.problems)


def test_a_complete_config_loads(tmp_path: Path) -> None:
    with_ = {
        "summary": "Chat with {{ event.customer.name }}",
        "description": "{{ event.message.text }}",
        "labels": ["chat", "{{ event.source }}"],
        "priority": "High",
        "issue_type": "Bug",
        "fields": {"customfield_10010": "EU"},
    }
    setup = load_config(
        config(with_, issue_type="Task", timeout="5s"), tmp_path, plugins=PLUGINS, disabled=DISABLED
    )
    options = setup.config.sinks["jira"].options
    assert (options.project, options.issue_type, options.timeout) == ("SUP", "Task", 5.0)
    assert TOKEN not in repr(options)


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("url", "ftp://example.atlassian.net", "url must start with http:// or https://"),
        ("url", "https://me:secret@example.atlassian.net", "url must not hold credentials"),
        ("url", f"{SITE}/rest/api/3", "url is the site's address alone"),
        ("email", "support-bot", "email is the Atlassian account's e-mail address"),
        ("token", " ", "token is empty"),
        ("project", "support", "project is a project key such as SUP"),
        ("issue_type", "", "issue_type is empty"),
        ("timeout", "0s", "timeout must be more than 0 seconds"),
    ],
)
def test_a_wrong_option_is_named_with_its_place(
    tmp_path: Path, option: str, value: str, expected: str
) -> None:
    [problem] = problems(tmp_path, config(**{option: value}))
    assert problem.startswith(f"sinks.jira.{option}")
    assert expected in problem
    assert "secret" not in problem  # a password in the url is not repeated


def test_a_missing_option_is_named(tmp_path: Path) -> None:
    given = config()
    del given["sinks"]["jira"]["project"]
    [problem] = problems(tmp_path, given)
    assert "sinks.jira" in problem and "project" in problem


C, A, X = "create_issue", "add_comment", {"summary": "x"}


@pytest.mark.parametrize(
    ("action", "with_", "place", "expected"),
    [
        (C, {"description": "x"}, "", "needs 'summary'"),
        (C, {**X, "title": "y"}, ".title", "takes no 'title'"),
        (C, {**X, "labels": "urgent"}, "", "labels must be a list such as [support, chat]"),
        (C, {**X, "labels": [["a"]]}, "", "labels must be text"),
        (C, {**X, "fields": {"summary": "y"}}, "", "fields must not set 'summary': use summary"),
        (C, {**X, "fields": "y"}, "", "fields must be a mapping of field ids to values"),
        (C, {"summary": " "}, "", "summary is empty"),
        (A, {}, "", "needs 'body'"),
        (A, {"body": "x", "summary": "y"}, ".summary", "takes no 'summary'"),
    ],
)
def test_a_wrong_with_is_named_with_its_place(
    tmp_path: Path, action: str, with_: dict[str, Any], place: str, expected: str
) -> None:
    found = problems(tmp_path, config(with_, action=action))
    assert any(p.startswith(f"routes[0].with{place}") and expected in p for p in found), found
