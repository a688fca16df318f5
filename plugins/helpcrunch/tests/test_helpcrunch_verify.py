"""Authentication: ``X-HelpCrunch-Signature``, hex HMAC-SHA1 of the raw body.

The host tests use the installed entry point (the plugin is found as in production).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from helpcrunch_support import SECRET, SOURCE, fixture_names, raw, request_for, signed

from hookyard import AuthenticationFailed
from hookyard.signing import hmac_digest
from hookyard_helpcrunch import HelpCrunchConfig, verify

if TYPE_CHECKING:
    from hookyard.testing import HostFactory

CONFIG = HelpCrunchConfig(secret=SECRET)
HOST_CONFIG = {"sources": {SOURCE: {"vendor": "helpcrunch", "secret": SECRET}}}


@pytest.mark.parametrize("name", fixture_names())
def test_signed_fixture_is_accepted(name: str) -> None:
    verify(CONFIG, request_for(raw(name)))


def test_uppercase_hex_is_accepted() -> None:
    body = raw("chat_new")
    headers = {"x-helpcrunch-signature": signed(body)["x-helpcrunch-signature"].upper()}
    verify(CONFIG, request_for(body, headers))


def _refused(request_headers: dict[str, str], body: bytes | None = None) -> str:
    with pytest.raises(AuthenticationFailed) as info:
        verify(CONFIG, request_for(raw("chat_new") if body is None else body, request_headers))
    assert SECRET not in str(info.value)
    return str(info.value)


def test_missing_signature_is_refused() -> None:
    assert "missing" in _refused({"content-type": "application/json"})


@pytest.mark.parametrize("secret", ["other-key", SECRET.upper(), SECRET + " ", ""])
def test_signature_under_another_key_is_refused(secret: str) -> None:
    body = raw("chat_new")
    _refused({"x-helpcrunch-signature": signed(body, secret or "x")["x-helpcrunch-signature"]})


@pytest.mark.parametrize("given", ["att73h99zvs9", "0" * 40, "sha1=", "   "])
def test_malformed_signature_is_refused(given: str) -> None:
    _refused({"x-helpcrunch-signature": given})


def test_sha256_signature_is_refused() -> None:
    body = raw("chat_new")
    _refused({"x-helpcrunch-signature": hmac_digest(SECRET, body, algorithm="sha256")})


def test_stale_signature_of_an_earlier_attempt_is_refused() -> None:
    """A retry changes ``attempts``; the first attempt's signature does not cover it."""
    first = raw("chat_rated")
    retry = first.replace(b'"attempts": 1', b'"attempts": 2')
    assert retry != first
    _refused(signed(first), retry)


def test_signature_of_reserialized_json_is_refused() -> None:
    """Signing ``/`` where HelpCrunch sent ``\\/`` must not verify: raw bytes only."""
    body = raw("message_chat_agent")
    assert b"\\/" in body
    reserialized = body.replace(b"\\/", b"/")
    _refused(signed(reserialized), body)


def test_source_without_secret_refuses_everything() -> None:
    with pytest.raises(AuthenticationFailed):
        verify(HelpCrunchConfig(), request_for(raw("chat_new")))


async def test_host_answers_401_and_stores_nothing(hookyard_host: HostFactory) -> None:
    body = raw("chat_new")
    async with hookyard_host(HOST_CONFIG) as host:
        wrong = await host.post(SOURCE, body, signed(body, "other-key"))
        missing = await host.post(SOURCE, body, {"content-type": "application/json"})
        stale = await host.post(
            SOURCE, body.replace(b'"attempts": 0', b'"attempts": 1'), signed(body)
        )
        assert (wrong.status, missing.status, stale.status) == (401, 401, 401)
        good = await host.post(SOURCE, body, signed(body))
        assert (good.status, good.body) == (200, {"stored": 1, "duplicates": 0})


async def test_host_stores_a_signed_fixture_once(hookyard_host: HostFactory) -> None:
    first = raw("chat_rated")
    retry = first.replace(b'"attempts": 1', b'"attempts": 2')
    async with hookyard_host(HOST_CONFIG) as host:
        answered = await host.post(SOURCE, first, signed(first))
        again = await host.post(SOURCE, retry, signed(retry))
    assert (answered.status, answered.body) == (200, {"stored": 1, "duplicates": 0})
    assert (again.status, again.body) == (200, {"stored": 0, "duplicates": 1})


async def test_host_answers_400_for_a_signed_foreign_body(hookyard_host: HostFactory) -> None:
    body = b'{"action": "incoming_chat", "payload": {}}'
    async with hookyard_host(HOST_CONFIG) as host:
        answered = await host.post(SOURCE, body, signed(body))
    assert answered.status == 400
