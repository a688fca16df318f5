"""The compact JSON the built-in sinks write."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

__all__ = ["dumps"]


def dumps(value: Any) -> str:
    """Compact JSON that keeps non-ASCII text as is.

    Mappings that are not dicts become objects, dates ISO 8601 strings, and any other value
    JSON cannot hold its ``str()``, so a rendered template never makes a delivery fail.
    """
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return list(value)
    return str(value)
