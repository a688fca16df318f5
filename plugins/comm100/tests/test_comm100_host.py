"""Through a real host (``hookyard.testing``): stored once, 400 for what is not Comm100's,
and a source's ``token`` keeps out requests without it.

Comm100 signs nothing, so the parse-through tests use ``auth: none``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from comm100_support import HOST_CONFIG, SOURCE, fixture_names, load, raw

from hookyard.testing import BUILT_IN, ConfigError, load_config
from hookyard_comm100 import ACTIONS

if TYPE_CHECKING:
    from pathlib import Path

    from hookyard.testing import HostFactory

TOKEN = "t0k3n-of-at-least-sixteen-characters"
TOKEN_CONFIG = {"sources": {SOURCE: {"vendor": "comm100", "token": TOKEN}}}
JSON = {"content-type": "application/json"}


async def test_every_fixture_is_stored_once(hookyard_host: HostFactory) -> None:
    async with hookyard_host(HOST_CONFIG) as host:
        for name in fixture_names():
            first = await host.post(SOURCE, raw(name), JSON)
            retry = await host.post(SOURCE, raw(name), JSON)
            assert (first.status, first.body) == (200, {"stored": 1, "duplicates": 0}), name
            assert (retry.status, retry.body) == (200, {"stored": 0, "duplicates": 1}), name


async def test_an_agent_status_after_another_agents_is_stored(hookyard_host: HostFactory) -> None:
    async with hookyard_host(HOST_CONFIG) as host:
        one = await host.post(SOURCE, {"event": "online", "operator_id": 1}, JSON)
        other = await host.post(SOURCE, {"event": "online", "operator_id": 2}, JSON)
        away = await host.post(SOURCE, {"event": "away", "operator_id": 1}, JSON)
    assert [a.body for a in (one, other, away)] == [{"stored": 1, "duplicates": 0}] * 3


async def test_away_online_away_is_three_events(hookyard_host: HostFactory) -> None:
    """The second ``away`` sends the first's body; the ``online`` between makes it new."""
    away, online = raw("agent_away"), raw("agent_online")
    async with hookyard_host(HOST_CONFIG) as host:
        answers = [
            await host.post(SOURCE, body, JSON) for body in (away, away, online, online, away, away)
        ]
    assert [(a.status, a.body["stored"], a.body["duplicates"]) for a in answers] == [
        (200, 1, 0),
        (200, 0, 1),
        (200, 1, 0),
        (200, 0, 1),
        (200, 1, 0),
        (200, 0, 1),
    ]


async def test_another_agents_status_between_does_not_make_a_retry_new(
    hookyard_host: HostFactory,
) -> None:
    async with hookyard_host(HOST_CONFIG) as host:
        answers = [
            await host.post(SOURCE, {"event": "away", "operator_id": operator}, JSON)
            for operator in (1, 2, 1)
        ]
    assert [a.body["stored"] for a in answers] == [1, 1, 0]


async def test_a_retry_after_the_opposite_status_is_stored_as_a_repeat(
    hookyard_host: HostFactory,
) -> None:
    """The edge the README names: away, online, then a late retry of the away."""
    away, online = raw("agent_away"), raw("agent_online")
    async with hookyard_host(HOST_CONFIG) as host:
        answers = [await host.post(SOURCE, body, JSON) for body in (away, online, away)]
    assert [a.body["stored"] for a in answers] == [1, 1, 1]


async def test_a_chat_transferred_back_is_a_new_event(hookyard_host: HostFactory) -> None:
    to_ana = load("chat_transferred")
    to_li = load("chat_transferred")
    to_li["chat"]["operators"] = [{"id": "77", "name": "Li"}]
    async with hookyard_host(HOST_CONFIG) as host:
        answers = [await host.post(SOURCE, body, JSON) for body in (to_ana, to_ana, to_li, to_ana)]
    assert [a.body["stored"] for a in answers] == [1, 0, 1, 1]


NOT_COMM100 = [
    b"not json",
    b"[1, 2]",
    b'{"action": "incoming_chat", "payload": {}}',
    b'{"event": "chat_started", "visitor": {"chat_id": [1]}}',
    b'{"event": "online"}',
    b"\xff",
]


async def test_what_is_not_comm100s_is_400(hookyard_host: HostFactory) -> None:
    async with hookyard_host(HOST_CONFIG) as host:
        answers = [await host.post(SOURCE, body, JSON) for body in NOT_COMM100]
        good = await host.post(SOURCE, raw("chat_started"), JSON)
    assert [answer.status for answer in answers] == [400] * len(NOT_COMM100)
    assert good.body == {"stored": 1, "duplicates": 0}  # the refused bodies left nothing behind


async def test_simulated_deliveries_are_stored(hookyard_host: HostFactory) -> None:
    async with hookyard_host(HOST_CONFIG) as host:
        answers = {action: await host.simulate(SOURCE, action) for action in ACTIONS}
    for action, answered in answers.items():
        assert (answered.status, answered.body) == (200, {"stored": 1, "duplicates": 0}), action


def test_a_source_without_token_or_auth_none_is_refused(tmp_path: Path) -> None:
    config = {"sources": {SOURCE: {"vendor": "comm100"}}}
    with pytest.raises(ConfigError) as info:
        load_config(config, tmp_path, disabled=BUILT_IN)
    [problem] = info.value.problems
    assert "no authentication configured" in problem and "auth: none" in problem


async def test_token_source_refuses_requests_without_the_right_token(
    hookyard_host: HostFactory,
) -> None:
    body = raw("chat_ended")
    async with hookyard_host(TOKEN_CONFIG) as host:
        missing = await host.post(SOURCE, body, JSON)
        wrong = await host.post(SOURCE, body, JSON, query="token=not-the-token-at-all-000")
        assert (missing.status, wrong.status) == (401, 401)
        right = await host.post(SOURCE, body, JSON, query=f"token={TOKEN}")
        simulated = await host.simulate(SOURCE, "chat_started")
    assert (right.status, right.body) == (200, {"stored": 1, "duplicates": 0})
    assert (simulated.status, simulated.body) == (200, {"stored": 1, "duplicates": 0})


#: Values of the wrong kind for any field (a lone surrogate, a number past 64 bits ...).
ODD_VALUES: list[object] = [None, [], {"x": 1}, "\ud800", 1.5, True, 10**30, "/Date(9e9)/"]


def _variants() -> list[tuple[str, bytes]]:
    """Each object of a few fixtures with one field replaced by each odd value."""
    found = []
    for name, where in [
        ("chat_ended", "visitor"),
        ("chat_ended", "chat"),
        ("offline_message_submitted", "offline_message"),
        ("chat_wrapped_up", "wrapup"),
        ("chat_wrapped_up", ""),
        ("agent_online", ""),
    ]:
        for key in load(name).get(where, {}) if where else load(name):
            for value in ODD_VALUES:
                body = load(name)
                (body[where] if where else body)[key] = value
                found.append((f"{name} {where}.{key}={value!r}", json.dumps(body).encode()))
    return found


async def test_intake_never_answers_500(hookyard_host: HostFactory) -> None:
    async with hookyard_host(HOST_CONFIG) as host:
        for what, body in _variants():
            answered = await host.post(SOURCE, body, JSON)
            assert answered.status in {200, 400}, what
