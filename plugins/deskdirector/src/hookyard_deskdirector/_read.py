"""Reading DeskDirector's JSON strictly: every value the parser uses is type-checked.

A value of the wrong type raises :class:`~hookyard.PayloadRejected` naming where it is
(``session 1: creator.userId is not a string``), so any JSON gives events or a 400, never
a crash.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from attrs import frozen

from hookyard import PayloadRejected

__all__ = ["Reader", "utc_text"]

_NO_DATE = "0001-01-01T00:00:00"


@frozen
class Reader:
    """One JSON object of the body and where it is, for error messages."""

    value: dict[str, Any]
    path: str

    @classmethod
    def of(cls, value: object, path: str) -> Reader:
        if not isinstance(value, dict):
            raise PayloadRejected(f"{path} is not an object")
        return cls(value, path)

    def fail(self, key: str, problem: str) -> PayloadRejected:
        return PayloadRejected(f"{self.path}.{key} {problem}")

    def opt_str(self, key: str) -> str | None:
        """``key``'s string, or ``None`` when it is missing or null."""
        value = self.value.get(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(key, "is not a string")
        return value

    def text(self, key: str) -> str:
        """``key``'s string, which must be there and not empty."""
        value = self.opt_str(key)
        if not value:
            raise self.fail(key, "is missing or empty")
        return value

    def opt_int(self, key: str) -> int | None:
        value = self.value.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.fail(key, "is not an integer")
        return value

    def opt_number(self, key: str) -> float | int | None:
        value = self.value.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise self.fail(key, "is not a number")
        return value

    def opt_obj(self, key: str) -> Reader | None:
        value = self.value.get(key)
        return None if value is None else Reader.of(value, f"{self.path}.{key}")

    def objects(self, key: str) -> list[Reader]:
        """``key``'s list of objects; missing or null is empty."""
        value = self.value.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, "is not a list")
        return [Reader.of(item, f"{self.path}.{key}[{i}]") for i, item in enumerate(value)]

    def strings(self, key: str) -> list[str]:
        """``key``'s list of strings; missing or null is empty."""
        value = self.value.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(key, "is not a list of strings")
        return list(value)

    def opt_time(self, key: str) -> datetime | None:
        """An ISO 8601 timestamp with a zone (``2018-06-28T05:18:26.9468948Z``), in UTC.

        Fractions past microseconds are cut; a timestamp without a zone is refused. Empty
        text and .NET's "no date" (``0001-01-01T00:00:00``, ``DateTime.MinValue``) are ``None``.
        """
        text = self.opt_str(key)
        if not text or text.startswith(_NO_DATE):
            return None
        try:
            value = datetime.fromisoformat(text)
            if value.tzinfo is None:
                raise self.fail(key, f"{text[:40]!r} has no time zone")
            return value.astimezone(UTC)
        except (ValueError, OverflowError):
            raise self.fail(key, f"{text[:40]!r} is not an ISO 8601 timestamp") from None

    def time(self, key: str) -> datetime:
        value = self.opt_time(key)
        if value is None:
            raise self.fail(key, "is missing")
        return value


def utc_text(value: datetime | None) -> str | None:
    """A UTC timestamp as ISO 8601 with ``Z``, for ``data``."""
    return None if value is None else value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
