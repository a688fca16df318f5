"""Internal: the compiled conditions of a route, each able to say why it decided.

A condition tests an event in its JSON form. :meth:`Condition.explain` gives a
:class:`Verdict` (``matched: chat.tags contains 'vip'``, ``not matched: customer.email
regex '@acme' on 'x@y.com'``) for ``hookyard route explain``; :meth:`Condition.test` is
the same decision without the words, for routing.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, Protocol

import regex
from attrs import frozen

__all__ = [
    "AllOf",
    "AnyOf",
    "Condition",
    "FieldTest",
    "Not",
    "Verdict",
    "canonical",
    "found_values",
    "parse_time",
    "shown",
]

log = logging.getLogger("hookyard.routing")

#: Text that compares as a number: as JSON writes one (``"4"``, ``"-2.5"``, ``"1e3"``), not
#: ``"1_000"``, ``" 7 "`` or digits of other scripts, which Python's float() would take.
_NUMBER_TEXT = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")

#: How long one ``regex`` condition may search one value (seconds).
REGEX_TIMEOUT = 0.05

_NOTHING: Any = object()


@frozen
class Verdict:
    """Whether one condition held for one event, what it saw, and the verdicts of its parts."""

    condition: str
    matched: bool
    seen: Any = _NOTHING
    parts: tuple[Verdict, ...] = ()

    def __str__(self) -> str:
        text = f"{'matched' if self.matched else 'not matched'}: {self.condition}"
        if not self.matched and self.seen is not _NOTHING:
            text += f" on {shown(self.seen)}"
        return text

    def lines(self, indent: str = "") -> list[str]:
        """This verdict and its parts', one a line, the parts indented below it."""
        found = [indent + str(self)]
        for part in self.parts:
            found += part.lines(indent + "  ")
        return found


class Condition(Protocol):
    def test(self, event: Mapping[str, Any]) -> bool: ...

    def explain(self, event: Mapping[str, Any]) -> Verdict: ...


def shown(value: Any) -> str:
    """A value as a condition's text shows it: text quoted, lists in brackets."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(shown(item) for item in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return repr(value.isoformat().replace("+00:00", "Z"))
    return repr(value)


def canonical(value: Any) -> Any:
    """``value`` as equality compares it: ``true`` is not ``1``, a mapping is its sorted JSON,
    and a date YAML read is its ISO text (as JSON holds dates)."""
    if value is True or value is False:
        return ("bool", value)
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat().replace("+00:00", "Z")
    return ("json", json.dumps(value, sort_keys=True, default=str))


def found_values(event: Mapping[str, Any], path: tuple[str, ...]) -> list[Any]:
    """The values at ``path``: through a list, every item's (a number picks one item)."""
    current: list[Any] = [event]
    for part in path:
        following: list[Any] = []
        for value in current:
            if isinstance(value, Mapping):
                if part in value:
                    following.append(value[part])
            elif isinstance(value, list):
                if part.isascii() and part.isdigit():
                    following += value[int(part) : int(part) + 1]
                else:
                    following += [item[part] for item in value if _has(item, part)]
        current = following
    return current


_THROUGH_LIST: Any = object()


def _plain_get(event: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """The value at ``path`` through objects only (None when missing), or ``_THROUGH_LIST``
    when a list is on the way: :func:`found_values` then finds every item's."""
    value: Any = event
    for part in path:
        if type(value) is dict:
            value = value.get(part)
        elif value is None:
            return None
        else:
            return _THROUGH_LIST
    return value


def _has(item: Any, part: str) -> bool:
    return isinstance(item, Mapping) and part in item


def parse_time(value: Any) -> datetime | None:
    """An aware time from ISO 8601 text (no zone: UTC), or None when it is not one."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and len(value) >= 10 and value[4:5] == "-":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _number(value: Any) -> float | int | None:
    """A number, or text that reads as a finite one (``"4"``); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value  # compared exactly, however large
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value):
        number = float(value)
        return number if math.isfinite(number) else None
    return None


