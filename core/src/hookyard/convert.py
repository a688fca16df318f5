"""The one cattrs converter: configuration in, event JSON out."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from cattrs.preconf.json import make_converter as _json_converter

if TYPE_CHECKING:
    import cattrs

__all__ = ["make_converter"]


def make_converter() -> cattrs.Converter:
    """A converter that reports every error with its place and writes ISO 8601 times."""
    converter = _json_converter(forbid_extra_keys=True, omit_if_default=False)
    converter.register_unstructure_hook(datetime, _iso)
    converter.register_structure_hook(datetime, _from_iso)
    return converter


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _from_iso(value: Any, _type: type) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 timestamp, got {value!r}")
    return datetime.fromisoformat(value)
