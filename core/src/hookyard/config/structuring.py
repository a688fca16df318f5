"""cattrs' structuring errors as the user's problems, each at the option it is about."""

from __future__ import annotations

import difflib
import types
import typing
from typing import TYPE_CHECKING, Any

import attrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.v import format_exception

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from hookyard.config.located import Path as KeyPath

__all__ = ["describe_error", "did_you_mean", "option_path", "rejected_option", "unknown_key"]


def describe_error(
    exc: BaseException, path: KeyPath, type_: Any = None, host_keys: Iterable[str] = ()
) -> Iterator[tuple[KeyPath, str]]:
    """Every problem inside ``exc`` (raised structuring ``type_`` at ``path``), located.

    :param host_keys: keys the host takes beside the fields of ``type_`` (a sink's
        ``plugin`` and ``retry``), listed as allowed when an unknown key is found.
    """
    if isinstance(exc, ClassValidationError):
        with_names, without = exc.group_exceptions()
        for inner, named in with_names:
            yield from describe_error(inner, (*path, _key(named.name)), named.type)
        for inner in without:
            yield from _class_level(inner, exc.cl, path, host_keys)
    elif isinstance(exc, IterableValidationError):
        with_indexes, without = exc.group_exceptions()
        for inner, indexed in with_indexes:
            yield from describe_error(inner, (*path, indexed.index), indexed.type)
        for inner in without:
            yield path, _message(inner, None)
    else:
        yield path, _message(exc, type_)


def _class_level(
    exc: BaseException, cl: Any, path: KeyPath, host_keys: Iterable[str]
) -> Iterator[tuple[KeyPath, str]]:
    """Unknown keys, each at its own line; a validator's message at the option it checks."""
    if isinstance(exc, ForbiddenExtraKeysError):
        allowed = {_key(a.name) for a in attrs.fields(exc.cl)} | set(host_keys)
        for key in sorted(exc.extra_fields):
            yield (*path, key), unknown_key(key, allowed)
        return
    yield (option_path(exc, path) if isinstance(exc, ValueError) else path), _message(exc, cl)


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'url'?"`` for the closest of ``choices``, or ``""`` if none is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


def unknown_key(key: str, allowed: Iterable[str]) -> str:
    """``unknown key; did you mean 'url'? (allowed: ...)``."""
    names = sorted(allowed)
    return f"unknown key{did_you_mean(key, names)} (allowed: {', '.join(names)})"


def _validated_option(exc: BaseException) -> str | None:
    """The option an attrs validator rejected.

    attrs calls every validator with the ``Attribute`` it checks, whatever the plugin
    named that parameter; the innermost frame of the traceback holding one names it.
    """
    name = None
    frame = exc.__traceback__
    while frame is not None:
        for value in frame.tb_frame.f_locals.values():
            if isinstance(value, attrs.Attribute):
                name = value.name
        frame = frame.tb_next
    return name


def _key(name: str) -> str:
    return "with" if name == "with_" else name  # ``with`` is a Python keyword


def _message(exc: BaseException, type_: Any) -> str:
    """cattrs' wording, except that a ``ValueError`` raised by a structure hook or an attrs
    validator (ours or a plugin's) is shown with its own message."""
    if isinstance(exc, ValueError) and str(exc):
        return str(exc)
    if isinstance(exc, AttributeError) and str(exc).endswith(("'keys'", "'items'")):
        return "expected a mapping"  # an attrs class (or dict) given a scalar or a list
    wanted = _wanted(type_)
    message = format_exception(exc, type_)
    if wanted and message.startswith(("invalid value for type", "invalid type")):
        return f"expected {wanted}"
    return message


def _wanted(type_: Any) -> str | None:
    """What a user writes for ``type_``, when cattrs would name an internal class."""
    args = [t for t in typing.get_args(type_) if t is not type(None)]
    optional = typing.get_origin(type_) in (typing.Union, types.UnionType) and len(args) == 1
    inner = args[0] if optional else type_
    if attrs.has(inner) or typing.get_origin(inner) is dict or inner is dict:
        return "a mapping"
    if typing.get_origin(inner) in (tuple, list) or inner in (tuple, list):
        return "a list"
    return None


def option_path(exc: ValueError, path: KeyPath) -> KeyPath:
    """Where a validator's ``exc`` belongs: the option it checked, under ``path``."""
    option = _validated_option(exc)
    return (*path, _key(option)) if option else path


def rejected_option(exc: BaseException) -> str | None:
    """The option of a class whose validator alone failed, as the user writes its key.

    attrs stops at the first validator that fails, so the loader structures again without
    that option to find the next one.
    """
    if not isinstance(exc, ClassValidationError) or len(exc.exceptions) != 1:
        return None
    (inner,) = exc.exceptions
    if not isinstance(inner, ValueError) or getattr(inner, "__notes__", None):
        return None
    option = _validated_option(inner)
    return _key(option) if option else None
