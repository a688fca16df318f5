"""What ``hookyard check`` knows of routes before any event arrives.

Internal. The fields match rules name and the event fields templates read are checked
against the event model (:mod:`hookyard.events`) in its JSON form, the form routing sees:
objects, lists, text. ``data``, ``changes`` and ``raw`` hold the vendor's own JSON, so
anything below them goes. What each match operator takes is checked in
:mod:`hookyard.routing.match`.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import attrs
from attrs import frozen
from jinja2 import nodes

from hookyard import events
from hookyard.config.structuring import did_you_mean

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

__all__ = ["ALWAYS_SET", "Shape", "event_shape", "match_shape", "template_problems", "yaml_kind"]

Part = str | int


@frozen
class Shape:
    """What one place of an event's JSON form holds: an ``object`` with ``fields``, a
    ``list`` of ``item``, ``text`` (``time``: an ISO 8601 timestamp), a ``number``, or
    ``free`` JSON (anything goes)."""

    kind: str
    fields: Mapping[str, Shape] = attrs.field(factory=dict)
    item: Shape | None = None
    time: bool = False


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
    if hint is datetime:  # a timestamp is ISO 8601 text in the JSON form
        return Shape("text", time=True)
    if hint is str:
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


def _walk(parts: Sequence[Part]) -> Shape | str:
    """The shape at ``parts`` of an event a template reads, or what is wrong with the path.

    A list may be indexed, and a name that is a method of the JSON value there (``items``,
    ``upper``...) ends the check: what it returns is free.
    """
    shape = event_shape()
    for depth, part in enumerate(parts):
        seen = parts[:depth]
        python = {"object": dict, "list": list, "text": str, "number": float}.get(shape.kind)
        if shape.kind == "free" or (isinstance(part, str) and hasattr(python, part)):
            return Shape("free")
        if shape.kind == "object" and part in shape.fields:
            shape = shape.fields[str(part)]
        elif shape.kind == "object" and isinstance(part, str):
            return _no_field(seen, part, shape)
        elif shape.kind == "list" and isinstance(part, int) and shape.item:
            shape = shape.item
        elif shape.kind == "list":
            return (
                f"{_name(seen)} is a list; pick an item ([0]) or loop over it "
                "({% for item in ... %})"
            )
        else:
            return f"{_name(seen)} is {_kind(shape)}; it has no {_what(part)}"
    return shape


def _kind(shape: Shape) -> str:
    return {"object": "an object", "text": "text", "number": "a number"}[shape.kind]


def _what(part: Part) -> str:
    return f"item [{part}]" if isinstance(part, int) else f"field {part!r}"


#: Fields every event has (required by the event model), so ``null`` never matches them.
ALWAYS_SET = frozenset({"id", "source", "vendor", "type", "vendor_type"})


def match_shape(key: str) -> Shape | str:
    """The shape ``match: {key: ...}`` compares, or what is wrong with the field (a string).

    A path goes through a list to every item (``message.attachments.name``: any
    attachment's name) or, with a number, to one item (``message.attachments.0.name``).
    """
    shape = event_shape()
    parts = key.split(".")
    for depth, part in enumerate(parts):
        seen, verb = parts[:depth], "is"
        if shape.kind == "list" and shape.item is not None:
            shape, verb = shape.item, "holds"
            if part.isascii() and part.isdigit():
                continue
        if shape.kind == "free":
            return shape
        if shape.kind == "object" and part in shape.fields:
            shape = shape.fields[part]
        elif shape.kind == "object":
            return _no_field(seen, part, shape)
        else:
            return f"{_name(seen)} {verb} {_kind(shape)}; it has no {_what(part)}"
    return shape


def yaml_kind(value: Any) -> str:
    """What YAML read ``value`` as, in a user's words."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, datetime | date):
        return "a date"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "null"
    return "a number" if isinstance(value, int | float) else type(value).__name__


#: Tags that load another template: routes' templates stand alone, so these always fail.
_LOADING = (nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)


def template_problems(template: nodes.Template, grouped: bool = False) -> list[str]:
    """Every ``event`` field the parsed ``template`` reads that events do not have, every
    tag that would load another template, and ``events`` unless the route is ``grouped``."""
    found: dict[str, str] = {}  # each problem once, with the longest expression showing it
    if not grouped and any(
        node.name == "events" and node.ctx == "load" for node in template.find_all(nodes.Name)
    ):
        found["events"] = (
            "reads events, but only the with of a route with group has events (here there is "
            "one event: event)"
        )
    for node in template.find_all(_LOADING):
        tag = type(node).__name__.lower().replace("fromimport", "from ... import")
        found.setdefault(tag, f"uses {{% {tag} %}}, but a route's template cannot load another")
    for parts in _event_reads(template):
        problem = _walk(parts)
        if isinstance(problem, str):
            found.setdefault(problem, f"reads {_expression(parts)}, but {problem}")
    return list(found.values())


def _event_reads(template: nodes.Template) -> Iterator[list[Part]]:
    """The constant paths below the name ``event``: ``event.chat.id``, ``event['chat']``;
    and below one of a group's ``events``: ``events[0].chat.id``, ``e.chat.id`` in ``{% for
    e in events %}``."""
    items = {
        loop.target.name
        for loop in template.find_all(nodes.For)
        if isinstance(loop.iter, nodes.Name) and loop.iter.name == "events"
        if isinstance(loop.target, nodes.Name)
    }
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
            if isinstance(current, nodes.Name) and current.name in ("event", *items):
                yield parts[::-1]
            elif (
                isinstance(current, nodes.Name)
                and current.name == "events"
                and parts
                and isinstance(parts[-1], int)
            ):  # events[0].chat: the first event's chat
                yield parts[-2::-1]


def _expression(parts: Sequence[Part]) -> str:
    return "event" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)
