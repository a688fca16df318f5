"""Internal: the one JSON encoder, for what hookyard stores and what it sends.

msgspec writes compact UTF-8 JSON (non-ASCII text as is), the same values ``json.dumps``
would write, faster. It spells some floats differently (``1e16``, not ``1e+16``) and writes
NaN and infinities as ``null``, where ``json.dumps`` would write invalid JSON. Values JSON
cannot hold (a rendered template's odd result) become text, so they never fail a delivery.

One place writes JSON otherwise: a redacted unparsed payload (intake/redact.py) is
re-encoded as ASCII JSON with the standard library, which keeps a lone surrogate the
sender wrote as its ``\\uXXXX`` escape instead of failing on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import msgspec

__all__ = ["dumpb", "dumps"]


def _default(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


_encoder = msgspec.json.Encoder(enc_hook=_default)


def dumpb(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON bytes."""
    return _encoder.encode(value)


def dumps(value: Any) -> str:
    """``value`` as compact JSON text."""
    return _encoder.encode(value).decode()
