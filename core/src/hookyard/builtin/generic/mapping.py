"""``mapping:``: which JSON path of another platform's delivery fills which event field.

The mapping is checked when the configuration is loaded (:func:`compile_mapping`, which
``check`` runs), each problem at its key in the YAML; a delivery is read with
:func:`mapped_event`, and :func:`sample_body` writes a sample event the other way round.
"""

from __future__ import annotations

import difflib
import re
from datetime import UTC, datetime
from typing import Any

from attrs import field, frozen
from cattrs.errors import IterableValidationError, IterableValidationNote

from hookyard import (
    EVENT_TYPES,
    Chat,
    Event,
    Message,
    PayloadRejected,
    Person,
    Rating,
    stable_event_id,
)
from hookyard.builtin.generic.paths import JsonPath, list_index, parse_path
from hookyard.events import AUTHOR_ROLES

__all__ = ["TARGETS", "FieldMap", "Rule", "compile_mapping", "mapped_event", "sample_body"]

_PEOPLE = ("id", "name", "email", "phone", "company")
#: Fields that take text (a number is taken as its text), each with an optional value map.
TEXT_FIELDS: tuple[str, ...] = (
    "id",
    "vendor_type",
    "chat.id",
    "chat.thread_id",
    "chat.status",
    "chat.department",
    "chat.rating.value",
    "chat.rating.comment",
    *(f"customer.{name}" for name in _PEOPLE),
    *(f"agent.{name}" for name in _PEOPLE),
    "message.id",
    "message.text",
    "message.author_id",
    "message.author_role",
)
#: Fields that take a timestamp: ISO 8601 text, or Unix seconds or milliseconds.
TIME_FIELDS = ("occurred_at", "message.created_at")
#: Every key a mapping may have.
TARGETS: tuple[str, ...] = tuple(sorted({"type", "data", "chat.tags", *TEXT_FIELDS, *TIME_FIELDS}))
#: The key of a value map that stands for every value not listed.
OTHERWISE = "*"
#: Numbers at least this large are Unix milliseconds (as seconds: the year 5138 and later).
MILLISECONDS_FROM = 100_000_000_000
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
#: What a value map's values must be: (allowed, what they are, the hint when none is close).
_VOCABULARIES: dict[str, tuple[frozenset[str], str, str]] = {
    "type": (EVENT_TYPES, "a normalized event type", "docs/events.md lists them"),
    "message.author_role": (AUTHOR_ROLES, "an author role", ", ".join(sorted(AUTHOR_ROLES))),
}


@frozen
class Rule:
    """One field's path, and the map from the delivery's values to the field's."""

    path: JsonPath
    values: dict[str, str] = field(factory=dict)

    def text(self, body: Any, target: str) -> str | None:
        """The field's text in ``body``, mapped; None when the path leads to nothing."""
        value = _text(self.path.find(body), self.path.text, target)
        if value is None:
            return None
        return self.values.get(value, self.values.get(OTHERWISE, value))


@frozen
class FieldMap:
    """A compiled ``mapping:``: ``type``, the other fields, and ``data``'s names."""

    type: Rule
    fields: dict[str, Rule] = field(factory=dict)
    data: dict[str, JsonPath] = field(factory=dict)


# --- loading ------------------------------------------------------------------------

_Where = tuple[str, ...]


def compile_mapping(raw: Any) -> FieldMap:
    """The mapping written in the YAML; every problem is raised at once, each at its key.

    The problems are raised as cattrs' own validation errors, which the configuration
    loader shows at their place (``sources.NAME.mapping.type.values (line 7): ...``).
    """
    if not isinstance(raw, dict):
        raise ValueError(f"expected a mapping of event fields to JSON paths, got {_kind(raw)}")
    problems: list[tuple[_Where, str]] = []
    rules: dict[str, Rule] = {}
    data: dict[str, JsonPath] = {}
    for target, spec in raw.items():
        if target == "data":
            data = _data(spec, problems)
        elif target in TARGETS:
            if (rule := _rule(target, spec, problems)) is not None:
                rules[target] = rule
        else:
            problems.append(((target,), _unknown(target, spec)))
    if "type" not in raw:
        problems.append(
            (
                (),
                "no type: say where a delivery names its event (type: PATH, or "
                "type: {path: PATH, values: {...}})",
            )
        )
    if problems:
        raise IterableValidationError(
            "While structuring mapping", [_located(where, text) for where, text in problems], dict
        )
    return FieldMap(rules.pop("type"), rules, data)


