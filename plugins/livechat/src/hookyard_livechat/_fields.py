"""Reading LiveChat's JSON strictly: wrong inner types raise, so the host keeps the payload.

These helpers raise plain ``TypeError``/``ValueError``: past the envelope check a malformed
delivery is authentic but unparseable, and hookyard stores it as ``unparsed``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from hookyard import Person

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "ROLES",
    "obj",
    "opt_list",
    "opt_obj",
    "opt_str",
    "opt_time",
    "person",
    "str_list",
    "users_of_type",
]

#: LiveChat user ``type`` -> hookyard author role.
ROLES: dict[str, str] = {"customer": "customer", "agent": "agent", "bot": "bot"}


def obj(mapping: Mapping[str, Any], key: str) -> dict[str, Any]:
    """``mapping[key]``, which must be a JSON object."""
    value = mapping[key]
    if not isinstance(value, dict):
        raise TypeError(f"{key} is not an object")
    return value


def opt_obj(mapping: Mapping[str, Any], key: str) -> dict[str, Any] | None:
    """``mapping[key]`` if present and not null; it must then be a JSON object."""
    return None if mapping.get(key) is None else obj(mapping, key)


def opt_str(mapping: Mapping[str, Any], key: str) -> str | None:
    """``mapping[key]`` if present and not null; it must then be a string."""
    value = mapping.get(key)
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{key} is not a string")
    return value


def opt_list(mapping: Mapping[str, Any], key: str) -> list[Any]:
    """``mapping[key]`` if present and not null, which must then be a list; else empty."""
    value = mapping.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise TypeError(f"{key} is not a list")
    return value


def str_list(mapping: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """``mapping[key]`` as a tuple of strings; missing or null is empty."""
    value = opt_list(mapping, key)
    if not all(isinstance(item, str) for item in value):
        raise TypeError(f"{key} is not a list of strings")
    return tuple(value)


def opt_time(mapping: Mapping[str, Any], key: str) -> datetime | None:
    """An RFC 3339 timestamp (``2017-10-12T15:19:21.010200Z``); it must carry a zone."""
    text = opt_str(mapping, key)
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"{key} {text!r} has no time zone")
    return value


def person(user: Mapping[str, Any]) -> Person:
    """A LiveChat User (customer or agent) as a :class:`~hookyard.events.Person`."""
    return Person(id=opt_str(user, "id"), name=opt_str(user, "name"), email=opt_str(user, "email"))


def users_of_type(users: list[Any], user_type: str) -> list[dict[str, Any]]:
    """The User objects of ``users`` whose ``type`` is ``user_type``."""
    for user in users:
        if not isinstance(user, dict):
            raise TypeError("a chat user is not an object")
    return [user for user in users if user.get("type") == user_type]
