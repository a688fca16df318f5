"""Reading LiveChat's JSON strictly, naming the exact place of anything wrong.

A value of the wrong type is not what LiveChat sends: every reader raises
:class:`~hookyard.PayloadRejected` (400, nothing stored) with the value's path in the body,
for example ``payload.chat.users[1].email: expected a string, got 3``. So arbitrary JSON
gives events or ``PayloadRejected`` and nothing else. Strings the sender wrote are never
quoted in a message (a customer may type anything); numbers, booleans and null are.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from attrs import frozen

from hookyard import PayloadRejected, Person

__all__ = ["ROLES", "Obj", "iso", "person", "rejected"]

#: LiveChat user ``type`` -> hookyard author role.
ROLES: dict[str, str] = {"customer": "customer", "agent": "agent", "bot": "bot"}


def _shown(value: object) -> str:
    """How a wrong value is named in a message: its JSON kind, or the scalar itself."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        text = str(value)
        return text if len(text) <= 20 else text[:20] + "…"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def rejected(path: str, expected: str, value: object) -> PayloadRejected:
    """The error for ``value`` at ``path`` when ``expected`` was due."""
    return PayloadRejected(f"{path}: expected {expected}, got {_shown(value)}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@frozen
class Obj:
    """One JSON object of a delivery and where it sits (``payload.chat.users[1]``)."""

    value: dict[str, Any]
    path: str

    @classmethod
    def of(cls, value: object, path: str) -> Obj:
        """``value``, which must be a JSON object."""
        if not isinstance(value, dict):
            raise rejected(path, "an object", value)
        return cls(value, path)

    def at(self, key: str) -> str:
        return f"{self.path}.{key}"

    def req(self, key: str, expected: str) -> Any:
        """``value[key]``, which must be present and not null."""
        if key not in self.value:
            raise PayloadRejected(f"{self.at(key)}: missing (expected {expected})")
        found = self.value[key]
        if found is None:
            raise rejected(self.at(key), expected, None)
        return found

    def opt_str(self, key: str) -> str | None:
        value = self.value.get(key)
        if value is not None and not isinstance(value, str):
            raise rejected(self.at(key), "a string", value)
        return value

    def req_str(self, key: str) -> str:
        value = self.req(key, "a string")
        if not isinstance(value, str):
            raise rejected(self.at(key), "a string", value)
        return value

    def opt_bool(self, key: str) -> bool | None:
        value = self.value.get(key)
        if value is not None and not isinstance(value, bool):
            raise rejected(self.at(key), "true or false", value)
        return value

    def opt_int(self, key: str) -> int | None:
        value = self.value.get(key)
        if value is not None and not _is_int(value):
            raise rejected(self.at(key), "an integer", value)
        return value

    def group_id(self, key: str) -> int:
        """A LiveChat group id: an integer."""
        value = self.req(key, "an integer")
        if not _is_int(value):
            raise rejected(self.at(key), "an integer", value)
        return int(value)

    def opt_obj(self, key: str) -> Obj | None:
        value = self.value.get(key)
        return None if value is None else Obj.of(value, self.at(key))

    def obj(self, key: str) -> Obj:
        return Obj.of(self.req(key, "an object"), self.at(key))

    def opt_list(self, key: str) -> list[Any]:
        """``value[key]`` as a list; missing or null is empty."""
        value = self.value.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise rejected(self.at(key), "an array", value)
        return value

    def objs(self, key: str) -> list[Obj]:
        """``value[key]``: an array of objects; missing or null is empty."""
        return [Obj.of(item, f"{self.at(key)}[{i}]") for i, item in enumerate(self.opt_list(key))]

    def strs(self, key: str) -> tuple[str, ...]:
        """``value[key]``: an array of strings; missing or null is empty."""
        items = self.opt_list(key)
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise rejected(f"{self.at(key)}[{i}]", "a string", item)
        return tuple(items)

    def ints(self, key: str) -> tuple[int, ...]:
        """``value[key]``: an array of integers (group ids); missing or null is empty."""
        items = self.opt_list(key)
        for i, item in enumerate(items):
            if not _is_int(item):
                raise rejected(f"{self.at(key)}[{i}]", "an integer", item)
        return tuple(items)

    def opt_time(self, key: str) -> datetime | None:
        """An RFC 3339 time with a zone (``2017-10-12T15:19:21.010200Z``), in UTC."""
        text = self.opt_str(key)
        if text is None:
            return None
        expected = "an RFC 3339 time with a time zone"
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise PayloadRejected(
                f"{self.at(key)}: expected {expected}, got a string that is not a time"
            ) from None
        if value.tzinfo is None:
            raise PayloadRejected(f"{self.at(key)}: expected {expected}, got a time without one")
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise PayloadRejected(f"{self.at(key)}: the time is out of range") from None

    def properties(self, key: str, *, deleted: bool) -> dict[str, Any]:
        """LiveChat properties keyed by namespace: ``{ns: {name: value}}``, as sent; for a
        deletion ``{ns: [name, ...]}``."""
        found = self.obj(key)
        for namespace in found.value:
            if deleted:
                found.strs(namespace)
            else:
                found.obj(namespace)
        return found.value


def person(user: Obj) -> Person:
    """A LiveChat User (customer, agent or bot) as a :class:`~hookyard.Person`."""
    return Person(id=user.opt_str("id"), name=user.opt_str("name"), email=user.opt_str("email"))


def iso(value: datetime | None) -> str | None:
    """A time as ``data`` keeps it: ISO 8601 UTC with a ``Z``."""
    return None if value is None else value.isoformat().replace("+00:00", "Z")
