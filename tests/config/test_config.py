"""Loading the configuration file: every mistake is named with its path and line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hookyard.builtin.http import HttpSinkConfig
from hookyard.config import Config, ConfigError, RetryPolicy, load_config
from hookyard.config.converter import make_converter
from hookyard_livechat import LiveChatConfig

if TYPE_CHECKING:
    from hookyard.plugins import Registry

Load = Callable[..., Config]
Problems = Callable[..., list[str]]

#: Two working sinks on lines 1-6; tests append what they are about.
SINKS = """\
sinks:
  journal: {plugin: file, path: journal.jsonl}
  ops:
    plugin: http
    url: http://127.0.0.1:9/in
    retry: {max_attempts: 3, initial_delay: 0.2s}
"""


def test_a_route_to_a_missing_sink_names_path_line_and_the_sinks_there_are(
    problems: Problems,
) -> None:
    found = problems(
        SINKS,
        """\
        routes:
          - name: all to the journal
            to: journal
          - name: chats to slack
            to: slak
        """,
    )
    assert found == ["routes[1].to (line 11): no sink named 'slak' (sinks: journal, ops)"]


def test_a_missing_environment_variable_names_the_path(
    problems: Problems, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOOKYARD_TEST_UNSET_SECRET", raising=False)
    found = problems(
        """\
        sources:
          chats:
            vendor: livechat
            secret: "${HOOKYARD_TEST_UNSET_SECRET}"
        """
    )
    assert found == [
        "sources.chats.secret (line 4): environment variable HOOKYARD_TEST_UNSET_SECRET is not set"
    ]


def test_environment_variables_and_their_defaults_are_interpolated(
    load: Load, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOOKYARD_TEST_UNSET_SECRET", raising=False)
    monkeypatch.setenv("HOOKYARD_TEST_SECRET", "from-the-environment")
    config = load(
        """\
        sources:
          defaulted: {vendor: livechat, secret: "${HOOKYARD_TEST_UNSET_SECRET:-fallback}"}
          set: {vendor: livechat, secret: "${HOOKYARD_TEST_SECRET:-unused}"}
          inline: {vendor: livechat, secret: "pre-${HOOKYARD_TEST_SECRET}-post"}
        """
    )
    secrets = {name: source.options.secret for name, source in config.sources.items()}
    assert secrets == {
        "defaulted": "fallback",
        "set": "from-the-environment",
        "inline": "pre-from-the-environment-post",
    }
    assert isinstance(config.sources["set"].options, LiveChatConfig)


def test_an_unknown_top_level_key_is_rejected(problems: Problems) -> None:
    found = problems("database: sqlite:///h.db\nroutse: []\n")
    assert found == [
        "routse (line 2): unknown key; did you mean 'routes'? "
        "(allowed: database, retention, routes, sentry, server, sinks, sources, workers)"
    ]


def test_unknown_vendor_and_sink_plugin_list_the_installed_ones(
    problems: Problems, registry: Registry
) -> None:
    found = problems(
        """\
        sources:
          desk: {vendor: zendesk, secret: s}
        sinks:
          team: {plugin: salesforce, url: "https://example.invalid/x"}
        """
    )
    vendors, sinks = ", ".join(sorted(registry.vendors)), ", ".join(sorted(registry.sinks))
    assert found == [
        f"sources.desk.vendor (line 2): vendor 'zendesk' is not installed (installed: {vendors})",
        f"sinks.team.plugin (line 4): sink plugin 'salesforce' is not installed (installed: {sinks})",
    ]
    assert {"generic", "livechat"} <= set(registry.vendors)
    assert {"file", "http", "log"} <= set(registry.sinks)


def test_a_source_without_credentials_must_say_auth_none(problems: Problems, load: Load) -> None:
    found = problems("sources:\n  chats:\n    vendor: livechat\n")
    assert found == [
        "sources.chats (line 2): no authentication configured: set secret, or one of token, "
        "basic_auth, allow_ips, or say `auth: none` to accept unauthenticated webhooks"
    ]
    config = load("sources:\n  chats:\n    vendor: livechat\n    auth: none\n")
    assert config.sources["chats"].auth == "none"
    assert config.sources["chats"].options == LiveChatConfig()


def test_auth_takes_only_none(problems: Problems) -> None:
    found = problems("sources:\n  chats: {vendor: livechat, secret: s, auth: basic}\n")
    assert found == ["sources.chats.auth (line 2): auth must be 'none' or left out, got 'basic'"]


def test_wrong_types_name_the_exact_path(problems: Problems) -> None:
    found = problems(
        """\
        sinks:
          ops:
            plugin: http
            url: http://127.0.0.1:9/in
            timeout: fast
            retry:
              max_attempts: many
              initial_delay: soon
        """
    )
    assert found == [
        "sinks.ops.timeout (line 5): expected a duration such as 10s, 5m or 1h, got 'fast'",
        "sinks.ops.retry.max_attempts (line 7): expected a whole number, got 'many'",
        "sinks.ops.retry.initial_delay (line 8): expected a duration such as 10s, 5m or 1h, "
        "got 'soon'",
    ]


def test_values_are_not_silently_converted_to_another_type(problems: Problems) -> None:
    found = problems(
        """\
        sinks:
          journal: {plugin: file, path: [a, b]}
          ops: {plugin: http, url: "http://127.0.0.1:9/in", retry: {max_attempts: true}}
        workers: {concurrency: 2.5}
        sentry: 5
        """
    )
    assert found == [
        "sinks.journal.path (line 2): expected the path of a file, got ['a', 'b']",
        "sinks.ops.retry.max_attempts (line 3): expected a whole number, got True",
        "workers.concurrency (line 4): expected a whole number, got 2.5",
        "sentry (line 5): expected a mapping, got int",
    ]


def test_missing_and_extra_sink_options_are_named(problems: Problems) -> None:
    found = problems("sinks:\n  ops:\n    plugin: http\n    ulr: http://127.0.0.1:9/in\n")
    assert found == [
        "sinks.ops.url (line 2): required field missing",
        "sinks.ops.ulr (line 4): unknown key; did you mean 'url'? "
        "(allowed: breaker, concurrency, headers, ordering, plugin, rate_limit, retry, secret, "
        "timeout, url, when_dead)",
    ]


def test_a_plugin_validator_message_reaches_the_user(problems: Problems) -> None:
    found = problems('sinks:\n  ops: {plugin: http, url: "ftp://example.com/in"}\n')
    assert found == [
        "sinks.ops.url (line 2): url must start with http:// or https:// (got scheme 'ftp')"
    ]


@pytest.mark.parametrize(
    ("written", "seconds"),
    [
        ("10s", 10.0),
        ("5m", 300.0),
        ("1h", 3600.0),
        ("2d", 172_800.0),
        ("250ms", 0.25),
        ("7", 7.0),
        ("1.5", 1.5),
    ],
)
def test_durations(load: Load, written: str, seconds: float) -> None:
    config = load(f"workers: {{poll_interval: {written}, lease: {written}}}\n")
    assert (config.workers.poll_interval, config.workers.lease) == (seconds, seconds)


def test_a_sink_retry_policy_overrides_the_defaults(load: Load) -> None:
    ops = load(SINKS).sinks["ops"]
    assert ops.retry == RetryPolicy(max_attempts=3, initial_delay=0.2)
    assert ops.retry.max_delay == 3600.0
    assert isinstance(ops.options, HttpSinkConfig)
    assert ops.options.url == "http://127.0.0.1:9/in"


def test_a_relative_sqlite_path_is_relative_to_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, registry: Registry
) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    relative = folder / "relative.yaml"
    relative.write_text("database: sqlite:///data/hookyard.db\n")
    absolute = folder / "absolute.yaml"
    absolute.write_text(f"database: sqlite:///{tmp_path / 'elsewhere.db'}\n")
    monkeypatch.chdir(tmp_path)  # not the config file's folder
    config = load_config(relative.relative_to(tmp_path), make_converter(), registry)
    assert config.database == f"sqlite:///{folder / 'data' / 'hookyard.db'}"
    config = load_config(absolute, make_converter(), registry)
    assert config.database == f"sqlite:///{tmp_path / 'elsewhere.db'}"


def test_without_a_database_key_sqlite_is_used_next_to_the_config_file(
    tmp_path: Path, registry: Registry
) -> None:
    config_file = tmp_path / "hookyard.yaml"
    config_file.write_text("workers: {concurrency: 2}\n")
    config = load_config(config_file, make_converter(), registry)
    assert config.database == f"sqlite:///{tmp_path / 'hookyard.db'}"


def test_invalid_yaml_reports_line_and_column(problems: Problems) -> None:
    found = problems("sources:\n  chats: {vendor: livechat\nsinks: {}\n")
    assert found == [
        "line 2, column 10: not valid YAML: this '{' is not closed; add '}' and separate "
        "entries with ',' (expected ',' or '}', but got ':')"
    ]


def test_a_file_that_is_not_a_mapping_is_rejected(problems: Problems) -> None:
    assert problems("- just\n- a list\n") == ["(top level) (line 1): expected a mapping, got list"]


def test_duplicate_route_names_are_rejected(problems: Problems) -> None:
    found = problems(
        SINKS,
        """\
        routes:
          - name: everything
            to: journal
          - name: everything
            to: ops
        """,
    )
    assert found == [
        "routes[1].name (line 10): route name 'everything' is used twice (also routes[0])"
    ]


def test_several_problems_are_reported_at_once(problems: Problems) -> None:
    found = problems(
        """\
        sources:
          chats: {vendor: livechat}
        sinks:
          journal: {plugin: file}
        routes:
          - to: nowhere
        workers: {lease: forever}
        """
    )
    assert [problem.split(":")[0] for problem in found] == [
        "sources.chats (line 2)",
        "sinks.journal.path (line 4)",
        "routes[0].to (line 6)",
        "workers.lease (line 7)",
    ]


def test_an_unreadable_file_is_a_config_error(tmp_path: Path, registry: Registry) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "missing.yaml", make_converter(), registry)
    assert caught.value.problems == [
        f"{tmp_path / 'missing.yaml'}: cannot read: No such file or directory"
    ]


def test_the_example_configuration_loads(registry: Registry) -> None:
    example = Path(__file__).parents[2] / "examples" / "hookyard.yaml"
    config = load_config(example, make_converter(), registry)
    assert config.sources and config.routes
    assert {route.to for route in config.routes} <= set(config.sinks)
    assert config.database == f"sqlite:///{example.parent / 'hookyard.db'}"
