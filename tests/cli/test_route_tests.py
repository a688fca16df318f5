"""``hookyard test``: route test files pass, fail with a diff, or are wrong themselves."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from hookyard.cli import main

ROOT = Path(__file__).parents[2]

CONFIG = """\
sources:
  livechat: {vendor: livechat, secret: s3cret-for-tests}
sinks:
  slack: {plugin: slack, token: xoxb-test-token}
  zendesk: {plugin: log}
routes:
  - name: vip chats
    match: {type: chat.started, chat.tags: vip}
    to: slack
    with: {text: "VIP {{ event.customer.name }}", channel: C0123ABCD}
  - name: bad ratings
    match: {type: chat.rated, chat.rating.value: bad}
    to: zendesk
"""

PASSING = """\
config: hookyard.yaml
cases:
  - name: vip chats reach slack
    event: {type: chat.started, chat: {tags: [vip]}, customer: {name: Ann}}
    expect:
      - {route: vip chats, sink: slack, action: post, params: {channel: C0123ABCD}}
    not_expect:
      - {sink: zendesk}
  - name: a bad rating of a payload
    payload: {source: livechat, file: payloads/rated.json}
    expect:
      - {sink: zendesk}
  - name: LiveChat's new chat is no vip
    fixture: {vendor: livechat, action: incoming_chat}
    expect: []
"""

FAILING = """\
config: hookyard.yaml
cases:
  - name: vip chats reach slack
    event: {type: chat.started, chat: {tags: [vip]}, customer: {name: Ann}}
    expect:
      - {route: vip chats, params: {channel: C9999ZZZZ, text: VIP Ann}}
      - {sink: zendesk}
    not_expect:
      - {sink: slack}
  - name: ordinary chats go nowhere
    event: {type: chat.started, chat: {tags: [vip]}}
    expect: []
"""

WRONG = """\
config: hookyard.yaml
cases:
  - name: a typo in every place
    event: {type: chat.startd, chat: {tag: [vip]}}
    expect:
      - {route: vip chat}
      - {sink: slak}
      - {sink: slack, action: append}
  - name: two ways to give an event
    event: {type: chat.started}
    fixture: {vendor: livechat, action: incoming_chat}
    expect: []
  - name: nothing expected
    event: {type: chat.started}
