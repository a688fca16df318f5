"""Authentication: ``X-SuperOffice-Signature``, base64 HMAC-SHA256 of the raw body.

The host tests use the installed entry point (the plugin is found as in production).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import TYPE_CHECKING

import pytest
from superoffice_support import (
    SECRET,
    SOURCE,
    delivery_headers,
    fixture_names,
    fixture_request,
    raw,
    request_for,
    signature,
    signed,
)

from hookyard import AuthenticationFailed
from hookyard.signing import hmac_digest
from hookyard_superoffice import SuperOfficeConfig, verify

if TYPE_CHECKING:
    from pathlib import Path

    from hookyard.testing import HostFactory

CONFIG = SuperOfficeConfig(secret=SECRET)
HOST_CONFIG = {"sources": {SOURCE: {"vendor": "superoffice", "secret": SECRET}}}


@pytest.mark.parametrize("name", fixture_names())
def test_signed_fixture_is_accepted(name: str) -> None:
    verify(CONFIG, fixture_request(name))


def test_independently_computed_signature_is_accepted() -> None:
    """SuperOffice's own samples cannot be vectors (one placeholder for every body), so
    this is computed independently: HMAC-SHA256 keyed with the UTF-8 secret, base64."""
    body = b'{"EventId":"x","Event":"test"}'
    config = SuperOfficeConfig(secret="Something Super Secret")
    verify(config, request_for(body, {"x-superoffice-signature": _independent(body)}))


def _independent(body: bytes) -> str:
    digest = hmac.new(b"Something Super Secret", body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _refused(headers: dict[str, str], body: bytes | None = None) -> str:
    with pytest.raises(AuthenticationFailed) as info:
        verify(CONFIG, request_for(raw("chatsession_created") if body is None else body, headers))
    assert SECRET not in str(info.value)
    return str(info.value)


def test_missing_signature_is_refused() -> None:
    assert "missing" in _refused(delivery_headers("chatsession_created"))


@pytest.mark.parametrize("secret", ["other secret", SECRET.lower(), SECRET + " "])
def test_signature_under_another_key_is_refused(secret: str) -> None:
    _refused(signed(raw("chatsession_created"), secret))


@pytest.mark.parametrize(
    "given",
    [
        "X1FmmRIXuzH8o0MDanva1lnuNZXoix6M0US1S64s+e8=",  # the docs' placeholder
        "sha256=",
        "   ",
        "ünïcödé",
    ],
)
def test_malformed_signature_is_refused(given: str) -> None:
    _refused({"x-superoffice-signature": given})


def test_hex_and_unpadded_signatures_are_refused() -> None:
    body = raw("chatsession_created")
    _refused({"x-superoffice-signature": hmac_digest(SECRET, body)}, body)
    _refused({"x-superoffice-signature": signature(body).rstrip("=")}, body)


def test_sha1_signature_is_refused() -> None:
    body = raw("chatsession_created")
    sha1 = hmac_digest(SECRET, body, algorithm="sha1", encoding="base64")
    _refused({"x-superoffice-signature": sha1}, body)


def test_stale_signature_of_another_body_is_refused() -> None:
    """A signature copied from an earlier delivery does not cover this one."""
    earlier, now = raw("chatsession_changed_closed"), raw("chatsession_changed_rated")
    _refused(signed(earlier), now)


def test_signature_of_reserialized_json_is_refused() -> None:
    """Whitespace matters (SuperOffice's docs): compact JSON's signature is not the body's."""
    body = raw("chatsession_created")
    compact = json.dumps(json.loads(body), separators=(",", ":")).encode()
    assert compact != body
    _refused(signed(compact), body)


def test_source_without_secret_refuses_everything() -> None:
    with pytest.raises(AuthenticationFailed, match="no SuperOffice secret"):
        verify(SuperOfficeConfig(), fixture_request("chatsession_created"))


async def test_host_answers_401_and_stores_nothing(hookyard_host: HostFactory) -> None:
    body = raw("chatsession_created")
    headers = delivery_headers("chatsession_created")
    stale = raw("chatsession_message")
    async with hookyard_host(HOST_CONFIG) as host:
        wrong = await host.post(SOURCE, body, {**headers, **signed(body, "other secret")})
        missing = await host.post(SOURCE, body, headers)
        copied = await host.post(SOURCE, body, {**headers, **signed(stale)})
        assert (wrong.status, missing.status, copied.status) == (401, 401, 401)
        assert wrong.body == {"error": "authentication failed"}
        good = await host.post(SOURCE, body, {**headers, **signed(body)})
        assert (good.status, good.body) == (200, {"stored": 1, "duplicates": 0})


async def test_host_reads_header_names_in_any_case(hookyard_host: HostFactory) -> None:
    body = raw("chatsession_created")
    headers = {"X-Superoffice-Signature": signature(body), "X-SUPEROFFICE-EVENT": "x"}
    async with hookyard_host(HOST_CONFIG) as host:
        answered = await host.post(SOURCE, body, headers)
    assert (answered.status, answered.body) == (200, {"stored": 1, "duplicates": 0})


async def test_host_stores_the_test_delivery(hookyard_host: HostFactory, tmp_path: Path) -> None:
    """Saving the webhook in SuperOffice fails unless the signed test gets 200."""
    out = tmp_path / "tests.jsonl"
    config = {
        **HOST_CONFIG,
        "sinks": {"tests": {"plugin": "file", "path": str(out)}},
        "routes": [{"name": "tests", "match": {"type": "webhook.test"}, "to": "tests"}],
    }
    body = raw("test")
    headers = {**delivery_headers("test"), **signed(body)}
    async with hookyard_host(config) as host:
        answered = await host.post(SOURCE, body, headers)
        unsigned = await host.post(SOURCE, body, delivery_headers("test"))
        [delivery] = await host.deliver()
    assert (answered.status, answered.body) == (200, {"stored": 1, "duplicates": 0})
    assert unsigned.status == 401
    assert delivery.status == "delivered"
    [stored] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (stored["type"], stored["vendor_type"]) == ("webhook.test", "test")
    assert stored["id"] == "4b5ce038-50f2-4796-bdb2-f96908cf31c2"


async def test_host_dedupes_on_the_body_event_id(hookyard_host: HostFactory) -> None:
    """A retry keeps the body's EventId; the header's may differ (as in the test sample)."""
    body = raw("chatsession_changed_closed")
    first = {**delivery_headers("chatsession_changed_closed"), **signed(body)}
    retry = {**first, "x-superoffice-eventid": "another-header-id", "x-superoffice-retry": "1"}
    other = body.replace(b"b2e4d6f8-1c3e", b"b2e4d6f8-1c3f")
    async with hookyard_host(HOST_CONFIG) as host:
        answered = await host.post(SOURCE, body, first)
        again = await host.post(SOURCE, body, retry)
        new = await host.post(SOURCE, other, {**first, **signed(other)})
    assert answered.body == {"stored": 1, "duplicates": 0}
    assert (again.status, again.body) == (200, {"stored": 0, "duplicates": 1})
    assert new.body == {"stored": 1, "duplicates": 0}


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"action": "incoming_chat", "payload": {}}']
)
async def test_host_answers_400_for_a_signed_foreign_body(
    hookyard_host: HostFactory, body: bytes
) -> None:
    async with hookyard_host(HOST_CONFIG) as host:
        answered = await host.post(SOURCE, body, signed(body))
    assert answered.status == 400
