"""Public through :mod:`hookyard.testing`: a local server speaking the part of Jira Cloud's
REST API v3 that the ``jira`` sink uses, for sink tests.

``with JiraApi() as jira:`` then point the sink's ``url`` at ``jira.url``. It answers as
Jira Cloud documents it:

- Basic auth ``email:api_token``; anything else is 401 with Jira's plain-text message.
- ``POST /rest/api/3/issue`` checks the project, issue type, summary (required, at most
  255 characters, one line), labels (no spaces), priority, that ``description`` is an
  Atlassian Document (ADF), and that no other field is set unless ``custom_fields`` names
  it; 201 ``{"id", "key", "self"}``. Errors are 400 ``{"errorMessages": [], "errors":
  {field: message}}``.
- ``POST /rest/api/3/search/jql`` runs the JQL the sink writes (``labels = "…"``, optionally
  ``project = "…" AND`` before it and ``ORDER BY created ASC|DESC`` after) and pages with
  ``nextPageToken``. Like Jira's index it lags: an issue is found only ``index_delay``
  seconds after it was created. The retired ``/rest/api/3/search`` answers 410.
- ``POST /rest/api/3/issue/{key}/comment`` (ADF ``body``, optional ``properties``),
  ``GET`` the same path (``startAt``, ``maxResults``, ``orderBy``), and ``POST
  /rest/api/3/comment/list`` (``expand=properties``): read at once, no index between.

:meth:`JiraApi.rate_limited` builds Jira's 429 for :meth:`~ApiServer.fail_next`.
"""

from __future__ import annotations

import base64
import hmac
import itertools
import re
import time
from typing import TYPE_CHECKING, Any

from attrs import define, field

from hookyard.testing.api_server import ApiRequest, ApiServer, json_reply
from hookyard.testing.recorder import Reply

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard.testing.api_server import Handler

__all__ = ["JiraApi", "JiraComment", "JiraIssue"]

EMAIL = "bot@example.com"
TOKEN = "ATATT3xFfGF0-test-api-token"
#: Fields every create may set; others only when ``custom_fields`` names them.
_SYSTEM_FIELDS = frozenset({"project", "issuetype", "summary", "description", "labels", "priority"})
_JQL = re.compile(
    r'^\s*(?:project\s*=\s*"(?P<project>[^"]*)"\s+AND\s+)?labels\s*=\s*"(?P<label>[^"]*)"'
    r"(?:\s+ORDER\s+BY\s+created\s+(?P<order>ASC|DESC))?\s*$",
    re.IGNORECASE,
)
_NOT_FOUND = "Issue does not exist or you do not have permission to see it."


@define
class JiraComment:
    """A comment as the server keeps it."""

    id: str
    body: Any
    properties: dict[str, Any]
    created: float


@define
class JiraIssue:
    """An issue as the server keeps it: ``fields`` as they were sent."""

    id: str
    key: str
    fields: dict[str, Any]
    created: float
    comments: list[JiraComment] = field(factory=list)


def _errors(status: int, errors: dict[str, str] | None = None, *messages: str) -> Reply:
    return json_reply(status, {"errorMessages": list(messages), "errors": errors or {}})


def adf_problem(value: Any) -> str | None:
    """Why ``value`` is not an Atlassian Document of paragraphs, text and hard breaks."""
    if not isinstance(value, dict) or value.get("type") != "doc" or value.get("version") != 1:
        return "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
    for block in value.get("content", []):
        if not isinstance(block, dict) or block.get("type") != "paragraph":
            return "INVALID_INPUT: only paragraphs are expected at the top level"
        for inline in block.get("content", []):
            kind = inline.get("type") if isinstance(inline, dict) else None
            if kind == "text" and isinstance(inline.get("text"), str) and inline["text"]:
                continue
            if kind != "hardBreak":
                return "INVALID_INPUT: a text node needs non-empty text"
    return None