"""

#: A LiveChat ``incoming_event`` with a bad rating, as the plugin parses it.
RATED = {
    "webhook_id": "w1",
    "secret_key": "not-checked",
    "action": "incoming_event",
    "organization_id": "o1",
    "payload": {
        "chat_id": "C1",
        "thread_id": "T1",
        "event": {
            "id": "T1_5",
            "created_at": "2026-03-02T10:00:00.000000Z",
            "type": "system_message",
            "system_message_type": "rating.chat_rated",
            "text": "Ann rated the chat as bad",
            "text_vars": {"customer": "Ann", "score": "bad"},
        },
    },
    "additional_data": {},
}


def cli(*args: str) -> Result:
    """``hookyard ARGS`` in this process; only a deliberate exit may end it."""
    env = {name: None for name in os.environ if name.startswith("HOOKYARD_")}
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "hookyard.yaml").write_text(CONFIG)
    (tmp_path / "payloads").mkdir()
    (tmp_path / "payloads" / "rated.json").write_text(json.dumps(RATED))
    return tmp_path


def _file(folder: Path, text: str) -> str:
    path = folder / "routes.test.yaml"
    path.write_text(text)
    return str(path)


def test_a_passing_test_file_says_ok_for_each_case(folder: Path) -> None:
    path = _file(folder, PASSING)
    result = cli("test", path)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        path,
        "  ok    vip chats reach slack",
        "  ok    a bad rating of a payload",
        "  ok    LiveChat's new chat is no vip",
        "3 passed, 0 failed",
    ]


def test_a_failing_case_shows_what_is_missing_what_differs_and_what_was_planned(
    folder: Path,
) -> None:
    path = _file(folder, FAILING)
    result = cli("test", path)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        path,
        "  FAIL  vip chats reach slack",
        "        cases[0].expect[0] (line 6): missing a delivery with route 'vip chats', "
        'params {"channel":"C9999ZZZZ","text":"VIP Ann"}',
        "          'vip chats' -> slack.post has other params:",
        '            params.channel: expected "C9999ZZZZ", got "C0123ABCD"',
        "        cases[0].expect[1] (line 7): missing a delivery with sink 'zendesk'",
        "          planned instead:",
        "            'vip chats' -> slack.post",
        "        cases[0].not_expect[0] (line 9): not expected, but planned: "
        "'vip chats' -> slack.post",
        "  FAIL  ordinary chats go nowhere",
        "        cases[1].expect (line 12): expected no delivery",
        "          planned: 'vip chats' -> slack.post",
        "0 passed, 2 failed",
    ]


def test_the_json_summary_has_every_case_with_its_planned_deliveries(folder: Path) -> None:
    result = cli("test", "--json", _file(folder, FAILING))
    assert result.exit_code == 1
    summary = json.loads(result.stdout)
    assert (summary["passed"], summary["failed"]) == (0, 2)
    first = summary["cases"][0]
    assert (first["name"], first["case"], first["passed"]) == (
        "vip chats reach slack",
        "cases[0] (line 3)",
        False,
    )
    [planned] = first["planned"]
    assert planned["route"] == "vip chats"
    assert planned["params"] == {"text": "VIP Ann", "channel": "C0123ABCD"}
    assert '    params.channel: expected "C9999ZZZZ", got "C0123ABCD"' in first["failures"]


def test_a_wrong_test_file_names_each_mistake_at_its_place_and_runs_nothing(
    folder: Path,
) -> None:
    path = _file(folder, WRONG)
    result = cli("test", path, _file(folder, WRONG))
    assert result.exit_code == 2
    assert result.stdout == ""
    problems = result.stderr.splitlines()
    assert problems[:7] == [
        f"hookyard: test file {path} is not valid:",
        "  cases[0].event.chat.tag (line 4): not a field of the event; did you mean 'tags'? "
        "(docs/events.md)",
        "  cases[0].event.type (line 4): 'chat.startd' is not a normalized event type",
        "  cases[0].expect[0].route (line 6): no route named 'vip chat'; did you mean 'vip chats'?",
        "  cases[0].expect[1].sink (line 7): no sink named 'slak'; did you mean 'slack'?",
        "  cases[0].expect[2].action (line 8): sink 'slack' has no action 'append'; "
        "it has post, update",
        "  cases[1] (line 9): a case takes one of event, events, fixture, payload "
        "(it has event, fixture)",
    ]
    assert problems[7] == "  cases[2] (line 13): a case needs expect, not_expect, or both"


def test_a_wrong_configuration_is_the_test_files_problem(folder: Path) -> None:
    (folder / "hookyard.yaml").write_text(CONFIG.replace("to: zendesk", "to: zendeks"))
    path = _file(folder, PASSING)
    result = cli("test", path)
    assert result.exit_code == 2
    [header, problem] = result.stderr.splitlines()
    assert header == f"hookyard: test file {path} is not valid:"
    assert problem.startswith(f"  config (line 1): {folder}/hookyard.yaml: routes[1].to (line 13)")


def test_the_examples_test_files_pass() -> None:
    files = sorted(str(p) for p in (ROOT / "examples").glob("*.test.yaml"))
    assert [Path(f).name for f in files] == ["hookyard.test.yaml", "support-team.test.yaml"]
    result = cli("test", *files)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "9 passed, 0 failed"


def test_the_documented_test_file_is_part_of_the_examples() -> None:
    docs = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    block = docs.split("### Testing routes", 1)[1].split("```yml\n", 1)[1].split("```\n", 1)[0]
    assert block in (ROOT / "examples" / "support-team.test.yaml").read_text(encoding="utf-8")
