"""What ``hookyard check`` says about the slack sink's options and its routes' ``with``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest
from slack_support import CHANNEL, host_config

from hookyard.testing import ConfigError, load_config

if TYPE_CHECKING:
    from pathlib import Path

TOKEN_MODE = {"token": "xoxb-1-abc"}
WEBHOOK_MODE = {"webhook_url": "https://hooks.slack.com/services/T1/B1/abc"}


def problems(tmp_path: Path, sink: dict[str, Any], routes: list[dict[str, Any]]) -> list[str]:
    with pytest.raises(ConfigError) as failed:
        load_config(host_config(sink, routes), tmp_path)
    # "routes[0].with (line 12): ..." without the line
    return [re.sub(r" \(line \d+\)", "", problem, count=1) for problem in failed.value.problems]


def test_good_routes_in_both_modes_load(tmp_path: Path) -> None:
    token_routes = [
        {"with": {"channel": CHANNEL, "text": "{{ event.message.text }}"}},
        {"action": "update", "with": {"text": "closed"}},
    ]
    load_config(host_config(TOKEN_MODE, token_routes), tmp_path)
    load_config(host_config(WEBHOOK_MODE, [{"with": {"blocks": [{"type": "divider"}]}}]), tmp_path)


def test_token_mode_needs_a_channel_for_each_post(tmp_path: Path) -> None:
    assert problems(tmp_path, TOKEN_MODE, [{"with": {"text": "hi"}}]) == [
        "routes[0].with: sink 'slack' action 'post' needs 'channel'"
    ]


def test_a_channel_name_is_refused_for_its_id(tmp_path: Path) -> None:
    [problem] = problems(tmp_path, TOKEN_MODE, [{"with": {"channel": "#support", "text": "x"}}])
    assert problem.startswith("routes[0].with.channel: channel must be a channel id such as C0")


def test_webhook_mode_takes_no_channel(tmp_path: Path) -> None:
    assert problems(tmp_path, WEBHOOK_MODE, [{"with": {"channel": CHANNEL, "text": "hi"}}]) == [
        "routes[0].with.channel: sink 'slack' action 'post' takes no 'channel'"
        " (it takes blocks, text)"
    ]


def test_webhook_mode_rejects_every_update_route(tmp_path: Path) -> None:
    assert problems(tmp_path, WEBHOOK_MODE, [{"action": "update", "with": {"text": "x"}}]) == [
        "routes[0].with: sink 'slack' action 'update' needs 'token_mode'"
    ]
    given = [{"action": "update", "with": {"text": "x", "token_mode": True}}]
    assert problems(tmp_path, WEBHOOK_MODE, given) == [
        "routes[0].with.token_mode: update needs the sink's token option: an incoming webhook"
        " cannot edit a message"
    ]


def test_a_post_needs_text_or_blocks(tmp_path: Path) -> None:
    assert problems(tmp_path, WEBHOOK_MODE, [{"with": {}}]) == [
        "routes[0].with: give text or blocks: Slack posts no empty message"
    ]


def test_blocks_must_be_a_list(tmp_path: Path) -> None:
    route = {"with": {"blocks": [{"type": "divider"}, "divider"]}}
    assert problems(tmp_path, WEBHOOK_MODE, [route]) == [
        "routes[0].with.blocks[1]: expected a mapping"
    ]


@pytest.mark.parametrize(
    ("sink", "expected"),
    [
        ({}, "sinks.slack: give exactly one of webhook_url (an incoming webhook) and token"),
        ({**TOKEN_MODE, **WEBHOOK_MODE}, "sinks.slack: give exactly one of webhook_url"),
        ({"webhook_url": "hooks.slack.com/x"}, "sinks.slack.webhook_url: webhook_url must start"),
        (
            {"webhook_url": "https://me:pw@hooks.slack.com/x"},
            "sinks.slack.webhook_url: webhook_url must not hold credentials",
        ),
        ({**TOKEN_MODE, "api_url": "ftp://slack"}, "sinks.slack.api_url: api_url must start"),
        ({**WEBHOOK_MODE, "api_url": "https://x"}, "sinks.slack: api_url is for the Web API"),
        ({"token": "xoxb 1"}, "sinks.slack.token: token must be a Slack token"),
        ({**TOKEN_MODE, "timeout": 0}, "sinks.slack.timeout: timeout must be more than 0"),
        ({**TOKEN_MODE, "channel": CHANNEL}, "sinks.slack.channel: unknown key"),
    ],
)
def test_bad_options_are_named(tmp_path: Path, sink: dict[str, Any], expected: str) -> None:
    [problem] = problems(tmp_path, sink, [{"with": {"text": "x"}}] if "token" not in sink else [])
    assert problem.startswith(expected)
