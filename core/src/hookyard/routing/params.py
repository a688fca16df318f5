"""An action's parameters: what a route's ``with`` may hold for it, checked by ``hookyard
check`` before any event arrives, and structured into the sink's class after rendering.

A sink declares them per action in ``SinkSpec.params``: an attrs class, or a set of key
names. With a class, the templates of fields that are not text render to native values
(a list for Slack ``blocks``, a number, a boolean): a template that is one expression
gives that expression's value; text (several parts, or an expression giving text) is read
as JSON when it is JSON.
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

__all__ = ["ActionParams", "InvalidParams", "is_template", "plain_json"]

_TEXT_TYPES = (str, str | None, typing.Optional[str])  # noqa: UP045 - both spellings


class InvalidParams(ValueError):
    """Rendered parameters the action's class does not take; the message names each place."""


def is_template(value: Any) -> bool:
    """Whether ``value`` (a ``with`` value as written) holds a template anywhere."""
    if isinstance(value, str):
        return any(mark in value for mark in ("{{", "{%", "{#"))
    if isinstance(value, dict):
        return any(is_template(item) for item in value.values())
    if isinstance(value, list):
        return any(is_template(item) for item in value)
    return False


def plain_json(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` is JSON as the store keeps it: objects with text keys, lists,
    text, finite numbers, booleans and null."""
    if depth > 100:
        return False
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list | tuple):
        return all(plain_json(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain_json(v, depth + 1) for k, v in value.items())
    return False


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
        if callable(declared) and not isinstance(declared, type):
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
            try:
                converter.structure(value, fields[key].type)
            except Exception as exc:  # a plugin's own structure hook may raise anything
                wrong += describe_error(exc, (*path, key), fields[key].type)
        yield from wrong
        if not wrong and len(literal) == len(given) and not (self.required - set(given)):
            # Nothing left to render: the class's own validators can judge it now.
            try:
                converter.structure(dict(given), self.cls)
            except Exception as exc:
                yield from describe_error(exc, path, self.cls)

    def structure(
        self, params: Mapping[str, Any], converter: cattrs.Converter, path: KeyPath
    ) -> Any:
        """``params`` (rendered) as the sink receives them: an instance of the class, or
        the mapping. Raises :class:`InvalidParams` naming each place that is wrong."""
        for key in self.native & params.keys():
            if not plain_json(params[key]):
                kind = type(params[key]).__name__
                raise InvalidParams(f"{format_path((*path, key))}: rendered a {kind}, not JSON")
        if self.cls is None:
            return params
        try:
            return converter.structure(dict(params), self.cls)
        except Exception as exc:
            found = describe_error(exc, path, self.cls)
            raise InvalidParams("; ".join(f"{format_path(p)}: {m}" for p, m in found)) from exc
