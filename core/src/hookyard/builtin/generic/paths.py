"""The JSON paths of a ``generic`` mapping: dotted keys, numeric list indexes, ``\\.`` escapes.

``conversation.contact.email`` walks three objects; ``items.0.id`` takes the first item of
the list ``items``; ``meta.plan\\.name`` reads the key ``plan.name`` of ``meta``. A number
is an index in a list and a key in an object. A path that cannot be followed (a key that is
absent, an index past the end, a null or a scalar on the way) leads to nothing: ``None``.
"""

from __future__ import annotations

from typing import Any

from attrs import frozen

__all__ = ["JsonPath", "list_index", "parse_path"]


@frozen
class JsonPath:
    """A parsed path: the text the user wrote and the keys it walks."""

    text: str
    keys: tuple[str, ...]

    def find(self, document: Any) -> Any:
        """The value at this path in ``document``, or ``None`` when it leads to nothing."""
        value = document
        for key in self.keys:
            if isinstance(value, dict):
                value = value.get(key)
            elif isinstance(value, list) and (index := list_index(key)) is not None:
                value = value[index] if index < len(value) else None
            else:
                return None
        return value


def list_index(key: str) -> int | None:
    """The list index ``key`` spells (``0``, ``12``), or ``None`` when it spells none."""
    if key.isascii() and key.isdigit() and len(key) <= 9:
        return int(key)
    return None


def parse_path(text: str) -> JsonPath:
    """Split ``text`` on the dots that are not escaped; ``ValueError`` says what is wrong."""
    if not text:
        raise ValueError("a JSON path must not be empty")
    keys: list[str] = []
    key: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            if char not in ".\\":
                raise ValueError(
                    f"{text!r}: a backslash escapes a dot or a backslash (\\. or \\\\), "
                    f"not {char!r}"
                )
            key.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ".":
            keys.append("".join(key))
            key = []
        else:
            key.append(char)
    if escaped:
        raise ValueError(f"{text!r} ends in a backslash; write \\\\ for a backslash in a key")
    keys.append("".join(key))
    if "" in keys:
        raise ValueError(
            f"{text!r} has an empty key (two dots in a row, or a dot at an end); "
            "write \\. for a dot inside a key"
        )
    return JsonPath(text, tuple(keys))
