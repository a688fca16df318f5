"""Authentication: the ``secret_key`` echoed inside the body, compared in constant time."""

from __future__ import annotations

import hmac
import json

import pytest
from livechat_support import SECRET, fixture_names, load, request_for

from hookyard import AuthenticationFailed, PayloadRejected
from hookyard_livechat import LiveChatConfig, verify

ORGANIZATION = "390e44e6-f1e6-0368c-z6ddb-74g14508c2ex"


@pytest.mark.parametrize("name", fixture_names())
def test_right_secret_is_accepted(name: str) -> None:
    verify(LiveChatConfig(secret=SECRET), request_for(load(name)))


@pytest.mark.parametrize(
    "configured", ["wrong-secret", "test-secret-2", "test-secre", "TEST-SECRET", "test-secret "]
)
def test_wrong_secret_is_refused_without_revealing_secrets(configured: str) -> None:
    with pytest.raises(AuthenticationFailed) as info:
        verify(LiveChatConfig(secret=configured), request_for(load("incoming_event")))
    assert SECRET not in str(info.value)
    assert configured.strip() not in str(info.value)


@pytest.mark.parametrize("secret_key", [None, 12345, ["test-secret"], "absent"])
def test_missing_or_non_string_secret_key_is_refused(secret_key: object) -> None:
    body = load("incoming_event")
    if secret_key == "absent":
        del body["secret_key"]
    else:
        body["secret_key"] = secret_key
    with pytest.raises(AuthenticationFailed):
        verify(LiveChatConfig(secret=SECRET), request_for(body))


@pytest.mark.parametrize("body", [[{"secret_key": SECRET}], "test-secret", 42, None])
def test_body_that_is_not_an_object_is_rejected_as_payload(body: object) -> None:
    """JSON, but not the vendor's envelope: 400, as for a source with ``auth: none``."""
    with pytest.raises(PayloadRejected, match="LiveChat body is not a JSON object"):
        verify(LiveChatConfig(secret=SECRET), request_for(json.dumps(body).encode()))


@pytest.mark.parametrize("body", [b"secret_key=test-secret", b"", b"\xff\xfe{}", b'{"a": 1,}'])
def test_non_json_is_rejected_as_payload(body: bytes) -> None:
    with pytest.raises(PayloadRejected):
        verify(LiveChatConfig(secret=SECRET), request_for(body))


def test_source_without_secret_refuses_everything() -> None:
    body = load("incoming_event")
    body["secret_key"] = ""
    with pytest.raises(AuthenticationFailed):
        verify(LiveChatConfig(), request_for(body))


def test_non_ascii_secret() -> None:
    body = load("incoming_event")
    body["secret_key"] = "zażółć-gęślą-jaźń"
    verify(LiveChatConfig(secret="zażółć-gęślą-jaźń"), request_for(body))
    with pytest.raises(AuthenticationFailed):
        verify(LiveChatConfig(secret="zazolc-gesla-jazn"), request_for(body))


def test_comparison_is_constant_time_on_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[object, object]] = []
    original = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    verify(LiveChatConfig(secret=SECRET), request_for(load("incoming_event")))
    assert calls == [(SECRET.encode(), SECRET.encode())]


def test_matching_organization_is_accepted() -> None:
    config = LiveChatConfig(secret=SECRET, organization_id=ORGANIZATION)
    verify(config, request_for(load("incoming_chat")))


@pytest.mark.parametrize("organization_id", ["another-organization", None, 7, "absent"])
def test_other_organization_is_refused(organization_id: object) -> None:
    body = load("incoming_chat")
    if organization_id == "absent":
        del body["organization_id"]
    else:
        body["organization_id"] = organization_id
    config = LiveChatConfig(secret=SECRET, organization_id=ORGANIZATION)
    with pytest.raises(AuthenticationFailed) as info:
        verify(config, request_for(body))
    assert SECRET not in str(info.value)


def test_organization_is_not_checked_when_not_configured() -> None:
    body = load("incoming_chat")
    body["organization_id"] = "another-organization"
    verify(LiveChatConfig(secret=SECRET), request_for(body))
