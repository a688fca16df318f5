"""Authenticating a SuperOffice delivery: ``X-SuperOffice-Signature``, base64 HMAC-SHA256."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import AuthenticationFailed
from hookyard.signing import SignatureInvalid, verify_hmac

if TYPE_CHECKING:
    from hookyard import WebhookRequest
    from hookyard_superoffice._config import SuperOfficeConfig

__all__ = ["SIGNATURE_HEADER", "verify"]

#: The header SuperOffice signs a delivery in (hookyard hands headers over lower-cased).
SIGNATURE_HEADER = "x-superoffice-signature"


def verify(config: SuperOfficeConfig, request: WebhookRequest) -> None:
    """Accept the delivery only if its signature is the base64 HMAC-SHA256 of the raw body.

    The digest is computed over ``request.body`` exactly as received (SuperOffice's docs
    warn that whitespace matters) and compared in constant time by
    :func:`hookyard.signing.verify_hmac`; base64 is compared exactly, as sent with its
    ``=`` padding. The test delivery (``X-Hook-Test: true``) is signed like any other.
    Raises :class:`~hookyard.AuthenticationFailed`; its message never contains the secret.
    """
    if not config.secret:
        raise AuthenticationFailed("the source has no SuperOffice secret configured")
    given = request.headers.get(SIGNATURE_HEADER)
    try:
        verify_hmac(config.secret, request.body, given, algorithm="sha256", encodings=("base64",))
    except SignatureInvalid as exc:
        raise AuthenticationFailed(f"X-SuperOffice-Signature: {exc}") from None
