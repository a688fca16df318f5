"""create_issue against the Jira contract server: the issue Jira gets, once per conversation."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from jira_support import CUSTOM_FIELD, open_sink

from hookyard import DeliveryFailed
from hookyard.testing import delivery_request, would_retry
from hookyard_jira import CreateIssueParams, conversation_label

if TYPE_CHECKING:
    from hookyard import DeliveryRequest
    from hookyard.testing import JiraApi
    from hookyard_jira import JiraSink

CREATE = "POST /rest/api/3/issue$"


def create(chat_id: str | None = "chat-1", **params: Any) -> DeliveryRequest:
    given = {"summary": "Order not delivered", **params}
    return delivery_request("create_issue", CreateIssueParams(**given), chat_id=chat_id)


async def test_the_issue_has_every_field_and_its_key_is_kept(jira: JiraApi, sink: JiraSink) -> None:
    request = create(
        description="Hello,\nmy order has not arrived.\n\nOrder 1234.",
        labels=["chat", "vip customer"],
        priority="High",
        fields={CUSTOM_FIELD: "EU"},
    )
    result = await sink.deliver(request)
    [issue] = jira.issues.values()
    assert result.link == {"issue_key": "SUP-1", "issue_id": issue.id}
    assert result.response == "created SUP-1"
    label = conversation_label(request)
    assert issue.fields["labels"] == ["chat", "vip_customer", label]
    assert issue.fields["project"] == {"key": "SUP"}
    assert issue.fields["issuetype"] == {"name": "Task"}
    assert issue.fields["priority"] == {"name": "High"}
    assert issue.fields[CUSTOM_FIELD] == "EU"
    assert issue.fields["description"]["content"] == [
        {
            "type": "paragraph",
            "content": [
                {"type": "text", "text": "Hello,"},
                {"type": "hardBreak"},
                {"type": "text", "text": "my order has not arrived."},
            ],
        },
        {"type": "paragraph", "content": [{"type": "text", "text": "Order 1234."}]},
    ]


def test_the_label_is_a_hash_of_the_conversation_without_spaces() -> None:
    request = delivery_request("create_issue", chat_id="a chat with spaces")
    again = delivery_request("create_issue", chat_id="a chat with spaces")
    other = delivery_request("create_issue", chat_id="another")
    label = conversation_label(request)
    assert label == conversation_label(again) != conversation_label(other)
    assert label.startswith("hookyard-") and len(label) == len("hookyard-") + 16
    assert " " not in label


async def test_a_long_summary_on_several_lines_is_one_line_jira_takes(
    jira: JiraApi, sink: JiraSink
) -> None:
    await sink.deliver(create(summary="Order\nnot   delivered " + "x" * 300))
    [issue] = jira.issues.values()
    assert issue.fields["summary"].startswith("Order not delivered xxx")
    assert len(issue.fields["summary"]) == 255 and issue.fields["summary"].endswith("…")


async def test_issue_type_of_the_route_replaces_the_sinks(jira: JiraApi) -> None:
    async with open_sink(jira, issue_type="Bug") as sink:
        await sink.deliver(create())
        await sink.deliver(create(chat_id="chat-2", issue_type="Task"))
    assert [i.fields["issuetype"]["name"] for i in jira.issues.values()] == ["Bug", "Task"]


async def test_a_linked_conversation_makes_no_second_issue(jira: JiraApi, sink: JiraSink) -> None:
    first = await sink.deliver(create())
    request = attrs.evolve(create(), link=first.link or {})
    again = await sink.deliver(request)
    assert len(jira.issues) == 1
    assert again.response == "SUP-1 is the conversation's issue"
    assert not jira.handled("POST", "/rest/api/3/search/jql")[1:]


async def test_an_issue_already_labelled_is_found_instead_of_made(
    jira: JiraApi, sink: JiraSink
) -> None:
    """The link was lost (a new database): the label search finds the issue."""
    await sink.deliver(create())
    found = await sink.deliver(create())
    assert len(jira.issues) == 1
    assert found.link == {"issue_key": "SUP-1", "issue_id": jira.issues["SUP-1"].id}
    assert (found.response or "").startswith("found SUP-1 by its label hookyard-")
    [search, *_] = [r.json() for r in jira.handled("POST", "/rest/api/3/search/jql")]
    assert search["jql"].startswith('project = "SUP" AND labels = "hookyard-')
    assert search["fields"] == ["summary"]


async def test_an_event_of_no_conversation_gets_an_issue_per_delivery(
    jira: JiraApi, sink: JiraSink
) -> None:
    first, second = create(chat_id=None), create(chat_id=None)
    await sink.deliver(first)
    await sink.deliver(attrs.evolve(first, attempt=2))
    await sink.deliver(second)
    assert len(jira.issues) == 2


async def test_a_timeout_after_jira_created_it_is_retried_without_a_duplicate(
    jira: JiraApi,
) -> None:
    jira.slow_next(1.5, match=CREATE)
    request = create()
    async with open_sink(jira, timeout=0.5) as sink:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(request)
        assert would_retry(failed.value)
        assert failed.value.reason == "create_issue: timed out after 0.5s"
        assert len(jira.issues) == 1  # Jira made it; the answer came too late
        retried = await sink.deliver(attrs.evolve(request, attempt=2))
    assert len(jira.issues) == 1
    assert retried.link == {"issue_key": "SUP-1", "issue_id": jira.issues["SUP-1"].id}
    assert len(jira.handled("POST", "/rest/api/3/issue")) == 1


async def test_a_retry_after_the_index_caught_up_finds_the_issue(jira: JiraApi) -> None:
    """Jira's search lags its writes: a retry later than the lag finds the issue."""
    jira.index_delay = 0.5
    jira.slow_next(1.5, match=CREATE)
    request = create()
    async with open_sink(jira, timeout=0.5) as sink:
        with pytest.raises(DeliveryFailed):
            await sink.deliver(request)
        [issue] = jira.issues.values()
        await asyncio.sleep(issue.created + jira.index_delay - time.monotonic() + 0.05)
        await sink.deliver(attrs.evolve(request, attempt=2))
    assert len(jira.issues) == 1


async def test_a_retry_sooner_than_the_index_lag_makes_a_duplicate(jira: JiraApi) -> None:
    """The guard's limit, as the README says: within the lag the search cannot see it."""
    jira.index_delay = 5.0
    jira.slow_next(1.5, match=CREATE)
    request = create()
    async with open_sink(jira, timeout=0.5) as sink:
        with pytest.raises(DeliveryFailed):
            await sink.deliver(request)
        await sink.deliver(attrs.evolve(request, attempt=2))
    label = conversation_label(request)
    assert [i.key for i in jira.labelled(label)] == ["SUP-1", "SUP-2"]
