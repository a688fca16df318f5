"""Public: signature helpers for vendor plugins — plain HMACs and Standard Webhooks.

Plain HMAC (:func:`hmac_digest`, :func:`verify_hmac`): most vendors sign the raw body with
HMAC-SHA1/256/512 and send the digest in a header, hex or base64, sometimes behind a prefix
such as ``sha256=``. Verifying means comparing digests in constant time over the raw bytes;
these helpers do that so plugins stop rewriting it.

Standard Webhooks (https://www.standardwebhooks.com), version ``v1``: the signed content
is ``{webhook-id}.{webhook-timestamp}.{body}``, signed with HMAC-SHA256 and sent
base64-encoded as ``webhook-signature: v1,<signature>``. The key is taken from the secret:
the secret is the base64 encoding of the key, after an optional ``whsec_`` prefix, exactly
as the reference library reads it (:func:`signing_key`). Senders built on Svix send the same
headers named ``svix-id``, ``svix-timestamp`` and ``svix-signature``; :func:`verify` takes
both. The tests check interoperability with the reference library.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "ALGORITHMS",
    "ENCODINGS",
    "MIN_KEY_BYTES",
    "SECRET_PREFIX",
    "SignatureInvalid",
    "check_secret",
    "hmac_digest",
    "sign",
    "signature_headers",
    "signing_key",
    "verify",
    "verify_hmac",
]

SECRET_PREFIX = "whsec_"
VERSION = "v1"
#: The HMAC hash functions vendors use.
ALGORITHMS = ("sha1", "sha256", "sha512")
#: How a digest is written in a header.
ENCODINGS = ("hex", "base64")


class SignatureInvalid(ValueError):
    """A request's signature does not prove it is authentic.

    The message says why in one line and never contains the secret.
    """


def hmac_digest(
    secret: str | bytes, body: bytes, *, algorithm: str = "sha256", encoding: str = "hex"
) -> str:
    """The HMAC of ``body`` under ``secret``: lower-case hex or standard base64.

    :param algorithm: one of :data:`ALGORITHMS`.
    :param encoding: one of :data:`ENCODINGS`.
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {', '.join(ALGORITHMS)}, got {algorithm!r}")
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    digest = hmac.new(key, body, algorithm).digest()
    if encoding == "hex":
        return digest.hex()
    if encoding == "base64":
        return base64.b64encode(digest).decode("ascii")
    raise ValueError(f"encoding must be one of {', '.join(ENCODINGS)}, got {encoding!r}")


def verify_hmac(
    secret: str | bytes,
    body: bytes,
    given: str | None,
    *,
    algorithm: str = "sha256",
    encodings: tuple[str, ...] = ("hex",),
    prefix: str = "",
) -> None:
    """Check a header's HMAC of the raw ``body``; raises :class:`SignatureInvalid`.

    :param given: the header's value (``None`` when the header is missing).
    :param encodings: the encodings to accept; hex is compared case-insensitively.
    :param prefix: text before the digest, e.g. ``sha256=``; compared case-insensitively.
    """
    if not given:
        raise SignatureInvalid("the signature header is missing")
    value = given.strip()
    if prefix:
        if not value.lower().startswith(prefix.lower()):
            raise SignatureInvalid(f"the signature does not start with {prefix!r}")
        value = value[len(prefix) :].strip()
    for encoding in encodings:
        expected = hmac_digest(secret, body, algorithm=algorithm, encoding=encoding)
        candidate = value.lower() if encoding == "hex" else value
        if hmac.compare_digest(expected.encode(), candidate.encode("utf-8", "replace")):
            return
    raise SignatureInvalid(f"the {algorithm} signature does not match")


#: The shortest key a ``whsec_`` secret may hold (what Standard Webhooks libraries make).
MIN_KEY_BYTES = 24


def signing_key(secret: str) -> bytes:
    """The HMAC key for ``secret``, read as the Standard Webhooks reference library reads it.

    The secret is the base64 encoding of the key, after an optional ``whsec_`` prefix;
    padding may be left out. Raises ``ValueError`` for a secret that is not base64 (where
    the reference library fails too), for an empty key, and for a ``whsec_`` key shorter
    than :data:`MIN_KEY_BYTES` bytes.
    """
    prefixed = secret.startswith(SECRET_PREFIX)
    encoded = secret[len(SECRET_PREFIX) :] if prefixed else secret
    try:  # exactly the reference's decoding, so every secret it reads means the same key
        key = base64.b64decode(encoded + "==")
    except ValueError:  # binascii.Error, or text that is not ASCII
        raise ValueError(
            "a Standard Webhooks secret is the base64 of its key (after whsec_); this one is "
            "not base64"
        ) from None
    if not key:  # anyone can sign with an empty key
        raise ValueError("a Standard Webhooks secret must hold a key; this one is empty")
    if prefixed and len(key) < MIN_KEY_BYTES:
        raise ValueError(
            f"a whsec_ secret must hold a key of at least {MIN_KEY_BYTES} bytes, this one "
            f"holds {len(key)}"
        )
    return key


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
        headers.get(f"webhook-{name}") or headers.get(f"svix-{name}")  # Svix's names, too
        for name in ("id", "timestamp", "signature")
    )
    if not msg_id or not stamp or not signatures:
        raise SignatureInvalid("missing webhook-id, webhook-timestamp or webhook-signature")
    timestamp = _timestamp(stamp, time.time() if now is None else now, tolerance)
    expected = sign(secret, msg_id, timestamp, body).encode()
    if not any(hmac.compare_digest(expected, given.encode()) for given in signatures.split()):
        raise SignatureInvalid("no webhook-signature matches")


def _timestamp(stamp: str, now: float, tolerance: float) -> int:
    if not stamp.isascii() or not stamp.isdigit() or len(stamp) > 20:
        raise SignatureInvalid("webhook-timestamp is not an integer of seconds")
    timestamp = int(stamp)
    if timestamp < now - tolerance:
        raise SignatureInvalid(f"webhook-timestamp is more than {tolerance:g}s old")
    if timestamp > now + tolerance:
        raise SignatureInvalid(f"webhook-timestamp is more than {tolerance:g}s in the future")
    return timestamp
