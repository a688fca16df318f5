"""The options a DeskDirector source takes in hookyard's configuration file."""

from __future__ import annotations

from attrs import frozen

__all__ = ["DeskDirectorConfig"]


@frozen
class DeskDirectorConfig:
    """Options of a ``vendor: deskdirector`` source.

    :param secret: the webhook's secret, shown in DeskDirector's Admin portal (Advanced →
        Webhook → "Display detail"); DeskDirector signs every delivery's raw body with it
        and sends ``x-dd-signature: sha256=<digest>``.
    """

    secret: str | None = None
