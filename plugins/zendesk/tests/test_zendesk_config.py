"""What ``hookyard check`` says about the sink's options and each action's ``with``.

The plugin is installed (its entry point), so hookyard loads it as ``hookyard serve``
would: registering the module again in-process would be refused as a second plugin of
the same name.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

import pytest
from zendesk_support import host_config

import hookyard_zendesk
from hookyard.testing import ConfigError, load_config

if TYPE_CHECKING:
    from pathlib import Path

URL = "https://acme.zendesk.com"


def problems(config: dict[str, Any], folder: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(config, folder)
    return list(caught.value.problems)


def test_the_entry_point_is_this_module() -> None:
    [found] = [p for p in entry_points(group="hookyard") if p.name == "zendesk"]
    assert found.load() is hookyard_zendesk
    assert found.dist is not None and found.dist.name == "hookyard-zendesk"


def test_the_three_routes_load(tmp_path: Path) -> None:
    setup = load_config(host_config(URL), tmp_path)
    options = setup.config.sinks["desk"].options
    assert (options.url, options.timeout) == (URL, 10.0)
    assert "zd-secret" not in repr(options)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("acme.zendesk.com", "url must start with http:// or https://"),
        ("ftp://acme.zendesk.com", "got scheme 'ftp'"),
        ("https://agent:pw@acme.zendesk.com", "url must not hold credentials"),
        ("https://acme.zendesk.com/agent/tickets", "not '/agent/tickets'"),
        ("https://", "url has no host name"),
    ],
)
def test_a_wrong_url_is_named_at_its_place(tmp_path: Path, url: str, message: str) -> None:
    [problem] = problems(host_config(url), tmp_path)
    assert problem.startswith("sinks.desk.url")
    assert message in problem


def test_a_trailing_slash_is_fine(tmp_path: Path) -> None:
    setup = load_config(host_config(URL + "/"), tmp_path)
    assert setup.config.sinks["desk"].options.url == URL


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("email", "agent", "email must be the e-mail address of the token's agent"),
        ("token", " ", "token must be a Zendesk API token"),
        ("timeout", "0s", "timeout must be more than 0 seconds"),
    ],
)
def test_email_token_and_timeout_are_checked(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    config = host_config(URL)
    config["sinks"]["desk"][option] = value
    [problem] = problems(config, tmp_path)
    assert problem.startswith(f"sinks.desk.{option}")
    assert message in problem


def test_an_unknown_option_is_refused(tmp_path: Path) -> None:
    config = host_config(URL)
    config["sinks"]["desk"]["subdomain"] = "acme"
    [problem] = problems(config, tmp_path)
    assert problem.startswith("sinks.desk.subdomain")


def test_a_priority_zendesk_has_not_is_refused(tmp_path: Path) -> None:
    config = host_config(URL)
    config["routes"][0]["with"]["priority"] = "critical"
    [problem] = problems(config, tmp_path)
    assert problem.startswith("routes[0].with.priority")
    assert "urgent" in problem


def test_a_status_zendesk_has_not_is_refused(tmp_path: Path) -> None:
    config = host_config(URL)
    config["routes"][2]["with"]["status"] = "done"
    [problem] = problems(config, tmp_path)
    assert problem.startswith("routes[2].with.status")
    assert "solved" in problem


def test_a_missing_body_and_an_unknown_key_are_named(tmp_path: Path) -> None:
    config = host_config(URL)
    del config["routes"][0]["with"]["body"]
    config["routes"][1]["with"]["internal"] = True
    found = problems(config, tmp_path)
    assert any(p.startswith("routes[0].with") and "needs 'body'" in p for p in found)
    assert any(
        p.startswith("routes[1].with.internal") and "takes no 'internal'" in p for p in found
    )


def test_tags_must_be_a_list(tmp_path: Path) -> None:
    config = host_config(URL)
    config["routes"][0]["with"]["tags"] = 7
    [problem] = problems(config, tmp_path)
    assert problem.startswith("routes[0].with.tags")
