"""Reading what sentry-sdk POSTs to a DSN: envelopes, decoded per Content-Encoding."""

from __future__ import annotations

import gzip
import json
import zlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hookyard.testing import Recorded

__all__ = ["decoded", "events_in", "sentry_events"]

ENVELOPE_PATH = "/api/1/envelope/"


def decoded(request: Recorded) -> bytes:
    """The request body without its Content-Encoding (gzip, deflate or brotli)."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding == "gzip":
        return gzip.decompress(request.body)
    if encoding == "deflate":
        return zlib.decompress(request.body)
    if encoding == "br":
        import brotli  # only present when sentry-sdk found it, so it compressed with it

        return bytes(brotli.decompress(request.body))
    assert encoding == "identity", f"unexpected content-encoding {encoding!r}"
    return request.body


def events_in(envelope: bytes) -> list[dict[str, Any]]:
    """The ``event`` items of one envelope: header line, then (item header, payload) pairs."""
    _header, _, rest = envelope.partition(b"\n")
    found = []
    while rest.strip():
        item_line, _, rest = rest.partition(b"\n")
        item = json.loads(item_line)
        if "length" in item:
            payload, rest = rest[: item["length"]], rest[item["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        if item.get("type") == "event":
            found.append(json.loads(payload))
    return found


def sentry_events(requests: list[Recorded]) -> list[dict[str, Any]]:
    """Every event in every envelope POSTed to project 1."""
    envelopes = [decoded(r) for r in requests if r.path.startswith(ENVELOPE_PATH)]
    return [event for envelope in envelopes for event in events_in(envelope)]
