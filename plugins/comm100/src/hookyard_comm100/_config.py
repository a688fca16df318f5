"""The options a Comm100 source takes in hookyard's configuration file."""

from __future__ import annotations

from attrs import frozen

__all__ = ["Comm100Config"]


@frozen
class Comm100Config:
    """Options of a ``vendor: comm100`` source: there are none of the plugin's own.

    Comm100 signs nothing and sends no credential, so nothing in a delivery can prove
    where it came from. A Comm100 source is protected by hookyard's source-level options
    (``token``, ``basic_auth``, ``allow_ips``), which the host checks before the plugin
    sees the request; a source with none of them must say ``auth: none``.
    """
