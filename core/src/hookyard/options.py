"""Validators for the options every sink plugin has: a URL to reach, an attempt's timeout.

Public through :mod:`hookyard`: ``field(validator=hookyard.http_url())``. The messages name
the option as the user writes it (the attribute's name), as ``hookyard check`` shows them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

if TYPE_CHECKING:
    from collections.abc import Callable

    import attrs

__all__ = ["header_text", "http_url", "positive_seconds", "url_secrets"]

#: Hosts a credential may reach over plain ``http://`` (a local server, a test's).
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


def http_url(
    *,
    site_only: bool = False,
    query: bool = True,
    secure: bool = False,
    example: str = "",
    credentials: str = "",
) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """An attrs validator of a URL option (``None`` passes, for optional ones).

    It must be ``http://`` or ``https://`` (a local server in tests, the real API in
    production), have a host and a valid port, hold no ``user:password@``, no fragment,
    and no character a request line cannot carry.

    :param site_only: the option is a site's address alone (``https://acme.zendesk.com``):
        no path, query or fragment.
    :param query: whether it may have a query (an API's base URL, to which the sink adds
        paths, may not).
    :param secure: the sink sends a credential to it: ``https://`` only, except to a
        loopback host (``127.0.0.1``, ``::1``, ``localhost``).
    :param example: a URL to show in the message when ``site_only`` refuses one.
    :param credentials: where credentials go instead, added to that message (``"give them
        as email and token"``).
    """

    def check(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is None:
            return
        name = attribute.alias or attribute.name
        if not value.isprintable() or any(c.isspace() for c in value):
            raise ValueError(f"{name} must not contain spaces or control characters")
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https"):
            got = f"scheme {parts.scheme!r}" if parts.scheme else "no scheme"
            raise ValueError(f"{name} must start with http:// or https:// (got {got})")
        if parts.username is not None or parts.password is not None:
            instead = f": {credentials}" if credentials else ""
            raise ValueError(f"{name} must not hold credentials (user:password@){instead}")
        if not parts.hostname:
            raise ValueError(f"{name} has no host name")
        try:
            port = parts.port
        except ValueError:
            port = 0
        if port == 0 or (port is None and parts.netloc.endswith(":")):
            raise ValueError(f"{name} has a port that is not 1 to 65535")
        if secure and parts.scheme == "http" and parts.hostname not in LOOPBACK:
            raise ValueError(
                f"{name} must start with https://: the token would travel in clear "
                "(http:// is for a server on this machine)"
            )
        if parts.fragment or (not query and parts.query):
            what = "a fragment (#...)" if parts.fragment else "a query (?...)"
            raise ValueError(f"{name} must not have {what}")
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


def header_text(_instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """An attrs validator of a token, key or user name sent in an HTTP header: not empty,
    printable ASCII, no spaces (``None`` passes, for optional ones)."""
    if value is None:
        return
    name = attribute.alias or attribute.name
    if not value:
        raise ValueError(f"{name} must not be empty")
    if not (value.isascii() and value.isprintable()) or any(c.isspace() for c in value):
        raise ValueError(f"{name} must be printable ASCII without spaces or line breaks")


def url_secrets(url: str) -> list[str]:
    """What of a URL that is itself a credential (a Slack or Teams webhook) must never be
    shown: the URL as given and as an HTTP client rewrites it, its path, and each query
    value of 8 characters or more (``sig=…``). For :func:`hookyard.redact` and
    :func:`hookyard.hide_in_logs`."""
    parts = urlsplit(url)
    found = [url]
    host = (parts.hostname or "").lower()
    port = "" if parts.port in (None, 443 if parts.scheme == "https" else 80) else f":{parts.port}"
    rewritten = f"{parts.scheme}://{host}{port}{parts.path}"
    found.append(rewritten + (f"?{parts.query}" if parts.query else ""))
    if len(parts.path.strip("/")) >= 8:
        found.append(parts.path)
    found += [v for _, v in parse_qsl(parts.query) if len(v) >= 8]
    return list(dict.fromkeys(found))
