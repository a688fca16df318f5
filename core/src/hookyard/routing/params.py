"""An action's parameters: what a route's ``with`` may hold for it, checked by ``hookyard
check`` before any event arrives, and structured into the sink's class after rendering.

A sink declares them per action in ``SinkSpec.params``: an attrs class, or a set of key
names. With a class, the templates of fields that are not text render to native values
(a list for Slack ``blocks``, a number, a boolean) when the field is written as one
template: one expression gives its value as it is (text from the event stays text); text
the template builds from several parts is read as JSON when it is JSON. Strings nested in
a list or mapping written in YAML are always text.
"""

from __future__ import annotations

import math
import typing
from typing import TYPE_CHECKING, Any

import attrs
from attrs import frozen

from hookyard.config.located import format_path
from hookyard.config.structuring import describe_error

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    import cattrs

    from hookyard.config.located import Path as KeyPath
    from hookyard.sinks import SinkSpec

__all__ = [
    "ActionParams",
    "BrokenParams",
    "InvalidParams",
    "is_template",
    "not_json",
    "plain_json",
]

#: The largest whole number a parameter may hold: 1,000 digits (Python writes no more than
#: 4,300 as text, and no JSON reader the targets use takes anything near it).
MAX_INT_BITS = 3_300

_TEXT_TYPES = (str, str | None, typing.Optional[str])  # noqa: UP045 - both spellings


class InvalidParams(ValueError):
    """Rendered parameters the action's class does not take; the message names each place."""


class BrokenParams(ValueError):
    """A sink plugin's ``params`` for an action cannot be read (its function raised, it is
    not an attrs class, its annotations do not resolve)."""


def _safe_text(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:
        text = ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def is_template(value: Any) -> bool:
    """Whether ``value`` (a ``with`` value as written) holds a template anywhere."""
    if isinstance(value, str):
        return any(mark in value for mark in ("{{", "{%", "{#"))
    if isinstance(value, dict):
        return any(is_template(item) for item in value.values())
    if isinstance(value, list):
        return any(is_template(item) for item in value)
    return False


def plain_json(value: Any) -> bool:
    """Whether ``value`` is JSON as the store keeps it: objects with text keys, lists,
    text, finite numbers (whole ones of at most about 1,000 digits), booleans and null."""
    return not_json(value) is None


def not_json(value: Any, depth: int = 0) -> str | None:
    """What in ``value`` is not JSON as the store keeps it (``"a set"``, ``"the number
    inf"``), or None when all of it is."""
    if depth > 100:
        return "nesting over 100 levels deep"
    if value is None or isinstance(value, str | bool):
        return None
    if isinstance(value, int):
        return None if value.bit_length() <= MAX_INT_BITS else "a whole number of 1,000+ digits"
    if isinstance(value, float):
        return None if math.isfinite(value) else f"the number {value}"
    if isinstance(value, list | tuple):
        return next((f for v in value if (f := not_json(v, depth + 1))), None)
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"a key that is not text ({type(key).__name__})"
            if found := not_json(item, depth + 1):
                return found
        return None
    return f"a {type(value).__name__}"


@frozen
class ActionParams:
    """What one action of one sink takes in ``with``.

    :param keys: the keys it takes; ``None`` for any.
    :param cls: the attrs class its parameters are structured into, if it declares one.
    :param required: keys that must be given.
    :param native: keys whose templates render to native values (fields that are not text).
    """

    keys: frozenset[str] | None = None
    cls: type[Any] | None = None
    required: frozenset[str] = frozenset()
    native: frozenset[str] = frozenset()

    @classmethod
    def of(cls, spec: SinkSpec | None, action: str, options: Any = None) -> ActionParams:
        """What ``action`` of ``spec`` takes, for a sink configured with ``options``."""
        declared = None if spec is None else spec.params.get(action)
        try:
            return cls._of(declared, options)
        except Exception as exc:  # a plugin's declaration: its function or class is broken
            assert spec is not None
            raise BrokenParams(
                f"sink plugin {spec.name!r} declares the parameters of action {action!r} "
                f"wrongly ({_safe_text(exc)})"
            ) from exc

    @classmethod
    def _of(cls, declared: Any, options: Any) -> ActionParams:
        if callable(declared) and not isinstance(declared, type):
            if options is None:  # the sink's options are wrong (reported there): not judged
                return cls()
            declared = declared(options)  # the class depends on the sink's options
        if declared is None:
            return cls()
        if not isinstance(declared, type):
            return cls(keys=frozenset(declared))
        fields = attrs.fields(attrs.resolve_types(declared))
        return cls(
            keys=frozenset(f.name for f in fields),
            cls=declared,
            required=frozenset(f.name for f in fields if f.default is attrs.NOTHING),
            native=frozenset(f.name for f in fields if f.type not in _TEXT_TYPES),
        )

    def problems(
        self,
        given: Mapping[str, Any],
        converter: cattrs.Converter,
        path: KeyPath,
        named: str,
    ) -> Iterator[tuple[KeyPath, str]]:
        """What is wrong with ``given`` (a route's ``with`` as written) before rendering.

        :param named: ``sink 'x' action 'y'``, for the messages.
        """
        if self.keys is not None:
            for key in given:
                if key not in self.keys:
                    known = ", ".join(sorted(self.keys)) or "nothing"
                    yield (*path, key), f"{named} takes no {key!r} (it takes {known})"
        for key in sorted(self.required - set(given)):
            yield path, f"{named} needs {key!r}"
        if self.cls is None:
            return
        fields = {f.name: f for f in attrs.fields(self.cls)}
        literal = {k: v for k, v in given.items() if k in fields and not is_template(v)}
        wrong: list[tuple[KeyPath, str]] = []
        for key, value in literal.items():
            if key in self.native and (found := not_json(value)):
                wrong.append(((*path, key), f"YAML read {found} here; write it in quotes"))
                continue
            try:
                converter.structure(value, fields[key].type)
            except Exception as exc:  # a plugin's own structure hook may raise anything
                wrong += _located(exc, (*path, key), fields[key].type)
        yield from wrong
        if not wrong and len(literal) == len(given) and not (self.required - set(given)):
            # Nothing left to render: the class's own validators can judge it now.
            try:
                converter.structure(dict(given), self.cls)
            except Exception as exc:
                yield from _located(exc, path, self.cls)

    def structure(
        self, params: Mapping[str, Any], converter: cattrs.Converter, path: KeyPath
    ) -> Any:
        """``params`` (rendered) as the sink receives them: an instance of the class, or
        the mapping. Raises :class:`InvalidParams` naming each place that is wrong."""
        for key in self.native & params.keys():
            if found := not_json(params[key]):
                raise InvalidParams(f"{format_path((*path, key))}: rendered {found}, not JSON")
        if self.cls is None:
            return params
        try:
            return converter.structure(dict(params), self.cls)
        except Exception as exc:
            raise InvalidParams(_described(exc, path, self.cls)) from exc


def _located(exc: Exception, path: KeyPath, type_: Any) -> list[tuple[KeyPath, str]]:
    """Each problem of a failed structuring with its place; a plugin validator's exception
    whose text cannot even be read is named by its type."""
    try:
        return list(describe_error(exc, path, type_))
    except Exception:
        return [(path, f"the sink's parameter class raised {_safe_text(exc)}")]


def _described(exc: Exception, path: KeyPath, cls: type[Any]) -> str:
    return "; ".join(f"{format_path(p)}: {m}" for p, m in _located(exc, path, cls))
