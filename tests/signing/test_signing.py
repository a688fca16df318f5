"""``hookyard.signing`` against the Standard Webhooks reference library, and plain HMACs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from hookyard import signing

SECRETS = [
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "whsec_" + base64.b64encode(os.urandom(32)).decode(),
    "whsec_" + base64.b64encode(os.urandom(24)).decode().rstrip("="),  # unpadded
]
BODIES = [b'{"test": 2432232314}', '{"text": "Grüße ✓"}'.encode(), b"", b"[1,2,3]"]


def test_the_specifications_test_vector() -> None:
    signature = signing.sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        b'{"test": 2432232314}',
    )
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize("body", BODIES)
def test_what_we_sign_the_reference_verifies(secret: str, body: bytes) -> None:
    headers = signing.signature_headers(secret, "msg_1", body)
    Webhook(secret).verify(body, headers, json_parse=False)


@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize("body", BODIES)
def test_what_the_reference_signs_we_verify(secret: str, body: bytes) -> None:
    now = int(time.time())
    reference = Webhook(secret).sign("msg_2", datetime.fromtimestamp(now, UTC), body.decode())
    headers = {"webhook-id": "msg_2", "webhook-timestamp": str(now)}
    signing.verify(secret, {**headers, "webhook-signature": reference}, body)
    # one matching signature among several (secret rotation) is enough
    rotated = f"v1,{base64.b64encode(os.urandom(32)).decode()} {reference}"
    signing.verify(secret, {**headers, "webhook-signature": rotated}, body)


def test_a_tampered_body_fails_for_both() -> None:
    secret = SECRETS[1]
    headers = signing.signature_headers(secret, "msg_3", b'{"a":1}')
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b'{"a":2}', headers, json_parse=False)
    with pytest.raises(signing.SignatureInvalid, match="no webhook-signature matches"):
        signing.verify(secret, headers, b'{"a":2}')


@pytest.mark.parametrize("offset", [-301, 301])
def test_a_timestamp_outside_the_tolerance_fails_for_both(offset: int) -> None:
    secret = SECRETS[0]
    stamp = int(time.time()) + offset
    headers = signing.signature_headers(secret, "msg_4", b"{}", timestamp=stamp)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(b"{}", headers, json_parse=False)
    with pytest.raises(signing.SignatureInvalid, match="300s"):
        signing.verify(secret, headers, b"{}")


@pytest.mark.parametrize("algorithm", signing.ALGORITHMS)
def test_hmac_digest_is_the_standard_hmac(algorithm: str) -> None:
    expected = hmac.new(b"key", b"body", getattr(hashlib, algorithm)).digest()
    assert signing.hmac_digest("key", b"body", algorithm=algorithm) == expected.hex()
    assert signing.hmac_digest(b"key", b"body", algorithm=algorithm, encoding="base64") == (
        base64.b64encode(expected).decode()
    )


def test_verify_hmac_accepts_either_hex_case_and_a_prefix() -> None:
    digest = signing.hmac_digest("s3cret", b"payload")
    signing.verify_hmac("s3cret", b"payload", digest.upper())
    signing.verify_hmac("s3cret", b"payload", f"SHA256={digest}", prefix="sha256=")
    b64 = signing.hmac_digest("s3cret", b"payload", encoding="base64")
    signing.verify_hmac("s3cret", b"payload", b64, encodings=("hex", "base64"))


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        ("deadbeef", "does not match"),
        ("sha1=" + "0" * 64, "does not start with 'sha256='"),
        ("sha256=caf\u00e9", "does not match"),
    ],
)
def test_verify_hmac_refuses(given: str | None, reason: str) -> None:
    prefix = "sha256=" if given and given.startswith("sha") else ""
    with pytest.raises(signing.SignatureInvalid, match=reason):
        signing.verify_hmac("s3cret", b"payload", given, prefix=prefix)


def test_a_base64_digest_is_refused_where_only_hex_is_accepted() -> None:
    b64 = signing.hmac_digest("s3cret", b"payload", encoding="base64")
    with pytest.raises(signing.SignatureInvalid):
        signing.verify_hmac("s3cret", b"payload", b64)


def test_unknown_algorithm_or_encoding_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="sha1, sha256, sha512"):
        signing.hmac_digest("k", b"", algorithm="md5")
    with pytest.raises(ValueError, match="hex, base64"):
        signing.hmac_digest("k", b"", encoding="base32")


def test_a_whsec_secret_without_a_key_is_refused() -> None:
    """Anyone can sign with an empty key."""
    with pytest.raises(ValueError, match="must hold a key"):
        signing.signing_key("whsec_")


def test_svix_header_names_are_accepted() -> None:
    """Senders built on Svix (Clerk, Resend, ...) send ``svix-*`` instead of ``webhook-*``."""
    secret, now = SECRETS[1], int(time.time())
    reference = Webhook(secret).sign("msg_svix", datetime.fromtimestamp(now, UTC), "{}")
    headers = {"svix-id": "msg_svix", "svix-timestamp": str(now), "svix-signature": reference}
    signing.verify(secret, headers, b"{}")
    with pytest.raises(signing.SignatureInvalid):
        signing.verify(secret, headers, b"[]")


@pytest.mark.parametrize(
    ("secret", "reason"),
    [
        ("whsec_c2hvcnQ=", "at least 24 bytes, this one holds 5"),
        ("not base64!", "not base64"),
        ("plain ü", "not base64"),
    ],
)
def test_secrets_the_reference_would_not_use_are_refused(secret: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        signing.signing_key(secret)


def test_a_secret_without_the_prefix_is_the_references_key() -> None:
    bare = base64.b64encode(os.urandom(32)).decode()
    headers = signing.signature_headers(bare, "msg_bare", b"{}")
    Webhook(bare).verify(b"{}", headers, json_parse=False)
    assert signing.signing_key(bare) == signing.signing_key("whsec_" + bare)
