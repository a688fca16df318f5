"""``hookyard check`` on files a user could write: every mistake named at its place, all at
once, exit status 2, never a traceback."""

from __future__ import annotations

import os
import textwrap
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner, Result

from hookyard.cli import main

if TYPE_CHECKING:
    from pathlib import Path

EVENT_FIELDS = (
    "agent, changes, chat, customer, data, id, message, occurred_at, raw, received_at, "
    "source, type, vendor, vendor_type"
)
CHAT_FIELDS = "department, id, rating, status, tags, thread_id"


def run_check(path: Path) -> Result:
    """``hookyard check --config PATH`` in this process; only a deliberate exit may end it."""
    env = {name: None for name in os.environ if name.startswith("HOOKYARD_")}
    result = CliRunner().invoke(main, ["check", "--config", str(path)], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hookyard.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    """The problems ``check`` lists for the file at ``path``, which it must reject."""
    result = run_check(path)
    assert (result.exit_code, result.stdout) == (2, "")
    header, *found = result.stderr.splitlines()
    assert header == f"hookyard: configuration {path} is not valid:"
    return [line.removeprefix("  ") for line in found]


def check_text(tmp_path: Path, text: str) -> list[str]:
    return problems(write(tmp_path, text))


def test_a_misspelled_event_type_suggests_the_right_one(tmp_path: Path) -> None:
    found = check_text(
        tmp_path,
        """\
        sinks:
          console: {plugin: log}
        routes:
          - to: console
            match: {type: chat.mesage}
          - to: console
            match: {type: [chat.started, chat.closd, made.up]}
        """,
    )
    assert found == [
        "routes[0].match.type (line 5): 'chat.mesage' is not an event type; did you mean "
        "'chat.message'? (docs/events.md lists them)",
        "routes[1].match.type (line 7): 'chat.closd' is not an event type; did you mean "
        "'chat.closed'? (docs/events.md lists them)",
        "routes[1].match.type (line 7): 'made.up' is not an event type (docs/events.md lists them)",
    ]


def test_a_match_on_a_field_events_do_not_have_is_named(tmp_path: Path) -> None:
    found = check_text(
        tmp_path,
        """\
        sinks:
          console: {plugin: log}
        routes:
          - to: console
            match:
              chat.idd: c-1
              custmer.email: zoe@example.com
              message.attachments.nme: invoice.pdf
              chat: c-1
        """,
    )
    assert found == [
        f"routes[0].match.chat.idd (line 6): chat has no field 'idd'; did you mean 'id'? "
        f"(fields: {CHAT_FIELDS})",
        f"routes[0].match.custmer.email (line 7): events have no field 'custmer'; did you "
        f"mean 'customer'? (fields: {EVENT_FIELDS})",
        "routes[0].match.message.attachments.nme (line 8): message.attachments has no field "
        "'nme'; did you mean 'name'? (fields: content_type, name, size, url)",
        "routes[0].match.chat (line 9): chat is an object; match one of its fields "
        "(chat.department, chat.id, chat.rating, chat.status, chat.tags, chat.thread_id)",
    ]


def test_nested_fields_lists_and_the_vendors_own_json_can_be_matched(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        sinks:
          console: {plugin: log}
        routes:
          - to: console
            match:
              type: [chat.rated, chat.closed]
              chat.tags: vip
              chat.rating.value: ["4", "5"]
              agent.id: null
              data.transfer.target: {anything: [goes, here]}
              changes.status: 3
              raw.payload.flag: true
        """,
    )
    result = run_check(path)
    assert (result.exit_code, result.stdout) == (0, f"{path}: OK (0 sources, 1 sinks, 1 routes)\n")


def test_a_match_value_of_the_wrong_kind_is_named(tmp_path: Path) -> None:
    found = check_text(
        tmp_path,
        """\
        sinks:
          console: {plugin: log}
        routes:
          - to: console
            match:
              chat.id: {starts: c}
              customer.id: 123
              chat.tags: [vip, [nested]]
              chat.status: true
        """,
    )
    assert found == [
        "routes[0].match.chat.id.starts (line 6): unknown operator; did you mean 'starts_with'? "
        "(operators: eq, ne, in, not_in, exists, regex, contains, starts_with, ends_with, gt, "
        "gte, lt, lte)",
        "routes[0].match.customer.id (line 7): customer.id holds text, but YAML read 123 as a "
        'number: write the value in quotes as the vendor sends it (e.g. "123"), or it never '
        "matches",
        "routes[0].match.chat.tags (line 8): expected a value or a list of values, got a list",
        "routes[0].match.chat.status (line 9): chat.status holds text, but YAML read True as "
        'true/false: write the value in quotes as the vendor sends it (e.g. "123"), or it '
        "never matches",
    ]


def test_a_template_reading_a_missing_event_field_is_named(tmp_path: Path) -> None:
    found = check_text(
        tmp_path,
        """\
        sinks:
          console: {plugin: log}
          ops: {plugin: http, url: "http://127.0.0.1:9/in"}
        routes:
          - to: console
            with:
              message: "{{ event.chatt.id }} in {{ event.chat.idd }}"
          - to: ops
            with:
              body:
                who: "{{ event['customer']['nmae'] }}"
                files: ["{{ event.message.attachments[0].sise }}", "{{ event.chat.id.x }}"]
        """,
    )
    assert found == [
        f"routes[0].with.message (line 7): reads event.chatt.id, but events have no field "
        f"'chatt'; did you mean 'chat'? (fields: {EVENT_FIELDS})",
        f"routes[0].with.message (line 7): reads event.chat.idd, but chat has no field 'idd'; "
        f"did you mean 'id'? (fields: {CHAT_FIELDS})",
        "routes[1].with.body.who (line 11): reads event.customer.nmae, but customer has no "
        "field 'nmae'; did you mean 'name'? (fields: company, email, id, name, phone)",
        "routes[1].with.body.files[0] (line 12): reads event.message.attachments[0].sise, but "
        "message.attachments[0] has no field 'sise'; did you mean 'size'? "
        "(fields: content_type, name, size, url)",
        "routes[1].with.body.files[1] (line 12): reads event.chat.id.x, but chat.id is text; "
        "it has no field 'x'",
    ]


def test_templates_may_read_the_vendors_json_methods_and_loops(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        sinks:
          console: {plugin: log}
        routes:
          - to: console
            with:
              message: >-
                {{ event.data.transfer.target }} {{ event.raw['any']['thing'] }}
                {{ event.changes.x }} {{ event.customer.name.upper() }}
                {{ event.chat.tags | join(',') }} {{ event['chat'].tags[0] }}
                {{ event.chat.get('id') }} {{ event.chat.rating.value }}
                {% for file in event.message.attachments %}{{ file.name }}{% endfor %}
        """,
    )
    assert run_check(path).exit_code == 0


def test_a_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    found = check_text(
        tmp_path,
        """\
        sinks:
          journal: {plugin: file, path: journal.jsonl}
          console: {plugin: log}
          journal:
            plugin: file
            path: other.jsonl
            path: third.jsonl
        """,
    )
    assert found == [
        "sinks.journal (line 4): duplicate key 'journal' (first at line 2); YAML would keep "
        "only this one: remove one of them or merge them",
        "sinks.journal.path (line 7): duplicate key 'path' (first at line 6); YAML would keep "
        "only this one: remove one of them or merge them",
    ]


def test_a_merge_key_may_be_overridden(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        sinks:
          fast: &fast {plugin: http, url: "http://127.0.0.1:9/a", timeout: 2s}
          slow:
            <<: *fast
            timeout: 30s
        """,
    )
    assert run_check(path).exit_code == 0


def test_numbers_out_of_range_are_each_named(tmp_path: Path) -> None:
    found = check_text(
        tmp_path,
        """\
        sources:
          chats: {vendor: livechat, secret: s, max_body_bytes: 0}
        sinks:
          ops:
            plugin: http
            url: http://127.0.0.1:9/in
            retry:
              max_attempts: 0
              initial_delay: -1
              max_delay: -2
              multiplier: 0.5
              jitter: 1.5
        workers: {concurrency: 0, lease: 0, poll_interval: 0s, shutdown_grace: -1}
        """,
    )
    assert found == [
        "sources.chats.max_body_bytes (line 2): must be at least 1, got 0",
        "sinks.ops.retry.max_attempts (line 8): must be at least 1, got 0",
        "sinks.ops.retry.initial_delay (line 9): must be at least 0, got -1.0",
        "sinks.ops.retry.max_delay (line 10): must be at least 0, got -2.0",
        "sinks.ops.retry.multiplier (line 11): must be at least 1, got 0.5",
        "sinks.ops.retry.jitter (line 12): must be from 0 to 1, got 1.5",
        "workers.concurrency (line 13): must be at least 1, got 0",
        "workers.lease (line 13): must be more than 0, got 0.0",
        "workers.poll_interval (line 13): must be more than 0, got 0.0",
        "workers.shutdown_grace (line 13): must be at least 0, got -1.0",
    ]


def test_the_edges_of_the_ranges_are_allowed(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """\
        sources:
          chats: {vendor: livechat, secret: s, max_body_bytes: 1}
        sinks:
          ops:
            plugin: http
            url: http://127.0.0.1:9/in
            retry: {max_attempts: 1, initial_delay: 0, max_delay: 0, multiplier: 1, jitter: 1}
        workers: {concurrency: 1, lease: 1ms, poll_interval: 1ms, shutdown_grace: 0}
        """,
    )
    assert run_check(path).exit_code == 0


def test_each_wrong_retention_option_is_named(tmp_path: Path) -> None:
    found = check_text(
        tmp_path,
        """\
        retention:
          delivered: 0
          dead: forever
          unparsed: 400d
          interval: -1s
          unparsd: 30d
        """,
    )
    assert found == [
        "retention.delivered (line 2): must be more than 0, got 0.0",
        "retention.dead (line 3): expected a duration such as 10s, 5m or 1h, got 'forever'",
        "retention.unparsed (line 4): expected a duration of at most a year (31536000s), "
        "got '400d'",
        "retention.interval (line 5): expected a duration such as 10s, 5m or 1h, got '-1s'",
        "retention.unparsd (line 6): unknown key; did you mean 'unparsed'? "
        "(allowed: attempts, dead, delivered, interval, links, unparsed)",
    ]


def test_retention_in_days_and_kept_forever_when_left_out(tmp_path: Path) -> None:
    path = write(tmp_path, "retention: {delivered: 30d, dead: null, unparsed: 1.5d}\n")
    assert run_check(path).exit_code == 0


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("mysql://u@db/hookyard", "got 'mysql://u@db/hookyard'"),
        ("hookyard.db", "got 'hookyard.db'"),
        (
            "sqlite://hookyard.db",
            "a SQLite URL has three slashes and a file name, got 'sqlite://hookyard.db'",
        ),
        ("postgresql://", "the PostgreSQL URL names no server or database, got 'postgresql://'"),
    ],
)
def test_a_database_url_must_be_sqlite_or_postgresql(
    tmp_path: Path, url: str, problem: str
) -> None:
    found = check_text(tmp_path, f"database: {url}\n")
    separator = ": " if "slashes" in problem or "PostgreSQL" in problem else ", "
    assert found == [
        "database (line 1): expected sqlite:///FILE or postgresql://user:password@host:port/db"
        f"{separator}{problem}"
    ]


def test_sqlite_and_postgresql_urls_pass(tmp_path: Path) -> None:
    for url in ("sqlite:///state/h.db", "sqlite:////var/h.db", "postgresql://u:p@db:5432/h"):
        assert run_check(write(tmp_path, f"database: {url}\n")).exit_code == 0


def test_a_sentry_dsn_sentry_would_refuse_is_named(tmp_path: Path) -> None:
    found = check_text(tmp_path, "sentry:\n  dsn: https://o1.ingest.sentry.io/42\n")
    assert found == [
        "sentry.dsn (line 2): not a Sentry DSN (Missing public key); copy it from the Sentry "
        "project's Client Keys page, e.g. https://KEY@o0.ingest.sentry.io/PROJECT"
    ]
    good = write(tmp_path, 'sentry: {dsn: "https://abc123@o1.ingest.sentry.io/42"}\n')
    assert run_check(good).exit_code == 0
    empty = write(tmp_path, 'sentry: {dsn: "${HOOKYARD_TEST_NO_DSN:-}"}\n')
    assert run_check(empty).exit_code == 0


def test_a_file_that_is_not_utf8_names_line_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("sinks:\n  console: {plugin: log, logger: café}\n".encode("latin-1"))
    assert problems(path) == [
        "line 2, column 37: not UTF-8: byte 0xe9 at offset 43 is not UTF-8 text; save the "
        "file as UTF-8"
    ]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda folder: folder, "Is a directory"),
        (lambda folder: folder / "missing.yaml", "No such file or directory"),
        (lambda folder: folder / "file.yaml" / "inner.yaml", "Not a directory"),
    ],
    ids=["a folder", "missing", "below a file"],
)
def test_a_file_that_cannot_be_read_says_so(tmp_path: Path, make: object, reason: str) -> None:
    (tmp_path / "file.yaml").write_text("sinks: {}\n")
    path = make(tmp_path)  # type: ignore[operator]
    result = run_check(path)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"hookyard: {path}: cannot read: {reason}\n"
    assert "not valid" not in result.stderr


def test_an_unknown_option_is_named_at_its_own_line_with_the_allowed_ones(
    tmp_path: Path,
) -> None:
    found = check_text(
        tmp_path,
        """\
        sources:
          chats:
            vendor: livechat
            secrte: s3cret
        sinks:
          ops:
            plugin: http
            url: http://127.0.0.1:9/in
            timout: 5s
            retry: {max_atempts: 3}
        routes:
          - to: ops
            mtach: {type: chat.started}
        """,
    )
    assert found == [
        "sources.chats.secrte (line 4): unknown key; did you mean 'secret'? "
        "(allowed: allow_ips, auth, basic_auth, max_body_bytes, organization_id, secret, token, "
        "vendor)",
        "sinks.ops.timout (line 9): unknown key; did you mean 'timeout'? "
        "(allowed: breaker, concurrency, headers, ordering, plugin, rate_limit, retry, secret, "
        "timeout, url, when_dead)",
        "sinks.ops.retry.max_atempts (line 10): unknown key; did you mean 'max_attempts'? "
        "(allowed: initial_delay, jitter, max_attempts, max_delay, multiplier, "
        "permanent_statuses, retry_statuses)",
        "routes[0].mtach (line 13): unknown key; did you mean 'match'? (allowed: action, "
        "continue, dedup, enabled, group, match, name, retry, throttle, to, when, with)",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "sinks:\n\tconsole: {plugin: log}\n",
            "line 2, column 1: not valid YAML: a tab character; indent with spaces only "
            "(found character '\\t' that cannot start any token)",
        ),
        (
            'sinks:\n  console: {plugin: "log}\nroutes: []\n',
            "line 2, column 21: not valid YAML: this quote is never closed; add the closing "
            "quote (found unexpected end of stream)",
        ),
        (
            "routes:\n  - {to: console, match: {type: [chat.started}}\n",
            "line 2, column 33: not valid YAML: this '[' is not closed; add ']' and separate "
            "items with ',' (expected ',' or ']', but got '}')",
        ),
        (
            "sinks:\n  console: {plugin: log\nroutes: []\n",
            "line 2, column 12: not valid YAML: this '{' is not closed; add '}' and separate "
            "entries with ',' (expected ',' or '}', but got ':')",
        ),
        (
            "sinks:\n  console\n  ops: {plugin: log}\n",
            "line 3, column 6: not valid YAML: unexpected ':'; quote a value that contains "
            "': ', write a space after the colon of the key above (`key: value`), or fix the "
            "indentation (mapping values are not allowed here)",
        ),
        (
            "sinks: {}\nroutes\nworkers: {}\n",
            "line 2, column 1: not valid YAML: this key has no ': ' after it; write "
            "`key: value` (a colon, then a space) (could not find expected ':')",
        ),
        (
            "sinks:\n  console:\n    plugin: log\n   level: info\n",
            "line 4, column 4: not valid YAML: the indentation does not match the lines above; "
            "keys of one mapping start in the same column, and list items (`- `) too "
            "(expected <block end>, but found '<block mapping start>')",
        ),
        (
            "sinks: {}\x07\n",
            "line 1, column 10: not valid YAML: character #x0007 is not allowed in YAML; remove it",
        ),
    ],
    ids=["tab", "quote", "bracket", "brace", "colon", "no colon", "indentation", "control"],
)
def test_a_yaml_syntax_error_says_what_to_fix(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "hookyard.yaml"
    path.write_text(text)
    assert problems(path) == [problem]


def test_every_problem_of_a_file_is_listed_in_one_run_in_file_order(tmp_path: Path) -> None:
    found = check_text(
        tmp_path,
        """\
        database: sqlite:///h.db
        sources:
          chats: {vendor: livechat, secret: "${HOOKYARD_TEST_UNSET_SECRET}"}
        sinks:
          ops: {plugin: http, url: "ftp://example.com/in"}
        routes:
          - to: ops
            match: {type: chat.mesage}
            with: {body: "{{ event.chatt }}", bdy: x}
          - to: nowhere
            retry: {max_attempts: 0}
            with: {message: "{{ event.chat.idd }}"}
        workers: {concurrency: 0}
        """,
    )
    assert found == [
        "sources.chats.secret (line 3): environment variable HOOKYARD_TEST_UNSET_SECRET is not set",
        "sinks.ops.url (line 5): url must start with http:// or https:// (got scheme 'ftp')",
        "routes[0].match.type (line 8): 'chat.mesage' is not an event type; did you mean "
        "'chat.message'? (docs/events.md lists them)",
        "routes[0].with.bdy (line 9): sink 'ops' action 'post' takes no 'bdy' (it takes body, "
        "headers)",
        f"routes[0].with.body (line 9): reads event.chatt, but events have no field 'chatt'; "
        f"did you mean 'chat'? (fields: {EVENT_FIELDS})",
        "routes[1].to (line 10): no sink named 'nowhere' (sinks: ops)",
        "routes[1].retry.max_attempts (line 11): must be at least 1, got 0",
        f"routes[1].with.message (line 12): reads event.chat.idd, but chat has no field "
        f"'idd'; did you mean 'id'? (fields: {CHAT_FIELDS})",
        "workers.concurrency (line 13): must be at least 1, got 0",
    ]


def test_a_wrong_auth_does_not_hide_the_sources_other_problems(tmp_path: Path) -> None:
    found = check_text(
        tmp_path,
        """\
        sources:
          chats: {vendor: livechat, auth: basic, max_body_bytes: 0}
        """,
    )
    assert found == [
        "sources.chats.auth (line 2): auth must be 'none' or left out, got 'basic'",
        "sources.chats.max_body_bytes (line 2): must be at least 1, got 0",
    ]
