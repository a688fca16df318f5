"""Bodies that are not DeskDirector's: 400 (``PayloadRejected``) naming what is wrong."""

from __future__ import annotations

from typing import Any

import pytest
from deskdirector_support import CONFIG, load, request_for

from hookyard import PayloadRejected
from hookyard_deskdirector import parse


def changed(*path: Any, value: object) -> list[dict[str, Any]]:
    """The completed fixture with the value at ``path`` (below the session) replaced."""
    body = load("completed")
    target: Any = body[0]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return body


def removed(key: str) -> list[dict[str, Any]]:
    body = load("completed")
    del body[0][key]
    return body


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({"id": "1", "status": "created"}, "not a JSON array"),
        ("completed", "not a JSON array"),
        (None, "not a JSON array"),
        ([], "empty array"),
        ([1], r"\[0\] is not an object"),
        (removed("id"), r"\[0\]\.id is missing"),
        (changed("id", value=1530162945), r"\[0\]\.id is not a string"),
        (removed("status"), r"\[0\]\.status is missing"),
        (removed("lastModifiedDateTime"), "lastModifiedDateTime is missing"),
        (changed("lastModifiedDateTime", value="yesterday"), "not an ISO 8601 timestamp"),
        (changed("lastModifiedDateTime", value="2018-06-29T06:07:27"), "has no time zone"),
        (changed("closedDateTime", value="0001-01-01T00:30:00+01:00"), "not an ISO 8601"),
        (removed("creator"), "creator is missing"),
        (changed("creator", value="Liam Tait"), "creator is not an object"),
        (changed("creator", "userId", value=11220), "creator.userId is not a string"),
        (changed("creator", "userId", value="11220"), "is not <instance>~<c|m>~<id>"),
        (changed("creator", "userId", value="nzlancomdev~x~11220"), "<instance>~<c|m>~<id>"),
        (changed("creator", "userId", value="nzlancomdev~c~Liam"), "<instance>~<c|m>~<id>"),
        (changed("creator", "entityId", value=True), "entityId is not an integer"),
        (changed("creator", "company", value=[]), "creator.company is not an object"),
        (changed("users", value={}), "users is not a list"),
        (changed("participants", 1, value="x"), r"participants\[1\] is not an object"),
        (changed("pastStatus", value=[1]), "pastStatus is not a list of strings"),
        (changed("report", value={"chatDuration": "50s"}), "chatDuration is not a number"),
        (changed("closeRecord", "user", value=3), "closeRecord.user is not an object"),
        (changed("callback", value={"preferredTime": [{"start": 5}]}), "start is not a string"),
    ],
)
def test_not_deskdirector_shape(body: object, reason: str) -> None:
    with pytest.raises(PayloadRejected, match=reason):
        parse(CONFIG, request_for(body))


@pytest.mark.parametrize("body", [b"", b"id=1", b"\xff\xfe[]", b'[{"id": "1",}]'])
def test_non_json_is_rejected(body: bytes) -> None:
    with pytest.raises(PayloadRejected):
        parse(CONFIG, request_for(body))


def test_one_bad_session_rejects_the_whole_body() -> None:
    body = load("multiple_sessions")
    body[2]["status"] = 7
    with pytest.raises(PayloadRejected, match=r"\[2\]\.status"):
        parse(CONFIG, request_for(body))
