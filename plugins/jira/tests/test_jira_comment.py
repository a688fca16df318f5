"""add_comment against the Jira contract server: on the conversation's issue, once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import pytest
from jira_support import open_sink

from hookyard import DeliveryFailed
from hookyard.testing import delivery_request, would_retry
from hookyard_jira import PROPERTY, AddCommentParams, CreateIssueParams

if TYPE_CHECKING:
    from hookyard import DeliveryRequest
    from hookyard.testing import JiraApi
    from hookyard_jira import JiraSink

COMMENT = "POST /rest/api/3/issue/[^/]+/comment$"


def comment(body: str = "Any news?", chat_id: str | None = "chat-1", **kw: Any) -> DeliveryRequest:
    return delivery_request("add_comment", AddCommentParams(body=body), chat_id=chat_id, **kw)


async def issue_of_the_chat(sink: JiraSink, chat_id: str = "chat-1") -> dict[str, Any]:
    params = CreateIssueParams(summary="Chat")
    made = await sink.deliver(delivery_request("create_issue", params, chat_id=chat_id))
    return dict(made.link or {})


async def test_the_comment_goes_to_the_linked_issue_as_a_document(
    jira: JiraApi, sink: JiraSink
) -> None:
    link = await issue_of_the_chat(sink)
    result = await sink.deliver(comment("Any news?\nIt has been a week.", link=link))
    [made] = jira.issues["SUP-1"].comments
    assert made.body == {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "Any news?"},
                    {"type": "hardBreak"},
                    {"type": "text", "text": "It has been a week."},
                ],
            }
        ],
    }
    assert result.response == f"commented on SUP-1 (comment {made.id})"
    assert result.link is None  # the link stays as it was


async def test_each_comment_is_marked_with_its_delivery(jira: JiraApi, sink: JiraSink) -> None:
    link = await issue_of_the_chat(sink)
    request = comment(link=link)
    await sink.deliver(request)
    [made] = jira.comments()
    assert made.properties == {PROPERTY: {"delivery": request.idempotency_key}}


async def test_without_a_link_the_issue_is_found_by_its_label(
    jira: JiraApi, sink: JiraSink
) -> None:
    await issue_of_the_chat(sink)
    result = await sink.deliver(comment())
    assert len(jira.issues["SUP-1"].comments) == 1
    assert result.link == {"issue_key": "SUP-1", "issue_id": jira.issues["SUP-1"].id}


async def test_a_timeout_after_jira_commented_is_retried_without_a_duplicate(
    jira: JiraApi,
) -> None:
    async with open_sink(jira, timeout=0.5) as sink:
        link = await issue_of_the_chat(sink)
        await sink.deliver(comment("An earlier message", link=link))
        jira.slow_next(1.5, match=COMMENT)
        request = comment("Still waiting", link=link)
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(request)
        assert would_retry(failed.value)
        retried = await sink.deliver(attrs.evolve(request, attempt=2))
    texts = [c.body["content"][0]["content"][0]["text"] for c in jira.comments()]
    assert texts == ["An earlier message", "Still waiting"]
    assert (
        retried.response
        == f"comment {jira.comments()[1].id} on SUP-1 was made by an earlier attempt"
    )


async def test_a_retry_whose_first_attempt_failed_before_jira_commented_comments(
    jira: JiraApi, sink: JiraSink
) -> None:
    link = await issue_of_the_chat(sink)
    jira.fail_next(jira.rate_limited(), match=COMMENT)
    request = comment(link=link)
    with pytest.raises(DeliveryFailed):
        await sink.deliver(request)
    await sink.deliver(attrs.evolve(request, attempt=2))
    assert len(jira.comments()) == 1


async def test_the_retry_looks_through_every_page_of_comments(
    jira: JiraApi, sink: JiraSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hookyard_jira._sink

    monkeypatch.setattr(hookyard_jira._sink, "COMMENT_PAGE", 2)
    link = await issue_of_the_chat(sink)
    request = comment("the first", link=link)
    await sink.deliver(request)
    for number in range(4):
        await sink.deliver(comment(f"later {number}", link=link))
    again = await sink.deliver(attrs.evolve(request, attempt=2))
    assert len(jira.comments()) == 5
    assert (again.response or "").endswith("was made by an earlier attempt")
    assert len(jira.handled("GET", r"/rest/api/3/issue/SUP-1/comment")) == 3


async def test_no_issue_yet_is_retried_and_says_so(jira: JiraApi, sink: JiraSink) -> None:
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(comment())
    assert failed.value.reason.startswith("add comment: no issue of this conversation yet")
    assert would_retry(failed.value)
    assert jira.comments() == []


async def test_a_body_of_control_characters_or_no_conversation_is_dead_at_once(
    jira: JiraApi, sink: JiraSink
) -> None:
    """A blank body is refused by ``hookyard check`` / routing; control characters are
    dropped (Jira refuses them), which may leave nothing to say."""
    link = await issue_of_the_chat(sink)
    reasons = []
    for request in (comment("\x07\x00", link=link), comment(chat_id=None)):
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(request)
        assert not would_retry(failed.value)
        reasons.append(failed.value.reason)
    assert reasons == [
        "add comment: the body is blank",
        "add comment: the event has no chat or customer, so no issue",
    ]
    assert jira.comments() == []
