"""Authentication: ``x-dd-signature: sha256=<HMAC-SHA256 of the raw body>``, hex or base64."""

from __future__ import annotations

import pytest
from deskdirector_support import CONFIG, SECRET, raw, request_for, signed

from hookyard import AuthenticationFailed
from hookyard.signing import hmac_digest
from hookyard_deskdirector import DeskDirectorConfig, verify

BODY = raw("completed")
HEX = hmac_digest(SECRET, BODY)
BASE64 = hmac_digest(SECRET, BODY, encoding="base64")


@pytest.mark.parametrize(
    "value",
    [f"sha256={HEX}", f"sha256={HEX.upper()}", f"SHA256={HEX}", f"sha256={BASE64}"],
    ids=["hex", "upper-hex", "upper-prefix", "base64"],
)
def test_every_plausible_encoding_is_accepted(value: str) -> None:
    verify(CONFIG, request_for(BODY, {"x-dd-signature": value}))


@pytest.mark.parametrize(
    "value",
    [
        HEX,  # no prefix
        f"sha1={HEX}",
        f"sha256={hmac_digest('another-secret', BODY)}",
        f"sha256={HEX[:-1]}",
        f"sha256={BASE64.lower()}",  # base64 is case-sensitive
        f"sha256={hmac_digest(SECRET, BODY, algorithm='sha512')}",
        "sha256=",
        "",
    ],
)
def test_wrong_signature_is_refused_without_revealing_the_secret(value: str) -> None:
    with pytest.raises(AuthenticationFailed) as info:
        verify(CONFIG, request_for(BODY, {"x-dd-signature": value}))
    assert SECRET not in str(info.value)


def test_missing_header_is_refused() -> None:
    with pytest.raises(AuthenticationFailed, match="missing"):
        verify(CONFIG, request_for(BODY, {"content-type": "application/json"}))


def test_signature_covers_the_raw_bytes() -> None:
    """Re-serialized JSON (other whitespace) does not carry the original's signature."""
    reformatted = BODY.replace(b"\n", b"").replace(b"  ", b"")
    with pytest.raises(AuthenticationFailed):
        verify(CONFIG, request_for(reformatted, signed(BODY)))


def test_source_without_secret_refuses_everything() -> None:
    with pytest.raises(AuthenticationFailed, match="no DeskDirector secret"):
        verify(DeskDirectorConfig(), request_for(BODY, signed(BODY, secret="")))


def test_non_json_body_is_still_just_a_signature_check() -> None:
    verify(CONFIG, request_for(b"not json", signed(b"not json")))
