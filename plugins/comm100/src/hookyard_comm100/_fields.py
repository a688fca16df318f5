"""Reading Comm100's JSON strictly: every value the parser uses is type-checked.

A value of the wrong type raises :class:`~hookyard.PayloadRejected` naming exactly where
it is (``visitor.chat_id: expected a string or an integer, got a list``), so any JSON gives
events or a 400, never a crash. Empty strings, which Comm100 sends for every field left
blank, are read as absent.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from attrs import frozen

from hookyard import Attachment, PayloadRejected, Person

__all__ = ["Reader", "iso", "kind", "parse_date", "utc_offset"]

#: ``/Date(1584423203253)/`` or ``/Date(1584423203253+0800)/``, as WCF writes a .NET
#: DateTime; a literal backslash before each slash (``\/Date(…)\/`` escaped twice) is
#: accepted too.
_DATE = re.compile(r"\\?/Date\((-?[0-9]{1,19})(?:[+-]([0-9]{2})([0-9]{2}))?\)\\?/")
#: From this magnitude on a number is milliseconds (1973-03-03 onwards); below, seconds.
_MILLISECONDS_FROM = 10**11
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: .NET's ``DateTime.MinValue`` (0001-01-01), which Comm100 would send for "no date".
_NO_DATE_MS = -62135596800000
#: 9999-12-31T23:59:59.999Z, the last instant a datetime holds.
_LAST_MS = 253402300799999
#: ``GMT -08:00``, ``GMT +06:00``, ``GMT 06:00`` (the ``+`` lost, as in Comm100's samples).
_TIME_ZONE = re.compile(r"(?:GMT|UTC)\s*([+-]?)\s*([0-9]{1,2}):?([0-9]{2})", re.IGNORECASE)


def kind(value: object) -> str:
    """What a JSON value is, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


def parse_date(value: object, where: str) -> datetime | None:
    """A Comm100 timestamp as a UTC datetime (``None`` for null, ``""`` or .NET's no-date).

    ``/Date(n)/`` and ``/Date(n±hhmm)/`` hold milliseconds since the epoch in UTC (as in
    Microsoft's definition of the format): the offset only records the sender's zone and
    does not move the instant. A plain integer is read the same way. Numbers from 0 to
    below 10^11 are taken as seconds (older Comm100 samples have 10-digit values); negative
    ones are milliseconds before 1970. Before year 1 or after 9999 is refused.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        match = _DATE.fullmatch(value)
        if match is None:
            shown = value if len(value) <= 40 else f"{value[:40]}…"
            raise PayloadRejected(f"{where}: {shown!r} is not a /Date(milliseconds)/ timestamp")
        hours, minutes = match.group(2), match.group(3)
        if hours is not None and (int(hours) > 23 or int(minutes) > 59):
            raise PayloadRejected(f"{where}: {value!r} has an impossible UTC offset")
        number = int(match.group(1))
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raise PayloadRejected(f"{where}: expected a /Date(…)/ timestamp, got {kind(value)}")
    milliseconds = number * 1000 if 0 <= number < _MILLISECONDS_FROM else number
    if milliseconds == _NO_DATE_MS:
        return None
    if not _NO_DATE_MS < milliseconds <= _LAST_MS:
        raise PayloadRejected(f"{where}: {value!r} is out of range")
    return _EPOCH + timedelta(milliseconds=milliseconds)


def utc_offset(time_zone: str) -> str | None:
    """``GMT -08:00`` → ``-08:00``; an unsigned ``GMT 06:00`` is east of UTC (``+06:00``:
    Comm100's own samples show the same zone with and without its ``+``)."""
    match = _TIME_ZONE.fullmatch(time_zone.strip())
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    if int(hours) > 14 or int(minutes) > 59:
        return None
    return f"{sign or '+'}{int(hours):02d}:{minutes}"


def iso(value: datetime | None) -> str | None:
    """A time as ``data`` keeps it: ISO 8601 UTC with a ``Z``."""
    return None if value is None else value.isoformat().replace("+00:00", "Z")


@frozen
class Reader:
    """One JSON object of the body and where it is (``visitor``, ``chat``), for errors."""

    value: dict[str, Any]
    path: str

    @classmethod
    def of(cls, value: object, path: str) -> Reader:
        if not isinstance(value, dict):
            raise PayloadRejected(f"{path}: expected an object, got {kind(value)}")
        return cls(value, path)

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, expected: str) -> PayloadRejected:
        got = kind(self.value[key])
        return PayloadRejected(f"{self.where(key)}: expected {expected}, got {got}")

    def has(self, key: str) -> bool:
        return self.value.get(key) is not None

    def opt_str(self, key: str) -> str | None:
        """``key``'s string; ``None`` when it is missing, null or empty."""
        value = self.value.get(key)
        if value is not None and not isinstance(value, str):
            raise self.fail(key, "a string")
        return value or None

    def opt_id(self, key: str) -> str | None:
        """An id Comm100 sends as a GUID string or (before X2) an integer, as text."""
        value = self.value.get(key)
        if value is None or isinstance(value, str):
            return value or None
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise self.fail(key, "a string or an integer")

    def opt_int(self, key: str) -> int | None:
        value = self.value.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise self.fail(key, "an integer")
        return value

    def opt_scalar(self, key: str) -> str | int | float | None:
        """A string or a number, as given (``waiting_time`` is ``"10s"`` in one sample)."""
        value = self.value.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.fail(key, "a string or a number")
        return value

    def opt_time(self, key: str) -> datetime | None:
        return parse_date(self.value.get(key), self.where(key))

    def opt_obj(self, key: str) -> Reader | None:
        value = self.value.get(key)
        return None if value is None else Reader.of(value, self.where(key))

    def objects(self, key: str) -> list[dict[str, Any]]:
        """``key``'s list of objects, as given; missing or null is empty."""
        value = self.value.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, "a list")
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise PayloadRejected(
                    f"{self.where(key)}[{index}]: expected an object, got {kind(item)}"
                )
        return value

    def custom_variables(self) -> list[dict[str, Any]]:
        """``custom_variables`` and ``custom_variable`` (Comm100 spells it both ways)."""
        return [*self.objects("custom_variables"), *self.objects("custom_variable")]

    def rating(self, key: str) -> str | None:
        """A rating, an integer (``5``) or a string (``"1"``), as text."""
        value = self.value.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise self.fail(key, "an integer or a string")

    def attachments(self, key: str) -> tuple[Attachment, ...]:
        """``{name, uri}`` or a list of them; ones with neither a name nor a uri are none."""
        value = self.value.get(key)
        if value is None:
            return ()
        items = [value] if isinstance(value, dict) else value
        if not isinstance(items, list):
            raise self.fail(key, "an object or a list")
        found = []
        for index, item in enumerate(items):
            path = self.where(key) if isinstance(value, dict) else f"{self.where(key)}[{index}]"
            reader = Reader.of(item, path)
            name, url = reader.opt_str("name"), reader.opt_str("uri") or reader.opt_str("url")
            if name or url:
                found.append(Attachment(name=name, url=url))
        return tuple(found)

    def person(self, id_key: str = "id") -> Person:
        """A visitor or an offline message's sender: id, name, email, phone, company."""
        return Person(
            id=self.opt_id(id_key),
            name=self.opt_str("name"),
            email=self.opt_str("email"),
            phone=self.opt_str("phone"),
            company=self.opt_str("company"),
        )
