"""The one cattrs converter: configuration in, event JSON out."""

from __future__ import annotations

import collections.abc
import contextlib
import ipaddress
import math
import re
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args, get_origin

from attrs import fields
from cattrs.cols import homogenous_tuple_structure_factory, list_structure_factory
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override
from cattrs.preconf.json import make_converter as _json_converter

from hookyard.config.model import FilePath, Network, Seconds
from hookyard.events import Attachment, Chat, Event, Message, Person, Rating

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    import cattrs

__all__ = ["EVENT_PARTS", "make_converter", "relative_to", "resolve_path"]

#: The parts of an event, structured from the event JSON form (``hookyard_configure_converter``
#: hands plugins the converter that does it, e.g. the ``generic`` vendor).
EVENT_PARTS: tuple[type[Any], ...] = (Chat, Person, Message, Rating, Attachment)

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0, None: 1.0}
#: The longest duration an option takes: a year.
MAX_SECONDS = 365 * 24 * 3600.0
#: The folder of the configuration file being loaded: relative paths are relative to it.
_FOLDER: ContextVar[Path | None] = ContextVar("hookyard_config_folder", default=None)


@contextmanager
def relative_to(folder: Path | None) -> Iterator[None]:
    """Structure :data:`~hookyard.config.FilePath` options against ``folder`` meanwhile."""
    token = _FOLDER.set(folder)
    try:
        yield
    finally:
        _FOLDER.reset(token)


def resolve_path(value: str, folder: Path | None) -> str:
    """``value`` with ``~`` expanded, made absolute against ``folder`` when relative.

    Without a folder (configuration text that is not a file) a relative path stays
    relative, i.e. relative to the working directory when it is used.
    """
    path = Path(value).expanduser()
    if folder is None or path.is_absolute():
        return str(path)
    return str((folder / path).resolve())


def make_converter() -> cattrs.Converter:
    """A converter that reports every error with its place and writes ISO 8601 times.

    Scalars are structured strictly: a list or mapping where a string belongs, ``true``
    where a number belongs or ``3.7`` where a whole number belongs is an error, not a
    silent conversion. A :data:`hookyard.config.Seconds` option, ours or a plugin's, takes a
    number of seconds or a duration such as ``250ms``, ``10s``, ``5m``, ``1h`` or ``30d``. A
    :data:`hookyard.config.FilePath` option is made absolute (:func:`resolve_path`) against
    the folder given to :func:`relative_to`.
    """
    converter = _json_converter(forbid_extra_keys=True, omit_if_default=False)
    converter.register_unstructure_hook(datetime, _iso)
    converter.register_structure_hook(datetime, _from_iso)
    converter.register_structure_hook(str, _str)
    converter.register_structure_hook(int, _int)
    converter.register_structure_hook(float, _float)
    converter.register_structure_hook(bool, _bool)
    converter.register_structure_hook(Seconds, _seconds)
    converter.register_structure_hook(FilePath, _file_path)
    converter.register_structure_hook_func(lambda t: t == Network, _network)
    converter.register_unstructure_hook_factory(lambda t: t is Event, _event_hook)
    converter.register_structure_hook_factory(_is_list_type, _lists_only(converter))
    _structure_event_parts(converter)
    return converter


_LIST_ORIGINS = (list, collections.abc.Sequence, collections.abc.MutableSequence)


def _is_list_type(type_: Any) -> bool:
    """``list[T]``, ``Sequence[T]``, ``tuple[T, ...]``: what a YAML list or JSON array fills."""
    origin, args = get_origin(type_), get_args(type_)
    if origin is tuple:
        return len(args) == 2 and args[1] is Ellipsis
    return origin in _LIST_ORIGINS or type_ is list


def _lists_only(converter: cattrs.Converter) -> Callable[[Any], Callable[[Any, Any], Any]]:
    """Lists from lists only: cattrs would take text as a list of its characters (a tag
    ``urgent`` becoming ``u, r, g, ...``) and a mapping as a list of its keys."""

    def factory(type_: Any) -> Callable[[Any, Any], Any]:
        if get_origin(type_) is tuple:
            default = homogenous_tuple_structure_factory(type_, converter)
        else:
            default = list_structure_factory(type_, converter)

        def hook(value: Any, given: Any) -> Any:
            if isinstance(value, str | bytes | dict):
                kind = "a mapping" if isinstance(value, dict) else f"text ({value!r:.40})"
                raise ValueError(f"expected a list, got {kind}")
            return default(value, given)

        return hook

    return factory


