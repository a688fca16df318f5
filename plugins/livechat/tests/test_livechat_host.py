"""Through a real host (``hookyard.testing``): stored, duplicates, 400 and 401 as documented."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from livechat_support import SECRET, changed, load

from hookyard_livechat._simulate import ACTIONS

if TYPE_CHECKING:
    from hookyard.testing import HostFactory

CONFIG = {"sources": {"livechat-main": {"vendor": "livechat", "secret": SECRET}}}


async def test_a_retry_is_a_duplicate(hookyard_host: HostFactory) -> None:
    body = json.dumps(load("incoming_event")).encode()
    async with hookyard_host(CONFIG) as host:
        first = await host.post("livechat-main", body)
        again = await host.post("livechat-main", body)
    assert (first.status, first.body) == (200, {"stored": 1, "duplicates": 0})
    assert (again.status, again.body) == (200, {"stored": 0, "duplicates": 1})


async def test_tag_untag_tag_is_three_events_and_retries_stay_duplicates(
    hookyard_host: HostFactory,
) -> None:
    """The same tag added, removed and added again: the second add sends the first's body."""
    tagged = json.dumps(load("thread_tagged")).encode()
    untagged = json.dumps(load("thread_untagged")).encode()
    async with hookyard_host(CONFIG) as host:
        answers = [
            await host.post("livechat-main", body)
            for body in (tagged, tagged, untagged, untagged, tagged, tagged)
        ]
    assert [(a.status, a.body["stored"], a.body["duplicates"]) for a in answers] == [
        (200, 1, 0),
        (200, 0, 1),
        (200, 1, 0),
        (200, 0, 1),
        (200, 1, 0),
        (200, 0, 1),
    ]


async def test_another_tag_between_does_not_make_a_retry_new(hookyard_host: HostFactory) -> None:
    tagged = json.dumps(load("thread_tagged")).encode()
    other = json.dumps(changed("thread_tagged", "payload", "tag", value="sales")).encode()
    async with hookyard_host(CONFIG) as host:
        answers = [await host.post("livechat-main", body) for body in (tagged, other, tagged)]
    assert [a.body["stored"] for a in answers] == [1, 1, 0]


async def test_a_retry_after_the_opposite_event_is_stored_as_a_repeat(
    hookyard_host: HostFactory,
) -> None:
    """The edge the README names: tag, untag, then a late retry of the tag."""
    tagged = json.dumps(load("thread_tagged")).encode()
    untagged = json.dumps(load("thread_untagged")).encode()
    async with hookyard_host(CONFIG) as host:
        answers = [await host.post("livechat-main", body) for body in (tagged, untagged, tagged)]
    assert [a.body["stored"] for a in answers] == [1, 1, 1]


async def test_a_malformed_delivery_is_400_naming_the_place(hookyard_host: HostFactory) -> None:
    body = changed("incoming_chat", "payload", "chat", "users", 1, "email", value=3)
    async with hookyard_host(CONFIG) as host:
        answered = await host.post("livechat-main", body)
    assert answered.status == 400
    assert answered.body == {"error": "payload.chat.users[1].email: expected a string, got 3"}


async def test_a_wrong_secret_is_401(hookyard_host: HostFactory) -> None:
    body = changed("thread_tagged", "secret_key", value="not-the-secret")
    async with hookyard_host(CONFIG) as host:
        answered = await host.post("livechat-main", body)
    assert answered.status == 401


async def test_every_simulated_action_is_stored(hookyard_host: HostFactory) -> None:
    async with hookyard_host(CONFIG) as host:
        answers = {action: await host.simulate("livechat-main", action) for action in ACTIONS}
    stored = {action: (a.status, a.body) for action, a in answers.items()}
    assert stored == dict.fromkeys(ACTIONS, (200, {"stored": 1, "duplicates": 0}))
