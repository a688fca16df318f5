"""Standard Webhooks signatures (https://www.standardwebhooks.com), version ``v1``.

The signed content is ``{webhook-id}.{webhook-timestamp}.{body}``, signed with HMAC-SHA256
and sent base64-encoded as ``webhook-signature: v1,<signature>``. The key is taken from the
secret: a secret starting with ``whsec_`` is the base64 encoding of the key (what Standard
Webhooks libraries generate); any other secret is used as its UTF-8 bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "SECRET_PREFIX",
    "SignatureInvalid",
    "check_secret",
    "sign",
    "signature_headers",
    "signing_key",
    "verify",
]

SECRET_PREFIX = "whsec_"
VERSION = "v1"


class SignatureInvalid(ValueError):
    """The request's Standard Webhooks headers do not prove it is authentic.

    The message says why in one line and never contains the secret.
    """


def signing_key(secret: str) -> bytes:
    """The HMAC key for ``secret``; raises ``ValueError`` for a malformed ``whsec_`` secret."""
    if not secret.startswith(SECRET_PREFIX):
        return secret.encode("utf-8")
    try:
        return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except binascii.Error:
        raise ValueError("a secret starting with whsec_ must be base64 after the prefix") from None


def check_secret(_instance: object, _attribute: object, value: str | None) -> None:
    """attrs validator: the secret is empty or usable as a signing key."""
    if value is not None:
        signing_key(value)


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` value for one message: ``v1,<base64 HMAC-SHA256>``."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(signing_key(secret), content, hashlib.sha256).digest()
    return f"{VERSION},{base64.b64encode(digest).decode('ascii')}"


def signature_headers(
    secret: str | None, msg_id: str, body: bytes, timestamp: int | None = None
) -> dict[str, str]:
    """``webhook-id`` and ``webhook-timestamp``, plus ``webhook-signature`` given a secret."""
    ts = int(time.time()) if timestamp is None else timestamp
    headers = {"webhook-id": msg_id, "webhook-timestamp": str(ts)}
    if secret:
        headers["webhook-signature"] = sign(secret, msg_id, ts, body)
    return headers


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: float = 300.0,
    now: float | None = None,
) -> None:
    """Check a request's Standard Webhooks headers (lower-case names) against ``secret``.

    ``webhook-signature`` may list several space-separated signatures (during secret
    rotation); one matching ``v1`` signature is enough. Raises :class:`SignatureInvalid`.

    :param tolerance: seconds the timestamp may differ from ``now`` either way.
    """
    msg_id, stamp, signatures = (
        headers.get(name) for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
    )
    if not msg_id or not stamp or not signatures:
        raise SignatureInvalid("missing webhook-id, webhook-timestamp or webhook-signature")
    timestamp = _timestamp(stamp, time.time() if now is None else now, tolerance)
    expected = sign(secret, msg_id, timestamp, body).encode()
    if not any(hmac.compare_digest(expected, given.encode()) for given in signatures.split()):
        raise SignatureInvalid("no webhook-signature matches")


def _timestamp(stamp: str, now: float, tolerance: float) -> int:
    if not stamp.isascii() or not stamp.isdigit():
        raise SignatureInvalid("webhook-timestamp is not an integer")
    timestamp = int(stamp)
    if timestamp < now - tolerance:
        raise SignatureInvalid(f"webhook-timestamp is more than {tolerance:g}s old")
    if timestamp > now + tolerance:
        raise SignatureInvalid(f"webhook-timestamp is more than {tolerance:g}s in the future")
    return timestamp
