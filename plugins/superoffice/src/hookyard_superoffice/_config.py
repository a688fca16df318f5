"""The options a SuperOffice source takes in hookyard's configuration file."""

from __future__ import annotations

from attrs import frozen

__all__ = ["SuperOfficeConfig"]


@frozen
class SuperOfficeConfig:
    """Options of a ``vendor: superoffice`` source.

    :param secret: the webhook's ``Secret`` (Settings and maintenance → Webhooks → Security
        and advanced settings → Shared secret, or the ``Secret`` of ``POST
        api/v1/Webhook``); every delivery's ``X-SuperOffice-Signature`` is the base64
        HMAC-SHA256 of the raw body under it.
    """

    secret: str | None = None
