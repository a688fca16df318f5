"""Authenticating a DeskDirector delivery: ``x-dd-signature: sha256=<HMAC-SHA256 of the body>``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import AuthenticationFailed
from hookyard.signing import SignatureInvalid, verify_hmac

if TYPE_CHECKING:
    from hookyard import WebhookRequest
    from hookyard_deskdirector._config import DeskDirectorConfig

__all__ = ["ENCODINGS", "HEADER", "PREFIX", "verify"]

HEADER = "x-dd-signature"
PREFIX = "sha256="
#: DeskDirector's digest encoding is unconfirmed: hex (either case) and base64 both pass.
ENCODINGS = ("hex", "base64")


def verify(config: DeskDirectorConfig, request: WebhookRequest) -> None:
    """Accept the delivery only if ``x-dd-signature`` is the HMAC-SHA256 of the raw body.

    The digest may be hex (compared in either case) or standard base64, after a ``sha256=``
    prefix. Raises :class:`~hookyard.AuthenticationFailed`; messages never hold the secret.
    """
    if not config.secret:
        raise AuthenticationFailed("the source has no DeskDirector secret configured")
    given = request.headers.get(HEADER)
    try:
        verify_hmac(config.secret, request.body, given, encodings=ENCODINGS, prefix=PREFIX)
    except SignatureInvalid as exc:
        raise AuthenticationFailed(f"DeskDirector {HEADER}: {exc}") from None
