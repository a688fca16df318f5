"""Reading HelpCrunch's JSON strictly: a field of the wrong type is not HelpCrunch's shape.

Every helper raises :class:`~hookyard.PayloadRejected` (400, nothing stored) naming the
field, so arbitrary JSON gives events or ``PayloadRejected`` and nothing else; an exception
of any other kind is a parser bug, which the host keeps as ``unparsed``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hookyard import PayloadRejected, Person

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "iso",
    "obj",
    "opt_bool",
    "opt_id",
    "opt_int",
    "opt_obj",
    "opt_str",
    "opt_time",
    "person",
    "tag_names",
]

#: Seconds with optional fractional digits, as HelpCrunch writes times inside eventData.
_SECONDS = re.compile(r"[0-9]{1,12}(\.[0-9]{1,9})?")
#: 9999-12-31T23:59:59Z: later instants are not timestamps but garbage.
_LAST_SECOND = 253402300799


def obj(mapping: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``mapping[key]``, which must be a JSON object."""
    value = mapping.get(key)
    if not isinstance(value, dict):
        raise PayloadRejected(f"HelpCrunch {key} is not an object")
    return value


def opt_obj(mapping: Mapping[str, Any], key: str) -> dict[str, Any] | None:
    """``mapping[key]`` if present and not null; it must then be a JSON object."""
    return None if mapping.get(key) is None else obj(mapping, key)


def opt_str(mapping: Mapping[str, Any], key: str) -> str | None:
    """``mapping[key]`` if present and not null; it must then be a string."""
    value = mapping.get(key)
    if value is not None and not isinstance(value, str):
        raise PayloadRejected(f"HelpCrunch {key} is not a string")
    return value


def opt_int(mapping: Mapping[str, Any], key: str) -> int | None:
    """``mapping[key]`` if present and not null; it must then be an integer."""
    value = mapping.get(key)
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise PayloadRejected(f"HelpCrunch {key} is not an integer")
    return value


def opt_bool(mapping: Mapping[str, Any], key: str) -> bool | None:
    """``mapping[key]`` if present and not null; it must then be true or false."""
    value = mapping.get(key)
    if value is not None and not isinstance(value, bool):
        raise PayloadRejected(f"HelpCrunch {key} is not a boolean")
    return value


def opt_id(mapping: Mapping[str, Any], key: str) -> str | None:
    """An id HelpCrunch sends as an integer (or, for ``userId``, a string), as text."""
    value = mapping.get(key)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise PayloadRejected(f"HelpCrunch {key} is not an id")


def opt_time(mapping: Mapping[str, Any], key: str) -> datetime | None:
    """A Unix time: integer seconds (the envelope) or a string of seconds with fractional
    milliseconds (``"1607542030.713"``, inside ``eventData``); always UTC."""
    value = mapping.get(key)
    if value is None:
        return None
    if isinstance(value, str) and _SECONDS.fullmatch(value):
        seconds: float = float(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value
    else:
        raise PayloadRejected(f"HelpCrunch {key} is not a Unix timestamp")
    if not 0 <= seconds <= _LAST_SECOND:
        raise PayloadRejected(f"HelpCrunch {key} is out of range")
    return datetime.fromtimestamp(seconds, UTC)


def iso(value: datetime | None) -> str | None:
    """A time as ``data`` keeps it: ISO 8601 UTC with a ``Z``."""
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def person(mapping: Mapping[str, Any]) -> Person:
    """A HelpCrunch customer or agent (``{id, name, email, ...}``) as a Person."""
    return Person(
        id=opt_id(mapping, "id"),
        name=opt_str(mapping, "name"),
        email=opt_str(mapping, "email"),
        phone=opt_str(mapping, "phone"),
        company=opt_str(mapping, "company"),
    )


def tag_names(mapping: Mapping[str, Any], key: str = "tags") -> tuple[str, ...]:
    """Tags as names: HelpCrunch writes them as strings or as ``{"name": ..., "color": ...}``."""
    value = mapping.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise PayloadRejected(f"HelpCrunch {key} is not a list")
    names = [item if isinstance(item, str) else _tag_name(item, key) for item in value]
    return tuple(names)


def _tag_name(item: object, key: str) -> str:
    if isinstance(item, dict) and isinstance(item.get("name"), str):
        return str(item["name"])
    raise PayloadRejected(f"HelpCrunch {key} holds something that is not a tag")
