"""Reading SuperOffice's JSON strictly, whatever the case of its keys.

SuperOffice writes keys in PascalCase (``ContactId``, the samples) or camelCase
(``contactId``, the field list), and values with mixed types (``"ContactId": "21"`` next to
``"ProjectId": 5``). :class:`Fields` reads an object case-insensitively and each reader
accepts every plausible spelling of its type. What cannot be read raises
:class:`~hookyard.PayloadRejected` (400, nothing stored) naming the field, so arbitrary
JSON gives events or ``PayloadRejected`` and nothing else.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard import PayloadRejected

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Fields", "compact", "iso", "parse_time"]

#: An integer as SuperOffice may write it, as a number or as text (``"21"``).
_INTEGER = re.compile(r"-?[0-9]{1,18}")
#: ISO 8601 as .NET writes it: 0 to 7 (or more) fractional digits, ``Z``, an offset or none.
_TIME = re.compile(
    r"(?P<date>[0-9]{4}-[0-9]{2}-[0-9]{2})[T ](?P<time>[0-9]{2}:[0-9]{2}:[0-9]{2})"
    r"(?:\.(?P<fraction>[0-9]{1,9}))?"
    r"(?P<zone>Z|[+-][0-9]{2}:?[0-9]{2})?",
    re.IGNORECASE,
)
#: .NET's ``DateTime.MinValue``: SuperOffice's "no date".
_NO_DATE = datetime(1, 1, 1)


@frozen
class Fields:
    """A JSON object whose keys are read case-insensitively; ``where`` names it in errors."""

    where: str
    values: dict[str, Any]

    @classmethod
    def of(cls, where: str, value: object) -> Fields:
        """``value`` (an object, or null for none) with its keys folded to lower case."""
        if value is None:
            return cls(where, {})
        if not isinstance(value, dict):
            raise PayloadRejected(f"SuperOffice {where} is not an object")
        folded: dict[str, Any] = {}
        for key, item in value.items():
            if key.lower() in folded:
                raise PayloadRejected(f"SuperOffice {where} holds {key!r} twice (in two cases)")
            folded[key.lower()] = item
        return cls(where, folded)

    def get(self, key: str) -> Any:
        return self.values.get(key.lower())

    def _reject(self, key: str, what: str) -> PayloadRejected:
        return PayloadRejected(f"SuperOffice {self.where}.{key} is not {what}")

    def opt_str(self, key: str) -> str | None:
        """A string, or None when absent or null."""
        value = self.get(key)
        if value is not None and not isinstance(value, str):
            raise self._reject(key, "a string")
        return value

    def opt_int(self, key: str) -> int | None:
        """An integer, sent as a number or as text (``"21"``); None when absent or null."""
        value = self.get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
            return int(value)
        raise self._reject(key, "an integer")

    def opt_ref(self, key: str) -> int | None:
        """A reference to another record: an integer id, where 0 means "none" (None)."""
        value = self.opt_int(key)
        return None if value == 0 else value

    def opt_bool(self, key: str) -> bool | None:
        """true/false, also as text (``"True"``, .NET's spelling) or as 0/1."""
        value = self.get(key)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
            return value.strip().lower() == "true"
        if isinstance(value, int) and value in {0, 1}:
            return value == 1
        raise self._reject(key, "a boolean")

    def opt_time(self, key: str) -> datetime | None:
        """A timestamp in UTC (:func:`parse_time`); None when absent, null or "no date"."""
        value = self.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self._reject(key, "a timestamp")
        try:
            return parse_time(value)
        except ValueError:
            raise self._reject(key, "a timestamp") from None

    def str_list(self, key: str) -> tuple[str, ...]:
        """A list of strings; empty when absent or null."""
        value = self.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self._reject(key, "a list of strings")
        return tuple(value)


def parse_time(text: str) -> datetime | None:
    """A .NET timestamp in UTC; None for ``0001-01-01T00:00:00`` (``DateTime.MinValue``).

    Takes 6 or 7 fractional digits (more are cut to microseconds), ``Z``, an offset such
    as ``+02:00``, or no zone at all, which is read as UTC. Raises ``ValueError``.
    """
    found = _TIME.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"{text!r} is not an ISO 8601 timestamp")
    fraction = (found["fraction"] or "").ljust(6, "0")[:6]
    naive = datetime.fromisoformat(f"{found['date']}T{found['time']}.{fraction}")
    if naive == _NO_DATE:
        return None
    zone = _zone(found["zone"])
    try:
        return naive.replace(tzinfo=zone).astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{text!r} is out of range in UTC") from None


def _zone(text: str | None) -> timezone:
    if text is None or text.upper() == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise ValueError(f"{text!r} is not a UTC offset")
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if text[0] == "-" else offset)


def iso(value: datetime | None) -> str | None:
    """A time as ``data`` keeps it: ISO 8601 UTC with a ``Z``."""
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def compact(found: Mapping[str, Any]) -> dict[str, Any]:
    """``found`` without its None values."""
    return {key: value for key, value in found.items() if value is not None}
