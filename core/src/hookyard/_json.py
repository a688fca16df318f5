"""Internal: the one JSON encoder, for what hookyard stores and what it sends.

msgspec writes compact UTF-8 JSON (non-ASCII text as is), the same values ``json.dumps``
would write, faster. It spells some floats differently (``1e16``, not ``1e+16``) and writes
NaN and infinities as ``null``, where ``json.dumps`` would write invalid JSON. Values JSON
cannot hold (a rendered template's odd result) become text, so they never fail a delivery.

Text holding a lone surrogate (half of an emoji a sender cut off: valid JSON, not UTF-8)
is written as ASCII JSON by the standard library instead, keeping its ``\\uXXXX`` escape;
so is a redacted unparsed payload (intake/redact.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import msgspec

__all__ = ["dumpb", "dumps", "loads"]


def _default(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


_encoder = msgspec.json.Encoder(enc_hook=_default)
_decoder = msgspec.json.Decoder()


def loads(text: str | bytes) -> Any:
    """What :func:`dumps` wrote, read back; the standard library reads what msgspec will
    not (an escaped lone surrogate)."""
    try:
        return _decoder.decode(text)
    except msgspec.DecodeError:
        return json.loads(text)


def dumpb(value: Any) -> bytes:
    """``value`` as compact UTF-8 JSON bytes."""
    try:
        return _encoder.encode(value)
    except UnicodeEncodeError:
        return _ascii(value).encode()


def dumps(value: Any) -> str:
    """``value`` as compact JSON text."""
    try:
        return _encoder.encode(value).decode()
    except UnicodeEncodeError:
        return _ascii(value)


def _ascii(value: Any) -> str:
    """``value`` as ASCII JSON: text with a lone surrogate (``"\\ud83d"``, half of an emoji a
    sender cut off) cannot be UTF-8, so it keeps the ``\\uXXXX`` escape it arrived as."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"), default=_default)