def text_of(value: Any) -> str | None:
    """Text as text operators read it: text, or a number as JSON writes it."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return json.dumps(value)
    return None


_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}


def value_test(op: str, operand: Any) -> Callable[[Any], bool]:
    """The test of one value (not a list) for operator ``op`` with a checked ``operand``."""
    if op == "in":
        allowed = frozenset(canonical(item) for item in operand)
        return lambda value: (value if type(value) is str else canonical(value)) in allowed
    if op == "regex":
        return _regex_test(operand)
    if op in ("contains", "starts_with", "ends_with"):
        return _text_test(op, str(operand))
    if isinstance(operand, datetime):
        order, moment = _ORDER[op], operand
        return lambda value: (time := parse_time(value)) is not None and order(time, moment)
    order, limit = _ORDER[op], operand if isinstance(operand, int) else float(operand)
    return lambda value: (number := _number(value)) is not None and order(number, limit)


def _regex_test(pattern: str) -> Callable[[Any], bool]:
    """A search that gives up after :data:`REGEX_TIMEOUT`: a pattern such as ``(a+)+$``
    takes exponential time on a sender's ``aaaa…!``, and one webhook must never stop
    intake. A search that runs out of time does not match, and says so in the log."""
    search = regex.compile(pattern).search

    def test(value: Any) -> bool:
        text = text_of(value)
        if text is None:
            return False
        try:
            return search(text, timeout=REGEX_TIMEOUT) is not None
        except TimeoutError:
            log.warning(
                "regex %r gave up on %d characters after %gs: taken as not matching",
                pattern,
                len(text),
                REGEX_TIMEOUT,
            )
            return False

    return test


def _text_test(op: str, operand: str) -> Callable[[Any], bool]:
    def test(value: Any) -> bool:
        text = text_of(value)
        if text is None:
            return False
        if op == "contains":
            return operand in text
        return text.startswith(operand) if op == "starts_with" else text.endswith(operand)

    return test


@frozen
class FieldTest:
    """``field op operand``: holds when any value found at ``path`` passes (a list's items
    each count); ``negated`` (``ne``, ``not_in``) holds when that does not.

    ``contains`` on a list looks for an item equal to the operand; ``exists`` holds when a
    value other than null or an empty list is there.
    """

    field: str
    path: tuple[str, ...]
    op: str
    operand: Any
    negated: bool
    check: Callable[[Any], bool]

    @classmethod
    def of(cls, field: str, op: str, operand: Any, negated: bool = False) -> FieldTest:
        kind = {"eq": "in", "ne": "in", "not_in": "in"}.get(op, op)
        values = [operand] if op in ("eq", "ne") else operand
        check = (lambda _: True) if op == "exists" else value_test(kind, values)
        if op == "contains":
            member, text = canonical(operand), check
            check = _contains(member, text)
        return cls(field, tuple(field.split(".")), op, operand, negated, check)

    def test(self, event: Mapping[str, Any]) -> bool:
        value = _plain_get(event, self.path)
        if value is not _THROUGH_LIST and type(value) is not list and self.op != "exists":
            return self.check(value) is not self.negated  # one plain value: most events
        values = [value] if value is not _THROUGH_LIST else found_values(event, self.path)
        if self.op == "exists":
            return any(value is not None and value != [] for value in values) is self.operand
        return self._any(values or [None]) is not self.negated

    def _any(self, values: list[Any]) -> bool:
        check = self.check
        for value in values:
            if type(value) is list and self.op != "contains":
                if any(check(item) for item in value):
                    return True
            elif check(value):
                return True
        return False

    def explain(self, event: Mapping[str, Any]) -> Verdict:
        values = found_values(event, self.path)
        seen = values[0] if len(values) == 1 else values
        condition = f"{self.field} {self.op} {shown(self.operand)}"
        return Verdict(condition, self.test(event), None if not values else seen)


def _contains(member: Any, text: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """``contains``: a list holding an item equal to ``member``, or text holding the text."""

    def check(value: Any) -> bool:
        if type(value) is list:
            if type(member) is str:
                return member in value  # only text equals text
            return any(canonical(item) == member for item in value)
        return text(value)

    return check


@frozen
class AllOf:
    """Holds when every condition does (a match mapping, ``all:``); none: always."""

    conditions: tuple[Condition, ...]
    name: str = "all"

    def test(self, event: Mapping[str, Any]) -> bool:
        return all(condition.test(event) for condition in self.conditions)

    def explain(self, event: Mapping[str, Any]) -> Verdict:
        parts = tuple(condition.explain(event) for condition in self.conditions)
        return Verdict(f"{self.name} of {len(parts)}", all(p.matched for p in parts), parts=parts)


@frozen
class AnyOf:
    """Holds when at least one condition does (``any:``)."""

    conditions: tuple[Condition, ...]

    def test(self, event: Mapping[str, Any]) -> bool:
        return any(condition.test(event) for condition in self.conditions)

    def explain(self, event: Mapping[str, Any]) -> Verdict:
        parts = tuple(condition.explain(event) for condition in self.conditions)
        return Verdict(f"any of {len(parts)}", any(p.matched for p in parts), parts=parts)


@frozen
class Not:
    """Holds when its condition does not (``not:``)."""

    condition: Condition

    def test(self, event: Mapping[str, Any]) -> bool:
        return not self.condition.test(event)

    def explain(self, event: Mapping[str, Any]) -> Verdict:
        inner = self.condition.explain(event)
        return Verdict("not", not inner.matched, parts=(inner,))
