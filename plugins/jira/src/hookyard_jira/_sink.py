"""The open ``jira`` sink: one issue per conversation, comments on it, each made once.

Jira takes no idempotency key, so the sink finds again what an earlier attempt made:

- an issue by the label ``hookyard-<16 hex of sha256(conversation)>``, with a JQL search
  before every create (Jira's search index lags its writes: README, "Exactly once");
- a comment by the comment property ``hookyard`` holding the delivery's idempotency key,
  read from the issue's comments (no index between) before a retry comments again.
"""

from __future__ import annotations

import asyncio
import hashlib
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from hookyard import DeliveryFailed, DeliveryResult
from hookyard_jira._adf import to_adf, to_summary
from hookyard_jira._client import JiraClient

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hookyard import DeliveryRequest
    from hookyard_jira._config import AddCommentParams, CreateIssueParams, JiraConfig

__all__ = ["PROPERTY", "JiraSink", "conversation_label"]

#: The comment property that marks a comment with the delivery that made it.
PROPERTY = "hookyard"
#: Comments read per page when a retry looks for its own (the most comment/list takes).
COMMENT_PAGE = 1000


def conversation_label(request: DeliveryRequest) -> str:
    """The label that finds the conversation's issue again: Jira labels hold no spaces, so
    a hash of the conversation key (of the delivery, for an event of no conversation)."""
    key = request.conversation
    if key is None:
        key = f"delivery/{request.idempotency_key}"
    return "hookyard-" + hashlib.sha256(key.encode()).hexdigest()[:16]


class JiraSink:
    """``create_issue`` and ``add_comment`` against one Jira Cloud project."""

    def __init__(self, config: JiraConfig) -> None:
        self.config = config
        self._jira = JiraClient(config)

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        """Run the action within the sink's ``timeout``."""
        try:
            async with asyncio.timeout(self.config.timeout):
                if request.action == "create_issue":
                    return await self._create_issue(request, request.params)
                return await self._add_comment(request, request.params)
        except TimeoutError:
            raise DeliveryFailed(
                f"{request.action}: timed out after {self.config.timeout:g}s"
            ) from None

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._jira.aclose()

    async def _create_issue(
        self, request: DeliveryRequest, params: CreateIssueParams
    ) -> DeliveryResult:
        linked = _linked(request.link)
        if linked is not None:
            return DeliveryResult(response=f"{linked['issue_key']} is the conversation's issue")
        label = conversation_label(request)
        found = await self._find(label)
        if found is not None:
            key = found["issue_key"]
            return DeliveryResult(response=f"found {key} by its label {label}", link=found)
        answer = await self._jira.call(
            "POST",
            "/rest/api/3/issue",
            "create issue",
            json={"fields": self._fields(params, label)},
        )
        made = _issue(answer, "create issue")
        return DeliveryResult(response=f"created {made['issue_key']}", link=made)

    async def _add_comment(
        self, request: DeliveryRequest, params: AddCommentParams
    ) -> DeliveryResult:
        if request.conversation is None:
            raise DeliveryFailed(
                "add comment: the event has no chat or customer, so no issue", permanent=True
            )
        body = to_adf(params.body)
        if not body["content"]:
            raise DeliveryFailed("add comment: the body is blank", permanent=True)
        issue = _linked(request.link)
        found = None if issue is not None else await self._find(conversation_label(request))
        issue = issue or found
        if issue is None:
            label = conversation_label(request)
            raise DeliveryFailed(f"add comment: no issue of this conversation yet (label {label})")
        key = issue["issue_key"]
        made = (
            await self._comment_made(key, request.idempotency_key) if request.attempt > 1 else None
        )
        if made is None:
            made = await self._comment(key, body, request.idempotency_key)
            response = f"commented on {key} (comment {made})"
        else:
            response = f"comment {made} on {key} was made by an earlier attempt"
        return DeliveryResult(response=response, link=found)

    def _fields(self, params: CreateIssueParams, label: str) -> dict[str, Any]:
        labels = [_label(given) for given in params.labels]
        fields: dict[str, Any] = {
            "project": {"key": self.config.project},
            "issuetype": {"name": params.issue_type or self.config.issue_type},
            "summary": to_summary(params.summary),
            "labels": list(dict.fromkeys([*(name for name in labels if name), label])),
        }
        description = to_adf(params.description or "")
        if description["content"]:
            fields["description"] = description
        if params.priority is not None:
            fields["priority"] = {"name": params.priority}
        return {**fields, **params.fields}

    async def _find(self, label: str) -> dict[str, str] | None:
        """The oldest issue of the project with ``label``, as far as Jira's index knows."""
        jql = f'project = "{self.config.project}" AND labels = "{label}" ORDER BY created ASC'
        query = {"jql": jql, "fields": ["summary"], "maxResults": 1}
        answer = await self._jira.call("POST", "/rest/api/3/search/jql", "search", json=query)
        issues = _object(answer).get("issues")
        return _issue(issues[0], "search") if issues else None

    async def _comment(self, key: str, body: dict[str, Any], marker: str) -> str:
        payload = {"body": body, "properties": [{"key": PROPERTY, "value": {"delivery": marker}}]}
        path = f"/rest/api/3/issue/{quote(key, safe='')}/comment"
        answer = await self._jira.call("POST", path, "add comment", json=payload)
        return str(_object(answer).get("id") or "?")

    async def _comment_made(self, key: str, marker: str) -> str | None:
        """The id of the issue's comment marked with ``marker``, newest first, if any."""
        path = f"/rest/api/3/issue/{quote(key, safe='')}/comment"
        start = 0
        while True:
            query = {"orderBy": "-created", "startAt": start, "maxResults": COMMENT_PAGE}
            page = _object(await self._jira.call("GET", path, "list comments", params=query))
            ids = [int(c["id"]) for c in page.get("comments") or [] if _object(c).get("id")]
            if not ids:
                return None
            listed = await self._jira.call(
                "POST",
                "/rest/api/3/comment/list",
                "read comment properties",
                params={"expand": "properties"},
                json={"ids": ids},
            )
            for comment in _object(listed).get("values") or []:
                if _marked(comment, marker):
                    return str(comment["id"])
            start += len(ids)
            if start >= int(page.get("total") or 0):
                return None


def _linked(link: Mapping[str, Any]) -> dict[str, str] | None:
    key = link.get("issue_key")
    if not isinstance(key, str) or not key:
        return None
    return {"issue_key": key, "issue_id": str(link.get("issue_id") or "")}


def _issue(answer: Any, what: str) -> dict[str, str]:
    if not isinstance(answer, dict) or not isinstance(answer.get("key"), str):
        raise DeliveryFailed(f"{what}: Jira's answer has no issue key", permanent=False)
    return {"issue_key": answer["key"], "issue_id": str(answer.get("id") or "")}


def _label(given: str) -> str:
    return "_".join(given.split())[:255]


def _object(answer: Any) -> dict[str, Any]:
    return answer if isinstance(answer, dict) else {}


def _marked(comment: Any, marker: str) -> bool:
    """Whether ``comment`` carries the ``hookyard`` property of the delivery ``marker``."""
    return any(
        _object(found).get("key") == PROPERTY
        and _object(_object(found).get("value")).get("delivery") == marker
        for found in _object(comment).get("properties") or []
    )
