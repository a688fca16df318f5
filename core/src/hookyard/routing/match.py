"""Internal: a route's ``match`` compiled into conditions, each mistake named at its place.

A match mapping's keys are dotted event fields, or ``any``, ``all`` and ``not``. A field's
value is the short form (a value, or a list of values: any of them) or a mapping of
operators, all of which must hold (docs/configuration.md#match). Below ``data``,
``changes`` and ``raw`` a mapping is operators only when every key is an operator; any
other mapping is a value to compare as it is.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import regex
from attrs import field, frozen

from hookyard import events
from hookyard.config.structuring import did_you_mean
from hookyard.routing.checks import ALWAYS_SET, Shape, match_shape, yaml_kind
from hookyard.routing.conditions import AllOf, AnyOf, Condition, FieldTest, Not, Verdict

if TYPE_CHECKING:
    from hookyard.config.located import Path as KeyPath
    from hookyard.config.located import Problems

__all__ = ["COMBINATORS", "OPERATORS", "PINNED", "CompiledMatch", "compile_match"]

COMBINATORS = ("any", "all", "not")
OPERATORS = (
    "eq",
    "ne",
    "in",
    "not_in",
    "exists",
    "regex",
    "contains",
    "starts_with",
    "ends_with",
    "gt",
    "gte",
    "lt",
    "lte",
)
#: The fields whose values a route's index is keyed on (:mod:`hookyard.routing.index`).
PINNED = ("type", "vendor", "source")
_ORDERS = ("gt", "gte", "lt", "lte")
_TIME_EXAMPLE = "2026-01-01T00:00:00Z"


@frozen
class CompiledMatch:
    """A route's ``match``: every condition must hold.

    :param pins: the values a match requires of ``type``, ``vendor`` and ``source`` at its
        top level (``eq``, ``in`` or the short form), by field, for the route index.
    :param unpinned: the conditions other than those pins.
    """

    conditions: tuple[Condition, ...] = ()
    pins: Mapping[str, frozenset[str]] = field(factory=dict)
    unpinned: tuple[Condition, ...] = ()

    def test(self, event: Mapping[str, Any], pins_hold: bool = False) -> bool:
        """Whether every condition holds for ``event``; with ``pins_hold`` (the index found
        the route by the event's type, vendor and source) only the unpinned ones are tested."""
        for condition in self.unpinned if pins_hold else self.conditions:
            if not condition.test(event):
                return False
        return True

    def explain(self, event: Mapping[str, Any]) -> list[Verdict]:
        """One verdict per condition of the mapping, in the order they are written."""
        return [condition.explain(event) for condition in self.conditions]

    def values_of(self, name: str) -> frozenset[Any]:
        """Every value an ``eq``, ``in`` or short form anywhere in the match names for the
        field ``name``."""
        return frozenset(_named_values(self.conditions, name))


def _named_values(conditions: tuple[Condition, ...], name: str) -> Iterator[Any]:
    for condition in conditions:
        if isinstance(condition, FieldTest) and condition.field == name:
            if condition.op in ("eq", "in"):
                yield from condition.operand if condition.op == "in" else [condition.operand]
        elif isinstance(condition, AllOf | AnyOf):
            yield from _named_values(condition.conditions, name)
        elif isinstance(condition, Not):
            yield from _named_values((condition.condition,), name)


def compile_match(raw: Mapping[str, Any], place: KeyPath, problems: Problems) -> CompiledMatch:
    """``raw`` (a route's ``match`` at ``place``) compiled; each mistake added to ``problems``."""
    conditions = _conditions(raw, place, problems)
    pins: dict[str, frozenset[str]] = {}
    unpinned = []
    for condition in conditions:
        values = _pinned(condition)
        if isinstance(condition, FieldTest) and values is not None:
            # Two tests of one pinned field both hold only for the values both allow.
            kept = pins.get(condition.field)
            pins[condition.field] = values if kept is None else kept & values
        else:
            unpinned.append(condition)
    return CompiledMatch(conditions, pins, tuple(unpinned))


def _pinned(condition: Condition) -> frozenset[str] | None:
    """The values ``condition`` allows ``type``, ``vendor`` or ``source``, if it pins one."""
    if not isinstance(condition, FieldTest) or condition.field not in PINNED:
        return None
    if condition.op not in ("eq", "in"):
        return None
    values = condition.operand if condition.op == "in" else [condition.operand]
    return frozenset(values) if all(isinstance(v, str) for v in values) else None


def _conditions(
    raw: Mapping[str, Any], place: KeyPath, problems: Problems
) -> tuple[Condition, ...]:
    found: list[Condition | None] = []
    for key, value in raw.items():
        where = (*place, key)
        if key in ("any", "all"):
            found.append(_combined(key, value, where, problems))
        elif key == "not":
            if isinstance(value, dict):
                found.append(Not(_one(_conditions(value, where, problems))))
            else:
                problems.add(where, f"not takes one match mapping, got {yaml_kind(value)}")
        else:
            found += _field(key, value, where, problems)
    return tuple(condition for condition in found if condition is not None)


def _combined(key: str, value: Any, where: KeyPath, problems: Problems) -> Condition | None:
    if not isinstance(value, list) or not value:
        got = "an empty list" if value == [] else yaml_kind(value)
        problems.add(where, f"{key} takes a list of match mappings, got {got}")
        return None
    parts: list[Condition] = []
    for index, item in enumerate(value):
        if isinstance(item, dict):
            parts.append(_one(_conditions(item, (*where, index), problems)))
        else:
            problems.add((*where, index), f"expected a match mapping, got {yaml_kind(item)}")
    return AnyOf(tuple(parts)) if key == "any" else AllOf(tuple(parts))


def _one(conditions: tuple[Condition, ...]) -> Condition:
    """The condition of a mapping: its only one, or all of them."""
    return conditions[0] if len(conditions) == 1 else AllOf(conditions)


def _field(key: str, value: Any, where: KeyPath, problems: Problems) -> list[Condition | None]:
    shape = match_shape(key)
    if isinstance(shape, str):
        problems.add(where, shape)
        return []
    if shape.kind == "object":
        fields = ", ".join(f"{key}.{name}" for name in sorted(shape.fields))
        problems.add(where, f"{key} is an object; match one of its fields ({fields})")
        return []
    if not isinstance(value, dict) or not _operators(value, shape, where, problems):
        op = "in" if isinstance(value, list) else "eq"
        return [_operator(key, op, value, shape, where, problems)]
    return [
        _operator(key, op, operand, shape, (*where, op), problems) for op, operand in value.items()
    ]


def _operators(value: dict[str, Any], shape: Shape, where: KeyPath, problems: Problems) -> bool:
    """Whether the mapping ``value`` is operators (below vendor JSON: only when all keys are)."""
    named = [key for key in value if key in OPERATORS]
    if shape.kind != "free" or len(named) == len(value) > 0:
        for key in value:
            if key not in OPERATORS:
                message = f"unknown operator{did_you_mean(key, OPERATORS)}"
                problems.add((*where, key), f"{message} (operators: {', '.join(OPERATORS)})")
        return True
    if named:
        others = ", ".join(key for key in value if key not in OPERATORS)
        problems.add(
            where,
            f"mixes operators ({', '.join(named)}) with other keys ({others}); to compare "
            "this mapping as it is, write it under eq: {eq: {...}}",
        )
    return False


def _operator(
    key: str, op: str, operand: Any, shape: Shape, where: KeyPath, problems: Problems
) -> Condition | None:
    """One operator's condition, or None (and its problems) when its operand is wrong."""
    if op not in OPERATORS:
        return None  # named by _operators
    item = shape.item if shape.kind == "list" and shape.item is not None else shape
    if shape.kind == "list" and item.kind == "object" and op != "exists":
        problems.add(where, f"{key} is a list of objects; match one of their fields")
        return None
    if op in ("in", "not_in"):
        found = _list_problems(key, operand, item, op)
    else:
        problem, operand = _checked(key, op, operand, shape, item)
        found = [] if problem is None else [problem]
    for problem in found:
        problems.add(where, problem)
    if found:
        return None
    return FieldTest.of(key, op, operand, negated=op in ("ne", "not_in"))


def _checked(key: str, op: str, operand: Any, shape: Shape, item: Shape) -> tuple[str | None, Any]:
    """What is wrong with ``operand`` for ``op`` (not ``in``, ``not_in``) on ``key``, and
    the operand as compiled."""
    if op in ("eq", "ne"):
        return _value_problem(key, operand, item, op), operand
    if op == "exists":
        if not isinstance(operand, bool):
            return f"exists takes true or false, got {operand!r}", operand
        if operand is False and key in ALWAYS_SET:
            return f"every event has a {key}, so exists: false never matches", operand
        return None, operand
    if op == "contains" and shape.kind == "list":
        return _value_problem(key, operand, item, op), operand
    if op in _ORDERS:
        return _order_operand(key, op, operand, item)
    return _text_operand(key, op, operand, item)


def _value_problem(key: str, value: Any, shape: Shape, op: str) -> str | None:
    if shape.kind == "free":
        return None  # the vendor's own JSON: compared as it is
    if isinstance(value, dict | list):
        wanted = "a value or a list of values" if op in ("eq", "in") else "a value"
        return f"expected {wanted}, got {yaml_kind(value)}"
    if value is None:
        if key in ALWAYS_SET:
            return f"every event has a {key}, so null never matches it"
        return None  # null matches events without the field
    if shape.kind == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return None
        return f"{key} is a number, got {value!r}"
    if not isinstance(value, str):
        return (
            f"{key} holds text, but YAML read {value!r} as {yaml_kind(value)}: write the "
            'value in quotes as the vendor sends it (e.g. "123"), or it never matches'
        )
    if key == "type" and value not in events.EVENT_TYPES:
        guess = did_you_mean(value, events.EVENT_TYPES)
        return f"{value!r} is not an event type{guess} (docs/events.md lists them)"
    return None


def _list_problems(key: str, values: Any, shape: Shape, op: str) -> list[str]:
    if not isinstance(values, list):
        return [f"{op} takes a list of values, got {yaml_kind(values)}"]
    if not values:
        if op == "in":
            return [f"an empty list matches no event; name the {key} values to match"]
        return [f"an empty not_in list leaves out nothing; name the {key} values to leave out"]
    found = [p for v in values if (p := _value_problem(key, v, shape, op)) is not None]
    return list(dict.fromkeys(found))


def _text_operand(key: str, op: str, operand: Any, shape: Shape) -> tuple[str | None, Any]:
    """``regex``, ``contains``, ``starts_with``, ``ends_with``: text, on a field of text."""
    if shape.kind == "number":
        return f"{op} looks at text, but {key} is a number; compare it with gt, lt ...", operand
    if not isinstance(operand, str):
        return f"{op} takes text, got {yaml_kind(operand)} {operand!r}", operand
    if op == "regex":
        try:
            regex.compile(operand)
        except regex.error as exc:
            return f"not a regular expression: {exc}", operand
        except Exception as exc:  # OverflowError, RecursionError: a pattern past the limits
            return f"not a regular expression: {type(exc).__name__}: {exc}", operand
    return None, operand


def _order_operand(key: str, op: str, operand: Any, shape: Shape) -> tuple[str | None, Any]:
    """``gt``, ``gte``, ``lt``, ``lte``: a number, or an ISO 8601 time with its zone."""
    number = isinstance(operand, int | float) and not isinstance(operand, bool)
    if number and shape.time:
        return f"{key} is a time; compare it with a time such as {_TIME_EXAMPLE!r}", operand
    if number and isinstance(operand, float) and not math.isfinite(operand):
        return f"{op} takes a finite number, got {operand!r}", operand
    if number:
        return None, operand
    if shape.kind == "number":
        return f"{key} is a number; {op} takes a number here, got {operand!r}", operand
    moment = _time_operand(operand)
    if isinstance(moment, str):
        return moment, operand
    return None, moment


def _time_operand(operand: Any) -> datetime | str:
    expected = f"expected a number or an ISO 8601 time such as {_TIME_EXAMPLE!r}"
    if isinstance(operand, date) and not isinstance(operand, datetime):
        return f"{operand.isoformat()} is a date; {expected} (a time with its zone)"
    moment = operand
    if isinstance(operand, str):
        try:
            moment = datetime.fromisoformat(operand)
        except ValueError:
            return f"{expected}, got {operand!r}"
    if not isinstance(moment, datetime):
        return f"{expected}, got {yaml_kind(operand)}"
    if moment.tzinfo is None:
        return f"{operand!s} has no time zone; add Z or an offset such as +01:00"
    return moment
