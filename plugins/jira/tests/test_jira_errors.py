"""How Jira's refusals end: dead with Jira's own words, retried, or pausing the sink."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Any

import pytest
from jira_support import CUSTOM_FIELD, EMAIL, TOKEN, open_sink

from hookyard import DeliveryFailed, Seconds
from hookyard.testing import (
    Reply,
    assert_sink_contract,
    delivery_request,
    json_reply,
    would_retry,
)
from hookyard_jira import AddCommentParams, CreateIssueParams, JiraConfig, JiraSink

if TYPE_CHECKING:
    from hookyard import DeliveryRequest
    from hookyard.testing import JiraApi

SEARCH = "POST /rest/api/3/search/jql"


def create(**params: Any) -> DeliveryRequest:
    given = {"summary": "Order not delivered", **params}
    return delivery_request("create_issue", CreateIssueParams(**given))


async def failure(sink: JiraSink, request: DeliveryRequest) -> DeliveryFailed:
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(request)
    return failed.value


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"priority": "Urgent"}, "priority: Priority name 'Urgent' is not valid"),
        ({"issue_type": "Epic"}, "issuetype: Specify a valid issue type"),
        (
            {"fields": {"customfield_99999": 1}},
            "customfield_99999: Field 'customfield_99999' cannot be set. It is not on the "
            "appropriate screen, or unknown.",
        ),
    ],
)
async def test_a_refused_field_is_dead_with_jiras_message(
    jira: JiraApi, sink: JiraSink, params: dict[str, Any], reason: str
) -> None:
    failed = await failure(sink, create(**params))
    assert failed.reason == f"create issue: Jira answered 400: {reason}"
    assert (failed.status_code, would_retry(failed)) == (400, False)
    assert '"errors"' in (failed.response or "")
    assert jira.issues == {}


async def test_an_unknown_project_is_dead_with_jiras_message(jira: JiraApi) -> None:
    async with open_sink(jira, project="NOPE") as sink:
        failed = await failure(sink, create(fields={CUSTOM_FIELD: "EU"}))
    assert (
        failed.reason
        == "create issue: Jira answered 400: project: Specify a valid project ID or key"
    )
    assert not would_retry(failed)


async def test_a_wrong_token_is_dead_with_jiras_plain_text(jira: JiraApi) -> None:
    async with open_sink(jira, token="not-the-token") as sink:
        failed = await failure(sink, create())
    assert failed.reason == (
        "search: Jira answered 401: Client must be authenticated to access this resource."
    )
    assert not would_retry(failed)


async def test_no_permission_is_dead(jira: JiraApi, sink: JiraSink) -> None:
    refusal = {"errorMessages": ["You do not have permission to create issues in this project."]}
    jira.fail_next(json_reply(403, {**refusal, "errors": {}}), match="POST /rest/api/3/issue$")
    failed = await failure(sink, create())
    assert failed.reason == (
        "create issue: Jira answered 403: "
        "You do not have permission to create issues in this project."
    )
    assert not would_retry(failed)


async def test_a_comment_on_a_deleted_issue_is_dead(jira: JiraApi, sink: JiraSink) -> None:
    request = delivery_request(
        "add_comment", AddCommentParams(body="hi"), link={"issue_key": "SUP-404"}
    )
    failed = await failure(sink, request)
    assert failed.reason == (
        "add comment: Jira answered 404: "
        "Issue does not exist or you do not have permission to see it."
    )
    assert not would_retry(failed)


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_a_server_error_is_retried(jira: JiraApi, sink: JiraSink, status: int) -> None:
    page = b"<html><head><title>Atlassian - Service unavailable</title></head></html>"
    jira.fail_next(Reply(status, page, {"content-type": "text/html"}), match=SEARCH)
    failed = await failure(sink, create())
    assert failed.reason == f"search: Jira answered {status}: Atlassian - Service unavailable"
    assert (failed.status_code, would_retry(failed), failed.retry_after) == (status, True, None)


async def test_a_429_asks_for_its_retry_after(jira: JiraApi, sink: JiraSink) -> None:
    jira.fail_next(jira.rate_limited("7", reason="jira-per-issue-on-write"), match=SEARCH)
    failed = await failure(sink, create())
    assert (failed.status_code, failed.retry_after, would_retry(failed)) == (429, 7.0, True)


async def test_a_429_without_retry_after_waits_for_the_rate_limit_reset(
    jira: JiraApi, sink: JiraSink
) -> None:
    jira.fail_next(jira.rate_limited(None), match=SEARCH)  # X-RateLimit-Reset: in a minute
    failed = await failure(sink, create())
    assert failed.retry_after is not None and 0 < failed.retry_after <= 60


async def test_a_503_with_retry_after_pauses_like_a_429(jira: JiraApi, sink: JiraSink) -> None:
    jira.fail_next(Reply(503, b"busy", {"Retry-After": "3"}), match=SEARCH)
    failed = await failure(sink, create())
    assert (failed.status_code, failed.retry_after) == (503, 3.0)


async def test_a_redirect_is_dead_saying_the_url_is_not_the_sites(
    jira: JiraApi, sink: JiraSink
) -> None:
    moved = Reply(301, b"", {"location": "https://example.atlassian.net/login"})
    jira.fail_next(moved, match=SEARCH)
    failed = await failure(sink, create())
    assert failed.reason == (
        "search: Jira answered 301: redirected to https://example.atlassian.net/login "
        "(url must be the site's own address)"
    )
    assert not would_retry(failed)


async def test_an_answer_that_is_not_json_is_retried(jira: JiraApi, sink: JiraSink) -> None:
    jira.fail_next(Reply(200, b"<html>Log in</html>", {"content-type": "text/html"}), match=SEARCH)
    failed = await failure(sink, create())
    assert failed.reason == "search: HTTP 200 but the answer is not JSON"
    assert would_retry(failed)


async def test_a_refused_connection_is_retried() -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    config = JiraConfig(
        url=f"http://127.0.0.1:{port}", email=EMAIL, token=TOKEN, project="SUP", timeout=Seconds(1)
    )
    sink = JiraSink(config)
    try:
        failed = await failure(sink, create())
    finally:
        await sink.aclose()
    assert failed.reason.startswith("search: connection failed: ")
    assert would_retry(failed)


async def test_keeps_the_sink_contract() -> None:
    def opened(url: str) -> JiraSink:
        config = JiraConfig(url=url, email=EMAIL, token=TOKEN, project="SUP", timeout=Seconds(0.5))
        return JiraSink(config)

    await assert_sink_contract(opened, create(), secrets=[TOKEN], timeout=0.5)
