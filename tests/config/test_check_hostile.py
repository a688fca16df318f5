"""``hookyard check`` on files written to break it: each is a located problem, never a
traceback, a hang, or an OK for a file that ``serve`` could not run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_check import check_text, run_check, write


def test_keys_written_as_numbers_or_null_are_names_and_a_list_key_is_a_problem(
    tmp_path: Path,
) -> None:
    found = check_text(
        tmp_path,
        """\
        sinks:
          1: {plugin: log}
          c: {plugin: log, 1: x, ~: y}
          ? [a, b]
          : {plugin: log}
        routes:
          - to: 1
          - to: c
            with: {message: {2: "{{ event.chatt }}"}}
        """,
    )
    assert found == [
        "sinks.c.1 (line 3): unknown key (allowed: breaker, concurrency, level, logger, "
        "ordering, plugin, rate_limit, retry, when_dead)",
        "sinks.c.~ (line 3): unknown key (allowed: breaker, concurrency, level, logger, "
        "ordering, plugin, rate_limit, retry, when_dead)",
        "sinks.? (line 4): a key must be text, not a list or a mapping",
        "routes[1].with.message.2 (line 9): reads event.chatt, but events have no field "
        "'chatt'; did you mean 'chat'? (fields: agent, changes, chat, customer, data, id, "
        "message, occurred_at, raw, received_at, source, type, vendor, vendor_type)",
    ]


def test_yaml_nested_past_what_a_config_needs_is_one_problem(tmp_path: Path) -> None:
    deep = "[" * 1000 + "]" * 1000
    found = check_text(
        tmp_path, f"sinks:\n  c: {{plugin: log}}\nroutes:\n  - {{to: c, with: {{m: {deep}}}}}\n"
    )
    assert found == [
        "not valid YAML: nested too deeply; hookyard's configuration is never that deep"
    ]


def test_aliases_expanding_past_the_limit_are_refused_at_once(tmp_path: Path) -> None:
    """A 600-byte "billion laughs": ten aliases a level, nine levels (10**9 values)."""
    lines = ["sinks:", "  c: {plugin: log}", "routes:", "  - to: c", "    with:"]
    lines.append('      m0: &a0 ["x","x","x","x","x","x","x","x","x","x"]')
    lines += [f"      m{i}: &a{i} [{','.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    path = write(tmp_path, "\n".join(lines) + "\n")
    result = run_check(path)
    assert result.exit_code == 2
    assert "more than 200,000 values once its aliases (*name) are expanded" in result.stderr


def test_infinite_and_huge_numbers_are_refused(tmp_path: Path) -> None:
    found = check_text(
        tmp_path,
        """\
        sinks:
          c: {plugin: http, url: "http://127.0.0.1:9/", timeout: .inf,
              retry: {multiplier: .nan, max_attempts: 99999999}}
        workers: {lease: .inf, poll_interval: 99999999999999999, concurrency: 100000000000}
        """,
    )
    assert found == [
        "sinks.c.timeout (line 2): expected a duration of at most a year (31536000s), got inf",
        "sinks.c.retry.multiplier (line 3): expected a finite number, got nan",
        "sinks.c.retry.max_attempts (line 3): must be at most 10,000, got 99999999",
        "workers.lease (line 4): expected a duration of at most a year (31536000s), got inf",
        "workers.poll_interval (line 4): expected a duration of at most a year (31536000s), "
        "got 99999999999999999",
        "workers.concurrency (line 4): must be at most 10,000, got 100000000000",
    ]


@pytest.mark.parametrize(
    ("database", "problem"),
    [
        ("sqlite:///:memory:", "an in-memory SQLite database loses every event"),
        ("postgresql://u@h:notaport/db", "the port is not a number from 0 to 65535"),
    ],
)
def test_databases_serve_could_not_open_are_refused(
    tmp_path: Path, database: str, problem: str
) -> None:
    [found] = check_text(tmp_path, f'database: "{database}"\n')
    assert found.startswith("database (line 1): ") and problem in found


def test_sources_weaker_than_they_look_are_refused(tmp_path: Path) -> None:
    found = check_text(
        tmp_path,
        """\
        sources:
          open: {vendor: livechat, auth: none, secret: abc}
          signed: {vendor: generic, secret: "whsec_"}
        """,
    )
    assert found == [
        "sources.open.secret (line 2): `auth: none` accepts every webhook, so secret would be "
        "ignored: remove one of the two",
        "sources.signed.secret (line 3): a Standard Webhooks secret must hold a key; this one "
        "is empty",
    ]


def test_templates_that_load_other_templates_are_refused(tmp_path: Path) -> None:
    found = check_text(
        tmp_path,
        """\
        sinks:
          c: {plugin: log}
        routes:
          - to: c
            with: {message: "{% include 'x.html' %}{% extends 'base' %}"}
        """,
    )
    assert found == [
        "routes[0].with.message (line 5): uses {% include %}, but a route's template cannot "
        "load another",
        "routes[0].with.message (line 5): uses {% extends %}, but a route's template cannot "
        "load another",
    ]


def test_a_scalar_where_a_mapping_or_list_belongs_says_so_in_plain_words(
    tmp_path: Path,
) -> None:
    found = check_text(
        tmp_path,
        """\
        sinks:
          c: {plugin: http, url: "http://127.0.0.1:9/", retry: {permanent_statuses: 404}}
        routes:
          - to: c
            retry: 3
        """,
    )
    assert found == [
        "sinks.c.retry.permanent_statuses (line 2): expected a list",
        "routes[0].retry (line 5): expected a mapping, got int",
    ]


def test_a_routes_retry_and_action_are_checked_whatever_else_is_wrong(tmp_path: Path) -> None:
    found = check_text(
        tmp_path,
        """\
        sinks:
          c: {plugin: log}
        routes:
          - to: c
            name: [not, text]
            action: post
            retry: {max_attempts: 0, jitter: 2}
        """,
    )
    assert found == [
        "routes[0].name (line 5): expected a string, got ['not', 'text']",
        "routes[0].action (line 6): sink 'c' has no action 'post' (actions: write)",
        "routes[0].retry.max_attempts (line 7): must be at least 1, got 0",
        "routes[0].retry.jitter (line 7): must be from 0 to 1, got 2.0",
    ]


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_file_that_is_not_a_regular_file_is_cannot_read(tmp_path: Path, kind: str) -> None:
    """Reading a FIFO would wait forever, and /dev/zero would fill the memory."""
    path = tmp_path / "fifo" if kind == "fifo" else Path("/dev/zero")
    if kind == "fifo":
        os.mkfifo(path)
    result = run_check(path)
    assert (result.exit_code, result.stderr) == (
        2,
        f"hookyard: {path}: cannot read: not a regular file\n",
    )


def test_match_rules_that_can_never_match_are_named(tmp_path: Path) -> None:
    found = check_text(
        tmp_path,
        """\
        sinks:
          c: {plugin: log}
        routes:
          - to: c
            match: {type: null, chat.tags: []}
        """,
    )
    assert found == [
        "routes[0].match.type (line 5): every event has a type, so null never matches it",
        "routes[0].match.chat.tags (line 5): an empty list matches no event; name the "
        "chat.tags values to match",
    ]


def test_names_the_store_cannot_hold_and_statuses_http_does_not_have(tmp_path: Path) -> None:
    long = "x" * 201
    found = check_text(
        tmp_path,
        f"""\
        sources:
          {long}: {{vendor: livechat, auth: none}}
        sinks:
          c: {{plugin: http, url: "http://127.0.0.1:9/", retry: {{retry_statuses: [999, 200, -1]}}}}
        routes:
          - {{to: c, name: " "}}
        """,
    )
    assert found == [
        f"sources.{long} (line 2): a name is at most 200 characters, got 201",
        "sinks.c.retry.retry_statuses (line 4): HTTP statuses are from 100 to 599, got 999, -1",
        "routes[0].name (line 6): a name must not be empty",
    ]
