"""What ``hookyard check`` knows of routes before any event arrives.

Match rules and the event fields templates read are checked against the event model
(:mod:`hookyard.events`) in its JSON form, the form routing sees: objects, lists, text.
``data``, ``changes`` and ``raw`` hold the vendor's own JSON, so anything below them goes.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import attrs
from attrs import frozen
from jinja2 import nodes

from hookyard import events
from hookyard.config.structuring import did_you_mean

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = ["Shape", "event_shape", "match_problems", "template_problems"]

Part = str | int


@frozen
class Shape:
    """What one place of an event's JSON form holds: an ``object`` with ``fields``, a
    ``list`` of ``item``, ``text``, a ``number``, or ``free`` JSON (anything goes)."""

    kind: str
    fields: Mapping[str, Shape] = attrs.field(factory=dict)
    item: Shape | None = None


@cache
def event_shape() -> Shape:
    """The shape of :class:`hookyard.events.Event`, read from its attrs fields and types."""
    return _shape(events.Event)


def _shape(hint: Any) -> Shape:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        (hint,) = (arg for arg in typing.get_args(hint) if arg is not type(None))
    if attrs.has(hint):
        hints = typing.get_type_hints(hint)
        shown = [a for a in attrs.fields(hint) if a.metadata.get("in_json_form", True)]
        return Shape("object", {a.name: _shape(hints[a.name]) for a in shown})
    if typing.get_origin(hint) is tuple:
        return Shape("list", item=_shape(typing.get_args(hint)[0]))
    if hint in (str, datetime):  # a timestamp is ISO 8601 text in the JSON form
        return Shape("text")
    if hint in (int, float):
        return Shape("number")
    return Shape("free")


def _name(parts: Sequence[Part]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "events"


def _no_field(parts: Sequence[Part], part: Part, shape: Shape) -> str:
    names = sorted(shape.fields)
    guess = did_you_mean(str(part), names)
    subject = f"{_name(parts)} has" if parts else "events have"
    return f"{subject} no field {part!r}{guess} (fields: {', '.join(names)})"


def _walk(parts: Sequence[Part], methods: bool) -> Shape | str:
    """The shape at ``parts`` of an event, or what is wrong with the path (a string).

    With ``methods`` (templates), a list may be indexed and a name that is a method of the
    JSON value there (``items``, ``upper``...) ends the check: what it returns is free.
    """
    shape = event_shape()
    for depth, part in enumerate(parts):
        seen = parts[:depth]
        python = {"object": dict, "list": list, "text": str, "number": float}.get(shape.kind)
        if shape.kind == "free" or (methods and isinstance(part, str) and hasattr(python, part)):
            return Shape("free")
        if shape.kind == "object" and part in shape.fields:
            shape = shape.fields[str(part)]
        elif shape.kind == "object" and isinstance(part, str):
            return _no_field(seen, part, shape)
        elif shape.kind == "list" and methods and isinstance(part, int) and shape.item:
            shape = shape.item
        elif shape.kind == "list":
            return f"{_name(seen)} is a list; {_inside_list(methods)}"
        else:
            return f"{_name(seen)} is {_kind(shape)}; it has no {_what(part)}"
    return shape


def _inside_list(methods: bool) -> str:
    if methods:
        return "pick an item ([0]) or loop over it ({% for item in ... %})"
    return "match cannot look inside it (a list of text matches when any item does)"


def _kind(shape: Shape) -> str:
    return {"object": "an object", "text": "text", "number": "a number"}[shape.kind]


def _what(part: Part) -> str:
    return f"item [{part}]" if isinstance(part, int) else f"field {part!r}"


#: Fields every event has (required by the event model), so ``null`` never matches them.
_ALWAYS_SET = frozenset({"id", "source", "vendor", "type", "vendor_type"})


def match_problems(key: str, value: Any) -> list[str]:
    """What is wrong with ``match: {key: value}``; an empty list when it can match."""
    parts = key.split(".")
    shape = _walk(parts, methods=False)
    if isinstance(shape, str):
        return [shape]
    values = value if isinstance(value, list) else [value]
    if shape.kind == "object":
        fields = ", ".join(f"{key}.{name}" for name in sorted(shape.fields))
        return [f"{key} is an object; match one of its fields ({fields})"]
    if shape.kind == "list" and shape.item is not None and shape.item.kind != "text":
        return [f"{key} is a list of objects; match cannot look inside it"]
    if not values:
        return [f"an empty list matches no event; name the {key} values to match"]
    if key in _ALWAYS_SET and None in values:
        return [f"every event has a {key}, so null never matches it"]
    found = [p for v in values if (p := _value_problem(key, v, shape)) is not None]
    return list(dict.fromkeys(found))


def _value_problem(key: str, value: Any, shape: Shape) -> str | None:
    if shape.kind == "free":
        return None  # the vendor's own JSON: compared as it is
    if isinstance(value, dict | list):
        return f"expected a value or a list of values, got {_yaml_kind(value)}"
    if value is None:
        return None  # null matches events without the field
    if shape.kind == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return None
        return f"{key} is a number, got {value!r}"
    if not isinstance(value, str):
        return (
            f"{key} holds text, but YAML read {value!r} as {_yaml_kind(value)}: write the "
            'value in quotes as the vendor sends it (e.g. "123"), or it never matches'
        )
    if key == "type" and value not in events.EVENT_TYPES:
        guess = did_you_mean(value, events.EVENT_TYPES)
        return f"{value!r} is not an event type{guess} (docs/events.md lists them)"
    return None


def _yaml_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a number" if isinstance(value, int | float) else type(value).__name__


#: Tags that load another template: routes' templates stand alone, so these always fail.
_LOADING = (nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)


def template_problems(template: nodes.Template) -> list[str]:
    """Every ``event`` field the parsed ``template`` reads that events do not have, and
    every tag that would load another template."""
    found: dict[str, str] = {}  # each problem once, with the longest expression showing it
    for node in template.find_all(_LOADING):
        tag = type(node).__name__.lower().replace("fromimport", "from ... import")
        found.setdefault(tag, f"uses {{% {tag} %}}, but a route's template cannot load another")
    for parts in _event_reads(template):
        problem = _walk(parts, methods=True)
        if isinstance(problem, str):
            found.setdefault(problem, f"reads {_expression(parts)}, but {problem}")
    return list(found.values())


def _event_reads(template: nodes.Template) -> Iterator[list[Part]]:
    """The constant paths below the name ``event``: ``event.chat.id``, ``event['chat']``."""
    for node in template.find_all((nodes.Getattr, nodes.Getitem)):
        parts: list[Part] = []
        current: nodes.Node = node
        while isinstance(current, nodes.Getattr | nodes.Getitem):
            if isinstance(current, nodes.Getattr):
                parts.append(current.attr)
            elif isinstance(current.arg, nodes.Const) and isinstance(current.arg.value, str | int):
                parts.append(current.arg.value)
            else:
                break  # event.chat[name]: only the part before the variable is known
            current = current.node
        else:
            if isinstance(current, nodes.Name) and current.name == "event":
                yield parts[::-1]


def _expression(parts: Sequence[Part]) -> str:
    return "event" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)
