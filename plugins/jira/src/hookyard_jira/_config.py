"""The ``jira`` sink's options and each action's parameters, checked by ``hookyard check``."""

import re
from typing import Any, NewType

from attrs import field, frozen

from hookyard import Seconds, http_url, positive_seconds

__all__ = [
    "OWN_FIELDS",
    "AddCommentParams",
    "CreateIssueParams",
    "Fields",
    "JiraConfig",
    "Labels",
    "structure_fields",
    "structure_labels",
]

#: A list of labels: written as a YAML list (a bare string is an error, not its letters).
Labels = NewType("Labels", list[str])
#: Other issue fields by id, as Jira's API takes them: a mapping.
Fields = NewType("Fields", dict[str, Any])
#: The issue fields the parameters set; ``fields`` may not set them a second time.
OWN_FIELDS = {
    "project": "the sink's project option",
    "issuetype": "issue_type",
    "summary": "summary",
    "description": "description",
    "labels": "labels",
    "priority": "priority",
}
_PROJECT_KEY = re.compile(r"^[A-Z][A-Z0-9_]{0,254}$")


def _check_email(_instance: object, _attribute: object, value: str) -> None:
    if "@" not in value or any(c.isspace() for c in value) or ":" in value:
        raise ValueError(f"email is the Atlassian account's e-mail address, got {value!r}")


def _check_token(_instance: object, _attribute: object, value: str) -> None:
    if not value.strip():
        raise ValueError("token is empty: create an API token at id.atlassian.com")
    if any(c.isspace() for c in value) or not (value.isascii() and value.isprintable()):
        raise ValueError("token must be printable ASCII without spaces or line breaks")


def _check_project(_instance: object, _attribute: object, value: str) -> None:
    if not _PROJECT_KEY.fullmatch(value):
        raise ValueError(
            f"project is a project key such as SUP (capital letters, digits, _), got {value!r}"
        )


def _check_name(_instance: object, attribute: Any, value: Any) -> None:
    if value is not None and not value.strip():
        raise ValueError(f"{attribute.name} is empty")


@frozen
class JiraConfig:
    """Options of the ``jira`` sink: issues and comments in one Jira Cloud project.

    :param url: the site, ``https://<your-site>.atlassian.net`` (``http://`` only for a
        local test server); no path, no credentials in it.
    :param email: the e-mail address of the Atlassian account the API token belongs to.
    :param token: that account's API token (Basic auth ``email:token``); never logged or
        stored with a delivery.
    :param project: the project key issues are created in (``SUP``).
    :param issue_type: the issue type's name for new issues (default ``Task``); a route's
        ``with: {issue_type: ...}`` overrides it.
    :param timeout: how long one attempt may take in all, every request of it included
        (default 10 seconds). An attempt that runs out of time is retried.
    """

    url: str = field(
        validator=http_url(
            site_only=True,
            secure=True,
            example="https://your-site.atlassian.net",
            credentials="give them as email and token",
        )
    )
    email: str = field(validator=_check_email)
    token: str = field(repr=False, validator=_check_token)
    project: str = field(validator=_check_project)
    issue_type: str = field(default="Task", validator=_check_name)
    timeout: Seconds = field(default=Seconds(10.0), validator=positive_seconds)


def _check_fields(_instance: object, _attribute: object, value: Fields) -> None:
    for name in value:
        if name in OWN_FIELDS:
            raise ValueError(f"fields must not set {name!r}: use {OWN_FIELDS[name]}")


@frozen
class CreateIssueParams:
    """What ``create_issue`` takes in a route's ``with``.

    :param summary: the issue's title (required); line breaks become spaces and it is cut
        to Jira's 255 characters.
    :param description: plain text; blank lines separate paragraphs, a single line break
        stays one (Atlassian Document Format ``hardBreak``).
    :param labels: labels to add (a list); a label's spaces become ``_``. The sink adds its
        own ``hookyard-…`` label, which finds the issue again.
    :param priority: a priority's name (``High``), as the Jira site names them.
    :param issue_type: the issue type's name, instead of the sink's ``issue_type``.
    :param fields: other fields as Jira's API takes them (``{"customfield_10010": "…",
        "assignee": {"accountId": "…"}}``).
    """

    summary: str = field(validator=_check_name)
    description: str | None = None
    labels: Labels = field(factory=lambda: Labels([]))
    priority: str | None = field(default=None, validator=_check_name)
    issue_type: str | None = field(default=None, validator=_check_name)
    fields: Fields = field(factory=lambda: Fields({}), validator=_check_fields)


@frozen
class AddCommentParams:
    """What ``add_comment`` takes in a route's ``with``.

    :param body: the comment, plain text made into paragraphs as ``description`` is.
    """

    body: str = field(validator=_check_name)


def structure_labels(value: Any, _type: Any) -> Labels:
    """A list of text labels; a bare string is an error (it is not a list of its letters)."""
    if not isinstance(value, list):
        kind = "a string" if isinstance(value, str) else type(value).__name__
        raise ValueError(f"labels must be a list such as [support, chat], got {kind}")
    wrong = [item for item in value if not isinstance(item, str)]
    if wrong:
        raise ValueError(f"labels must be text, got {wrong[0]!r}")
    return Labels(list(value))


def structure_fields(value: Any, _type: Any) -> Fields:
    """A mapping of field ids to JSON values."""
    if not isinstance(value, dict) or not all(isinstance(name, str) for name in value):
        kind = "a string" if isinstance(value, str) else type(value).__name__
        raise ValueError(f"fields must be a mapping of field ids to values, got {kind}")
    return Fields(dict(value))