def _structure_event_parts(converter: cattrs.Converter) -> None:
    """Event parts from the event JSON form: unknown keys ignored (senders add their own),
    shapes strict (an object where an object belongs, an array where an array belongs)."""

    def objects_only(cls: type[Any]) -> Callable[[Any, type[Any]], Any]:
        structure = make_dict_structure_fn(cls, converter, _cattrs_forbid_extra_keys=False)

        def hook(value: Any, type_: type[Any]) -> Any:
            if not isinstance(value, dict):
                raise ValueError("expected a JSON object")
            return structure(value, type_)

        return hook

    def arrays_only(value: Any, type_: type[Any]) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise ValueError("expected a list")
        return tuple(converter.structure(item, get_args(type_)[0]) for item in value)

    converter.register_structure_hook_factory(lambda t: t in EVENT_PARTS, objects_only)
    converter.register_structure_hook_func(_is_tuple_of_event_values, arrays_only)


def _is_tuple_of_event_values(type_: Any) -> bool:
    args = get_args(type_)
    return get_origin(type_) is tuple and len(args) == 2 and args[0] in (str, *EVENT_PARTS)


def _event_hook(_type: type, converter: cattrs.Converter) -> Callable[[Event], dict[str, Any]]:
    """Event's unstructure function, with ``raw``, ``data`` and ``changes`` walked as JSON.

    Those fields hold parsed JSON almost always; cattrs' per-value ``Any`` dispatch costs
    a third of the event's conversion (docs/benchmarks.md). Anything that is not plain JSON
    still goes through the converter, so the output is what cattrs alone would give. A
    factory, so the function is built at first use, after plugins configured the converter.
    """

    def plain(value: Any) -> Any:
        """A copy of ``value``, walked with a stack of its own: no nesting overflows it."""
        top: list[Any] = []
        stack: list[tuple[Any, Any]] = [([value], top)]

        def copy(item: Any) -> Any:
            kind = type(item)
            if kind is str or kind is int or kind is float or kind is bool or item is None:
                return item
            if kind is dict or kind is list:
                empty: dict[Any, Any] | list[Any] = kind()
                stack.append((item, empty))  # filled in by the loop below
                return empty
            return converter.unstructure(item)

        while stack:
            source, target = stack.pop()
            if type(source) is dict:
                for k, v in source.items():
                    target[k if type(k) is str else converter.unstructure(k)] = copy(v)
            else:
                target.extend([copy(v) for v in source])
        return top[0]

    hook = override(unstruct_hook=plain)
    hidden: dict[str, Any] = {
        a.name: override(omit=True)
        for a in fields(Event)
        if not a.metadata.get("in_json_form", True)
    }
    return make_dict_unstructure_fn(Event, converter, raw=hook, data=hook, changes=hook, **hidden)


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def _from_iso(value: Any, _type: type) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected an ISO 8601 timestamp, got {value!r}")
    return datetime.fromisoformat(value)


def _str(value: Any, _type: type) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)  # an unquoted number, e.g. a numeric secret
    raise ValueError(f"expected a string, got {value!r}")


def _int(value: Any, _type: type) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value)
    raise ValueError(f"expected a whole number, got {value!r}")


def _float(value: Any, _type: type) -> float:
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        with contextlib.suppress(ValueError):
            number = float(value)
    if number is None:
        raise ValueError(f"expected a number, got {value!r}")
    if not math.isfinite(number):
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def _bool(value: Any, _type: type) -> bool:
    if isinstance(value, bool):
        return value
    raise ValueError(f"expected true or false, got {value!r}")


def _seconds(value: Any, _type: Any) -> Seconds:
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 10s, 5m or 1h, got {value!r}")
    if isinstance(value, int | float):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"expected a duration such as 10s, 5m or 1h, got {value!r}")
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
    if not seconds <= MAX_SECONDS:  # NaN and infinities too
        raise ValueError(
            f"expected a duration of at most a year ({MAX_SECONDS:.0f}s), got {value!r}"
        )
    return Seconds(seconds)


def _file_path(value: Any, _type: Any) -> FilePath:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected the path of a file, got {value!r}")
    return FilePath(resolve_path(value, _FOLDER.get()))


def _network(value: Any, _type: Any) -> Network:
    """An IP address or CIDR block; one with host bits set is refused, not rounded down."""
    expected = f"expected an IP address or a CIDR block such as 203.0.113.0/24, got {value!r}"
    if not isinstance(value, str):
        raise ValueError(expected)
    try:
        return ipaddress.ip_network(value.strip())
    except ValueError:
        pass
    try:
        loose = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        raise ValueError(expected) from None
    address = value.strip().partition("/")[0]
    raise ValueError(
        f"{value!r} has bits set past its /{loose.prefixlen}: write {loose} for the block, "
        f"or {address}/{loose.max_prefixlen} for the one address"
    )
