"""Internal: a source's own access rules (``token``, ``basic_auth``, ``allow_ips``).

They are checked before the vendor's scheme and whatever the vendor, so a vendor that signs
nothing (Comm100) can still be fenced in. Secrets are compared in constant time, and a
refusal's reason never contains one (it is logged).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from attrs import frozen

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hookyard.config.model import BasicAuth, Network, SourceAccess

__all__ = ["Caller", "client_address", "credentials", "refusal"]


@frozen
class Caller:
    """Who sent a webhook, as the HTTP edge saw it.

    :param peer: the address of the TCP peer (None when the server could not tell).
    :param query: the raw query string of the request URL, without ``?``.
    """

    peer: str | None = None
    query: str = ""


def refusal(
    access: SourceAccess,
    caller: Caller,
    headers: Mapping[str, str],
    trusted_proxy: Network | None,
) -> str | None:
    """Why ``caller`` may not post to a source with ``access``; None when it may."""
    if access.allow_ips is not None:
        address = client_address(caller.peer, headers, trusted_proxy)
        if address is None:
            return "the caller's address is unknown, and allow_ips is set"
        if not any(address in network for network in access.allow_ips):
            return f"address {address} is not in allow_ips"
    if access.token is not None and (problem := _token_refusal(access.token, caller.query)):
        return problem
    if access.basic_auth is not None:
        return _basic_auth_refusal(access.basic_auth, headers.get("authorization"))
    return None


def credentials(access: SourceAccess) -> tuple[str, dict[str, str]]:
    """The query string and headers that pass ``access``'s token and basic_auth (simulate)."""
    query = f"token={access.token}" if access.token else ""
    headers = {}
    if access.basic_auth is not None:
        pair = f"{access.basic_auth.username}:{access.basic_auth.password}".encode()
        headers["authorization"] = "Basic " + base64.b64encode(pair).decode()
    return query, headers


def client_address(
    peer: str | None, headers: Mapping[str, str], trusted_proxy: Network | None
) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The caller's address: the peer's, or what the trusted proxy put last in
    ``X-Forwarded-For`` when the peer is that proxy. None when it cannot be read."""
    address = _address(peer)
    if address is None or trusted_proxy is None or address not in trusted_proxy:
        return address
    forwarded = headers.get("x-forwarded-for")
    if forwarded is None:
        return address  # the proxy itself, or a request that did not pass through it
    return _address(_without_port(forwarded.rsplit(",", 1)[-1].strip()))


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not text:
        return None
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # a dual-stack socket's spelling of an IPv4 peer
    return address


def _without_port(text: str) -> str:
    """``203.0.113.7:4711`` or ``[2001:db8::1]:4711`` without the port some proxies add."""
    if text.startswith("["):
        return text[1:].partition("]")[0]
    if text.count(":") == 1:
        return text.partition(":")[0]
    return text


def _token_refusal(token: str, query: str) -> str | None:
    given = parse_qs(query, keep_blank_values=True).get("token", [])
    if not given:
        return "the URL has no ?token="
    if len(given) > 1:
        return "the URL has ?token= more than once"
    if not hmac.compare_digest(given[0].encode(), token.encode()):
        return "the URL's ?token= is wrong"
    return None


def _basic_auth_refusal(expected: BasicAuth, header: str | None) -> str | None:
    scheme, _, encoded = (header or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return "no HTTP Basic credentials (Authorization: Basic …)"
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return "the HTTP Basic credentials are not base64 of user:password"
    username, colon, password = decoded.partition(":")
    name_ok = hmac.compare_digest(username.encode(), expected.username.encode())
    password_ok = hmac.compare_digest(password.encode(), expected.password.encode())
    if not (colon and name_ok and password_ok):
        return "wrong HTTP Basic username or password"
    return None