def _located(where: _Where, message: str) -> Exception:
    """``message`` wrapped in one cattrs error per key of ``where``, as cattrs nests them."""
    error: Exception = ValueError(message)
    for depth in range(len(where) - 1, -1, -1):
        error.add_note(
            IterableValidationNote(f"Structuring @ key {where[depth]!r}", where[depth], Any)
        )
        if depth:
            error = IterableValidationError("While structuring mapping", [error], dict)
    return error


def _unknown(target: str, spec: Any) -> str:
    if target in ("chat", "customer", "agent", "message") and isinstance(spec, dict):
        first = next(iter(spec), "id")
        return f"write one key per field, e.g. `{target}.{first}: PATH`, not a nested mapping"
    close = difflib.get_close_matches(target, TARGETS, n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"{target!r} is not an event field a mapping fills{hint} (fields: {', '.join(TARGETS)})"


def _path(text: Any, where: _Where, problems: list[tuple[_Where, str]]) -> JsonPath | None:
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if not isinstance(text, str):
        problems.append((where, f"expected a JSON path such as conversation.id, got {_kind(text)}"))
        return None
    try:
        return parse_path(text)
    except ValueError as exc:
        problems.append((where, str(exc)))
        return None


def _rule(target: str, spec: Any, problems: list[tuple[_Where, str]]) -> Rule | None:
    if not isinstance(spec, dict):
        path = _path(spec, (target,), problems)
        return None if path is None else Rule(path)
    if target not in ("type", *TEXT_FIELDS):
        problems.append(((target,), "expected a JSON path (value maps are for text fields)"))
        return None
    for key in sorted(set(spec) - {"path", "values"}):
        close = difflib.get_close_matches(key, ("path", "values"), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        problems.append(((target, key), f"unknown key{hint} (allowed: path, values)"))
    if "path" not in spec:
        problems.append(((target,), "needs path: where the value is in a delivery"))
        return None
    path = _path(spec["path"], (target, "path"), problems)
    values = _values(target, spec.get("values"), problems)
    return None if path is None or values is None else Rule(path, values)


def _values(target: str, raw: Any, problems: list[tuple[_Where, str]]) -> dict[str, str] | None:
    where = (target, "values")
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append((where, f"expected a mapping of the delivery's values to {target}'s"))
        return None
    values: dict[str, str] = {}
    allowed, called, listed = _VOCABULARIES.get(target, (None, "text", ""))
    for given, wanted in raw.items():
        if isinstance(wanted, int | float) and not isinstance(wanted, bool) and allowed is None:
            wanted = str(wanted)
        if not isinstance(wanted, str):
            problems.append((where, f"{given!r} maps to {_kind(wanted)}; expected {called}"))
        elif allowed is not None and wanted not in allowed:
            close = difflib.get_close_matches(wanted, sorted(allowed), n=1)
            hint = f"did you mean {close[0]}?" if close else listed
            problems.append((where, f'"{wanted}" is not {called} ({hint})'))
        else:
            values[given] = wanted
    return values if len(values) == len(raw) else None


def _data(raw: Any, problems: list[tuple[_Where, str]]) -> dict[str, JsonPath]:
    if not isinstance(raw, dict):
        problems.append((("data",), "expected a mapping of names in data to JSON paths"))
        return {}
    found = {name: _path(text, ("data", name), problems) for name, text in raw.items()}
    return {name: path for name, path in found.items() if path is not None}


# --- reading a delivery -------------------------------------------------------------


def mapped_event(
    mapping: FieldMap,
    body: dict[str, Any],
    source: str,
    received_at: datetime,
    webhook_id: str | None,
) -> Event:
    """The event ``mapping`` reads from ``body``; :class:`PayloadRejected` names a wrong path.

    :param webhook_id: the ``webhook-id`` header, the event's id when no path gives one.
    """
    raw_type = _text(mapping.type.path.find(body), mapping.type.path.text, "type")
    text = {
        target: rule.text(body, target)
        for target, rule in mapping.fields.items()
        if target in TEXT_FIELDS
    }
    rating = _part(Rating, text, "chat.rating.")
    tags = _tags(mapping.fields.get("chat.tags"), body)
    chat = _part(Chat, text, "chat.", tags=tags, rating=rating)
    role = text.get("message.author_role")
    text["message.author_role"] = role if role in AUTHOR_ROLES else None
    created_at = _time(mapping.fields.get("message.created_at"), body, "message.created_at")
    return Event(
        id=text.get("id") or webhook_id or stable_event_id(body),
        source=source,
        vendor="generic",
        type=_event_type(mapping.type, raw_type),
        vendor_type=text.get("vendor_type") or raw_type or "",
        occurred_at=_time(mapping.fields.get("occurred_at"), body, "occurred_at") or received_at,
        received_at=received_at,
        chat=chat,
        customer=_part(Person, text, "customer."),
        agent=_part(Person, text, "agent."),
        message=_part(Message, text, "message.", created_at=created_at),
        data={name: path.find(body) for name, path in mapping.data.items()},
        raw=body,
    )


def _event_type(rule: Rule, raw: str | None) -> str:
    """The listed value's type, else ``*``'s, else the value itself if it is a type."""
    if raw is None:
        return "unknown"
    mapped = rule.values.get(raw, rule.values.get(OTHERWISE))
    if mapped is not None:
        return mapped
    return raw if raw in EVENT_TYPES else "unknown"


def _part(cls: type[Any], text: dict[str, str | None], prefix: str, **given: Any) -> Any:
    """``cls`` from the fields under ``prefix``, or None when none of them has a value."""
    values: dict[str, Any] = {
        key[len(prefix) :]: value
        for key, value in text.items()
        if key.startswith(prefix) and "." not in key[len(prefix) :]
    }
    values.update(given)
    if not any(value not in (None, ()) for value in values.values()):
        return None
    return cls(**values)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return repr(value)


def _text(value: Any, path: str, target: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise PayloadRejected(f"{path} is {_kind(value)}, but {target} takes text")


def _tags(rule: Rule | None, body: Any) -> tuple[str, ...]:
    if rule is None:
        return ()
    value = rule.path.find(body)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise PayloadRejected(f"{rule.path.text} is {_kind(value)}, but chat.tags takes an array")
    tags = (_text(item, f"{rule.path.text}.{i}", "chat.tags") for i, item in enumerate(value))
    return tuple(tag for tag in tags if tag is not None)


def _time(rule: Rule | None, body: Any, target: str) -> datetime | None:
    """ISO 8601 (no time zone: UTC), or Unix seconds, or milliseconds from 10^11 on."""
    if rule is None:
        return None
    value = rule.path.find(body)
    if value is None:
        return None
    wrong = PayloadRejected(
        f"{rule.path.text} is {_kind(value)}, but {target} takes an ISO 8601 timestamp or "
        "Unix seconds or milliseconds"
    )
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        value = float(value)
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            seconds = value / 1000 if abs(value) >= MILLISECONDS_FROM else value
            return datetime.fromtimestamp(seconds, UTC)
        if isinstance(value, str):
            when = datetime.fromisoformat(value)
            return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC)
    except (OverflowError, OSError, ValueError):
        raise wrong from None
    raise wrong


# --- writing a sample ---------------------------------------------------------------


def sample_body(mapping: FieldMap, sample: dict[str, Any]) -> dict[str, Any]:
    """A delivery that ``mapping`` reads as ``sample`` (an event in its JSON form).

    Each field is written at its path, through the value maps backwards (the first value
    that maps to it, else the value itself); ``data`` is left out. A path that runs into
    another field's value is skipped.
    """
    flat = _flatten(sample)
    vendor_type = _backwards(mapping.type.values, sample["type"])
    body: dict[str, Any] = {}
    _put(body, mapping.type.path.keys, vendor_type)
    flat["vendor_type"] = vendor_type
    for target, rule in mapping.fields.items():
        value = flat.get(target)
        if value is not None:
            if isinstance(value, str):
                value = _backwards(rule.values, value)
            _put(body, rule.path.keys, value)
    return body


def _flatten(sample: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in sample.items():
        if isinstance(value, dict) and key != "data":
            for name, inner in _flatten(value).items():
                flat[f"{key}.{name}"] = inner
        else:
            flat[key] = value
    return flat


def _backwards(values: dict[str, str], wanted: str) -> str:
    listed = (given for given, mapped in values.items() if mapped == wanted and given != OTHERWISE)
    return next(listed, wanted)


def _put(body: dict[str, Any], keys: tuple[str, ...], value: Any) -> None:
    """Set ``value`` at ``keys``, making objects (and lists, for numbers) on the way."""
    node: Any = body
    for depth, key in enumerate(keys[:-1]):
        node = _place(node, key, [] if list_index(keys[depth + 1]) is not None else {})
        if not isinstance(node, dict | list):
            return
    _place(node, keys[-1], value)


#: The longest list a sample makes to reach an index.
_SAMPLE_ITEMS = 100


def _place(node: Any, key: str, value: Any) -> Any:
    """Put ``value`` at ``key`` of ``node`` unless one is there; what is there then, or None."""
    if isinstance(node, dict):
        return node.setdefault(key, value)
    index = list_index(key)
    if isinstance(node, list) and index is not None and index < _SAMPLE_ITEMS:
        node.extend([None] * (index + 1 - len(node)))
        if node[index] is None:
            node[index] = value
        return node[index]
    return None
