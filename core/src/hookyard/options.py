"""Validators for the options every sink plugin has: a URL to reach, an attempt's timeout.

Public through :mod:`hookyard`: ``field(validator=hookyard.http_url())``. The messages name
the option as the user writes it (the attribute's name), as ``hookyard check`` shows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Callable

    import attrs

__all__ = ["http_url", "positive_seconds"]


def http_url(
    *, site_only: bool = False, example: str = "", credentials: str = ""
) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """An attrs validator of a URL option (``None`` passes, for optional ones).

    It must be ``http://`` or ``https://`` (a local server in tests, the real API in
    production), have a host, and hold no ``user:password@``.

    :param site_only: the option is a site's address alone (``https://acme.zendesk.com``):
        no path, query or fragment.
    :param example: a URL to show in the message when ``site_only`` refuses one.
    :param credentials: where credentials go instead, added to that message (``"give them
        as email and token"``).
    """

    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        name = attribute.alias or attribute.name
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https"):
            got = f"scheme {parts.scheme!r}" if parts.scheme else "no scheme"
            raise ValueError(f"{name} must start with http:// or https:// (got {got})")
        if parts.username is not None or parts.password is not None:
            instead = f": {credentials}" if credentials else ""
            raise ValueError(f"{name} must not hold credentials (user:password@){instead}")
        if not parts.hostname:
            raise ValueError(f"{name} has no host name")
        if site_only and (parts.path.strip("/") or parts.query or parts.fragment):
            extra = value.split(parts.netloc, 1)[1]
            such = f", such as {example}" if example else ""
            raise ValueError(f"{name} is the site's address alone{such} (not {extra!r})")

    return check


def positive_seconds(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An attrs validator of a duration option (``Seconds``, e.g. ``timeout``): more than 0."""
    if value is not None and not value > 0:
        name = attribute.alias or attribute.name
        raise ValueError(f"{name} must be more than 0 seconds, got {value!r}")
