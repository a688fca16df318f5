"""Authenticating a HelpCrunch delivery: ``X-HelpCrunch-Signature``, HMAC-SHA1 of the body."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import AuthenticationFailed
from hookyard.signing import SignatureInvalid, verify_hmac

if TYPE_CHECKING:
    from hookyard import WebhookRequest
    from hookyard_helpcrunch._config import HelpCrunchConfig

__all__ = ["SIGNATURE_HEADER", "verify"]

#: The header HelpCrunch signs every delivery in (hookyard hands headers over lower-cased).
SIGNATURE_HEADER = "x-helpcrunch-signature"


def verify(config: HelpCrunchConfig, request: WebhookRequest) -> None:
    """Accept the delivery only if its signature is the hex HMAC-SHA1 of the raw body.

    The digest is computed over ``request.body`` exactly as received (HelpCrunch's PHP
    sender escapes ``/`` as ``\\/``; re-serialized JSON would not match) and compared in
    constant time by :func:`hookyard.signing.verify_hmac`. Raises
    :class:`~hookyard.AuthenticationFailed`; its message never contains the secret.
    """
    if not config.secret:
        raise AuthenticationFailed("the source has no HelpCrunch secret configured")
    given = request.headers.get(SIGNATURE_HEADER)
    try:
        verify_hmac(config.secret, request.body, given, algorithm="sha1", encodings=("hex",))
    except SignatureInvalid as exc:
        raise AuthenticationFailed(f"X-HelpCrunch-Signature: {exc}") from None
