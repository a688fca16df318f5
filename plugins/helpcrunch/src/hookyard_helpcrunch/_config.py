"""The options a HelpCrunch source takes in hookyard's configuration file."""

from __future__ import annotations

from attrs import frozen

__all__ = ["HelpCrunchConfig"]


@frozen
class HelpCrunchConfig:
    """Options of a ``vendor: helpcrunch`` source.

    :param secret: the "HTTP Webhook Signing Key" from HelpCrunch's Settings → Developers →
        Webhooks; every delivery's ``X-HelpCrunch-Signature`` is the lowercase hex
        HMAC-SHA1 of the raw body under it.
    """

    secret: str | None = None
