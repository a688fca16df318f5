"""The options a LiveChat source takes in hookyard's configuration file."""

from __future__ import annotations

from attrs import frozen

__all__ = ["LiveChatConfig"]


@frozen
class LiveChatConfig:
    """Options of a ``vendor: livechat`` source.

    :param secret: the ``secret_key`` registered with the webhook in the LiveChat Developer
        Console; LiveChat echoes it inside every delivery's JSON body.
    :param organization_id: when set, deliveries for any other LiveChat organization are
        refused as not authentic.
    """

    secret: str | None = None
    organization_id: str | None = None