class JiraApi(ApiServer):
    """Jira Cloud's issues, comments and JQL search, in memory.

    :param projects: the project keys that exist.
    :param index_delay: seconds before a created issue shows in JQL search results.
    :param custom_fields: field ids (``customfield_10010``) a create may set.
    """

    def __init__(
        self,
        *,
        email: str = EMAIL,
        token: str = TOKEN,
        projects: tuple[str, ...] = ("SUP",),
        issue_types: tuple[str, ...] = ("Task", "Bug"),
        priorities: tuple[str, ...] = ("Highest", "High", "Medium", "Low", "Lowest"),
        custom_fields: tuple[str, ...] = (),
        index_delay: float = 0.0,
    ) -> None:
        super().__init__()
        self.email, self.token = email, token
        self.projects, self.issue_types, self.priorities = projects, issue_types, priorities
        self.custom_fields = frozenset(custom_fields)
        self.index_delay = index_delay
        self.issues: dict[str, JiraIssue] = {}
        self._ids = itertools.count(10001)
        self._comment_ids = itertools.count(20001)
        self._numbers = dict.fromkeys(projects, 0)
        issue = r"/rest/api/3/issue/(?P<key>[^/]+)"
        self.route("POST", r"/rest/api/3/issue", self._authed(self._create))
        self.route("POST", r"/rest/api/3/search/jql", self._authed(self._search))
        self.route("POST", r"/rest/api/3/search", self._authed(self._retired))
        self.route("GET", r"/rest/api/3/search", self._authed(self._retired))
        self.route("POST", issue + "/comment", self._authed(self._comment))
        self.route("GET", issue + "/comment", self._authed(self._comments))
        self.route("POST", r"/rest/api/3/comment/list", self._authed(self._comment_list))

    @staticmethod
    def rate_limited(retry_after: str | None = "1", reason: str = "jira-burst-based") -> Reply:
        """Jira's 429, with ``Retry-After`` (left out when ``None``) and its rate headers."""
        headers = {
            "X-RateLimit-Limit": "100",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-NearLimit": "true",
            "X-RateLimit-Reset": time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(time.time() + 60)),
            "RateLimit-Reason": reason,
        }
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        return json_reply(429, {"errorMessages": ["Rate limit exceeded."], "errors": {}}, headers)

    def labelled(self, label: str) -> list[JiraIssue]:
        """The issues carrying ``label``, oldest first (index or not)."""
        return [i for i in self.issues.values() if label in i.fields.get("labels", [])]

    def comments(self) -> list[JiraComment]:
        """Every comment on every issue, oldest first."""
        return sorted((c for i in self.issues.values() for c in i.comments), key=lambda c: c.id)

    def _authed(self, handler: Callable[[ApiRequest, Any], Reply]) -> Handler:
        def check(request: ApiRequest) -> Reply:
            given = request.headers.get("authorization", "")
            expected = "Basic " + base64.b64encode(f"{self.email}:{self.token}".encode()).decode()
            if not hmac.compare_digest(given.encode(), expected.encode()):
                text = b"Client must be authenticated to access this resource."
                return Reply(401, text, {"content-type": "text/plain;charset=UTF-8"})
            body = request.json() if request.method == "POST" else None
            if request.method == "POST" and not isinstance(body, dict):
                return _errors(400, None, "Unexpected character: the body is not a JSON object.")
            return handler(request, body)

        return check

    def _create(self, _request: ApiRequest, body: dict[str, Any]) -> Reply:
        given = body.get("fields")
        if not isinstance(given, dict):
            return _errors(400, None, "Can not deserialize instance of fields.")
        errors = self._field_errors(given)
        if errors:
            return _errors(400, errors)
        project = given["project"]["key"]
        self._numbers[project] += 1
        issue = JiraIssue(
            str(next(self._ids)), f"{project}-{self._numbers[project]}", given, time.monotonic()
        )
        self.issues[issue.key] = issue
        return json_reply(201, {"id": issue.id, "key": issue.key, "self": self._self(issue)})

    def _field_errors(self, given: dict[str, Any]) -> dict[str, str]:
        errors: dict[str, str] = {}
        for name in sorted(set(given) - _SYSTEM_FIELDS - self.custom_fields):
            errors[name] = (
                f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
            )
        if (given.get("project") or {}).get("key") not in self.projects:
            errors["project"] = "Specify a valid project ID or key"
        if (given.get("issuetype") or {}).get("name") not in self.issue_types:
            errors["issuetype"] = "Specify a valid issue type"
        summary = given.get("summary")
        if not isinstance(summary, str) or not summary.strip():
            errors["summary"] = "You must specify a summary of the issue."
        elif len(summary) > 255:
            errors["summary"] = "Summary must be less than 255 characters."
        elif "\n" in summary or "\r" in summary:
            errors["summary"] = "The summary is invalid because it contains newline characters."
        if "description" in given and (problem := adf_problem(given["description"])):
            errors["description"] = problem
        for label in given.get("labels", []):
            if not isinstance(label, str) or not label or " " in label:
                errors["labels"] = f"The label '{label}' contains spaces which is invalid."
            elif len(label) > 255:
                errors["labels"] = "The label exceeds the 255 character limit."
        priority = (given.get("priority") or {}).get("name", self.priorities[0])
        if "priority" in given and priority not in self.priorities:
            errors["priority"] = f"Priority name '{priority}' is not valid"
        return errors

    def _search(self, _request: ApiRequest, body: dict[str, Any]) -> Reply:
        found = _JQL.match(str(body.get("jql", "")))
        if found is None:
            jql = body.get("jql")
            return _errors(400, None, f"Error in the JQL Query: cannot parse {jql!r}.")
        if not isinstance(body.get("fields"), list):
            return _errors(400, None, "fields must be given: this search returns ids only.")
        visible = time.monotonic() - self.index_delay
        matches = [
            i
            for i in self.labelled(found["label"])
            if i.created <= visible and found["project"] in (None, i.key.split("-")[0])
        ]
        if (found["order"] or "ASC").upper() == "DESC":
            matches.reverse()
        start = int(body.get("nextPageToken") or 0)
        size = int(body.get("maxResults", 50))
        page = matches[start : start + size]
        wanted = body["fields"]
        answer: dict[str, Any] = {
            "issues": [
                {"id": i.id, "key": i.key, "fields": {k: i.fields.get(k) for k in wanted}}
                for i in page
            ],
            "isLast": start + size >= len(matches),
        }
        if not answer["isLast"]:
            answer["nextPageToken"] = str(start + size)
        return json_reply(200, answer)

    def _retired(self, _request: ApiRequest, _body: Any) -> Reply:
        message = "The requested API has been removed. Please migrate to /rest/api/3/search/jql."
        return _errors(410, None, message)

    def _comment(self, request: ApiRequest, body: dict[str, Any]) -> Reply:
        issue = self.issues.get(request.params["key"])
        if issue is None:
            return _errors(404, None, _NOT_FOUND)
        if "body" not in body:
            return _errors(400, {"comment": "Comment body can not be empty!"})
        if problem := adf_problem(body["body"]):
            return _errors(400, {"comment": problem})
        properties = {p["key"]: p["value"] for p in body.get("properties", [])}
        comment = JiraComment(str(next(self._comment_ids)), body["body"], properties, time.time())
        issue.comments.append(comment)
        return json_reply(201, self._comment_json(issue, comment, with_properties=False))

    def _comments(self, request: ApiRequest, _body: Any) -> Reply:
        issue = self.issues.get(request.params["key"])
        if issue is None:
            return _errors(404, None, _NOT_FOUND)
        start = int(request.query.get("startAt", ["0"])[0])
        size = min(int(request.query.get("maxResults", ["5000"])[0]), 5000)
        ordered = list(issue.comments)
        if request.query.get("orderBy", ["created"])[0] == "-created":
            ordered.reverse()
        page = ordered[start : start + size]
        return json_reply(
            200,
            {
                "startAt": start,
                "maxResults": size,
                "total": len(ordered),
                "comments": [self._comment_json(issue, c, with_properties=False) for c in page],
            },
        )

    def _comment_list(self, request: ApiRequest, body: dict[str, Any]) -> Reply:
        ids = [str(i) for i in body.get("ids", [])]
        if not ids or len(ids) > 1000:
            return _errors(400, None, "Between 1 and 1000 comment ids must be given.")
        expand = "properties" in request.query.get("expand", [""])[0].split(",")
        found = [
            self._comment_json(issue, c, with_properties=expand)
            for issue in self.issues.values()
            for c in issue.comments
            if c.id in ids
        ]
        page = {"startAt": 0, "maxResults": 1000, "total": len(found), "isLast": True}
        return json_reply(200, {**page, "values": found})

    def _comment_json(
        self, issue: JiraIssue, comment: JiraComment, *, with_properties: bool
    ) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "id": comment.id,
            "self": f"{self._self(issue)}/comment/{comment.id}",
            "body": comment.body,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime(comment.created)),
        }
        if with_properties:
            answer["properties"] = [{"key": k, "value": v} for k, v in comment.properties.items()]
        return answer

    def _self(self, issue: JiraIssue) -> str:
        return f"{self.url}/rest/api/3/issue/{issue.id}"
