"""What ``hookyard check`` says about a ``hubspot`` sink's options and routes, and the
documentation's examples passing it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hubspot_support import host_config

from hookyard.testing import ConfigError, load_config

PLUGIN = Path(__file__).parents[1]
DOCS = (PLUGIN / "README.md", PLUGIN.parents[1] / "docs" / "sinks" / "hubspot.md")
BLOCK = re.compile(r"^```yaml\n(?P<yaml>.*?)^```\n", re.MULTILINE | re.DOTALL)
URL = "https://api.hubapi.com"


def problems(config: dict[str, Any], tmp_path: Path) -> list[str]:
    with pytest.raises(ConfigError) as failed:
        load_config(config, tmp_path)
    return list(failed.value.problems)


def ticket(**given: Any) -> list[dict[str, Any]]:
    return [{"action": "create_ticket", "with": given}]


def test_a_priority_hubspot_lacks_names_its_place(tmp_path: Path) -> None:
    [problem] = problems(host_config(URL, ticket(subject="Help", priority="URGENT")), tmp_path)
    assert problem.startswith("routes[0].with.priority")
    assert "'HIGH'" in problem


def test_a_missing_subject_and_an_unknown_key_are_named(tmp_path: Path) -> None:
    found = problems(host_config(URL, ticket(titel="Help")), tmp_path)
    assert any(p.startswith("routes[0].with.titel") and "takes no 'titel'" in p for p in found)
    assert any(p.startswith("routes[0].with") and "needs 'subject'" in p for p in found)


def test_a_note_without_a_body_is_named(tmp_path: Path) -> None:
    routes = [{"action": "add_note", "with": {"text": "{{ event.message.text }}"}}]
    found = problems(host_config(URL, routes), tmp_path)
    assert any("needs 'body'" in p for p in found)


def test_properties_must_be_a_mapping(tmp_path: Path) -> None:
    routes = [{"action": "upsert_contact", "with": {"email": "a@b.com", "properties": [1]}}]
    [problem] = problems(host_config(URL, routes), tmp_path)
    assert problem.startswith("routes[0].with.properties")


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("api_url", "ftp://api.hubapi.com", "api_url must start with http:// or https://"),
        ("api_url", "https://me:pw@api.hubapi.com", "api_url must not hold credentials"),
        ("api_url", "https://", "api_url has no host name"),
        ("timeout", "0s", "timeout must be more than 0 seconds"),
        ("time_zone", "Mars/Olympus", "time_zone must be an IANA time zone"),
        ("ticket_key_property", "Hookyard Key", "ticket_key_property must be a property's"),
        ("pipeline_stage", " ", "pipeline_stage must not be empty"),
        ("token", "pat na1", "token must be printable ASCII without spaces"),
    ],
)
def test_a_wrong_option_names_its_place(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    config = host_config(URL, ticket(subject="Help"), **{option: value})
    [problem] = problems(config, tmp_path)
    assert problem.startswith(f"sinks.crm.{option}")
    assert message in problem
    assert "pat na1" not in problem  # a token is never shown, even a wrong one


def test_a_missing_token_is_named(tmp_path: Path) -> None:
    config = host_config(URL, ticket(subject="Help"))
    del config["sinks"]["crm"]["token"]
    [problem] = problems(config, tmp_path)
    assert problem.startswith("sinks.crm")
    assert "token" in problem


def _examples() -> list[Any]:
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start("yaml")) + 1
            found.append(pytest.param(match.group("yaml"), id=f"{doc.name}:{line}"))
    return found


def test_the_docs_have_examples() -> None:
    assert len(_examples()) >= 2


@pytest.mark.parametrize("example", _examples())
def test_every_documented_example_passes_check(
    example: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBSPOT_TOKEN", "pat-na1-00000000-0000-0000-0000-000000000000")
    monkeypatch.setenv("CHATS_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    setup = load_config(example, tmp_path)
    assert any(sink.plugin == "hubspot" for sink in setup.config.sinks.values())
