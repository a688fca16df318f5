"""Authenticating a LiveChat delivery: the ``secret_key`` echoed inside the JSON body."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from hookyard import AuthenticationFailed, PayloadRejected

if TYPE_CHECKING:
    from hookyard import WebhookRequest
    from hookyard_livechat._config import LiveChatConfig

__all__ = ["verify"]


def verify(config: LiveChatConfig, request: WebhookRequest) -> None:
    """Accept the delivery only if its ``secret_key`` equals the configured secret.

    Raises :class:`~hookyard.PayloadRejected` when the body is not a JSON object (through
    ``request.json()`` when it is not JSON at all) and :class:`~hookyard.AuthenticationFailed`
    otherwise.
    Messages never contain the secrets.
    """
    body = request.json()
    if not isinstance(body, dict):
        raise PayloadRejected("LiveChat body is not a JSON object")
    given = body.get("secret_key")
    if not isinstance(given, str):
        raise AuthenticationFailed("LiveChat body has no secret_key string")
    if config.secret is None:
        raise AuthenticationFailed("the source has no LiveChat secret configured")
    if not hmac.compare_digest(given.encode(), config.secret.encode()):
        raise AuthenticationFailed("LiveChat secret_key does not match the configured secret")
    _check_organization(config, body.get("organization_id"))


def _check_organization(config: LiveChatConfig, organization_id: object) -> None:
    if config.organization_id is None or organization_id == config.organization_id:
        return
    shown = organization_id if isinstance(organization_id, str) else "none"
    raise AuthenticationFailed(
        f"LiveChat delivery is for organization {shown[:64]!r}, "
        f"not the configured {config.organization_id!r}"
    )
