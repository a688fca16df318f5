"""What no delivery of the SaaS sinks could use is refused by ``hookyard check``, at its place:
a credential sent in clear, a token a header cannot carry, a port that does not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from hookyard.testing import ConfigError, load_config

if TYPE_CHECKING:
    from pathlib import Path

SLACK = {"plugin": "slack", "token": "xoxb-1-abc"}
ZENDESK = {"plugin": "zendesk", "url": "https://acme.zendesk.com", "email": "a@b.c", "token": "t"}
JIRA = {
    "plugin": "jira",
    "url": "https://acme.atlassian.net",
    "email": "a@b.c",
    "token": "t",
    "project": "SUP",
}
HUBSPOT = {"plugin": "hubspot", "token": "pat-na1-x"}
TEAMS = {"plugin": "teams", "webhook_url": "https://prod-1.logic.azure.com/workflows/x?sig=abc"}


@pytest.mark.parametrize(
    ("sink", "place", "message"),
    [
        ({**SLACK, "api_url": "http://slack.example/api"}, "api_url", "must start with https://"),
        ({**SLACK, "api_url": "https://slack.com/api?x=1"}, "api_url", "must not have a query"),
        ({**SLACK, "token": "xoxb-1-SECRET\x00x"}, "token", "printable ASCII"),
        ({**ZENDESK, "url": "http://acme.zendesk.com"}, "url", "must start with https://"),
        ({**ZENDESK, "url": "https://acme.zendesk.com:99999"}, "url", "port"),
        ({**ZENDESK, "email": "agent:x@b.c"}, "email", "e-mail address"),
        ({**ZENDESK, "token": "t\nX-Injected: 1"}, "token", "printable ASCII"),
        ({**JIRA, "project": "SUP\n"}, "project", "project key"),
        ({**JIRA, "token": "tök"}, "token", "printable ASCII"),
        ({**HUBSPOT, "token": "pat-na1-\x00"}, "token", "printable ASCII"),
        ({**HUBSPOT, "api_url": "http://api.hubapi.com"}, "api_url", "must start with https://"),
        ({**TEAMS, "webhook_url": "http://prod-1.logic.azure.com/x?sig=a"}, "webhook_url", "https"),
    ],
)
def test_a_saas_sink_option_no_delivery_could_use_is_named(
    tmp_path: Path, sink: dict[str, Any], place: str, message: str
) -> None:
    config = {"sinks": {"out": sink}, "routes": []}
    with pytest.raises(ConfigError) as raised:
        load_config(config, tmp_path)
    [problem] = [p for p in raised.value.problems if p.startswith(f"sinks.out.{place}")]
    assert message in problem


def test_a_local_server_may_be_plain_http(tmp_path: Path) -> None:
    local = {**ZENDESK, "url": "http://127.0.0.1:8080"}
    load_config({"sinks": {"out": local}, "routes": []}, tmp_path)
