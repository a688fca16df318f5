"""Removing a source's credentials from what intake keeps (unparsed payloads, their headers).

A JSON string can spell a character many ways (``/`` or ``\\/``, ``&`` or ``\\u0026``, any
``\\uXXXX``), so a body that parses is redacted on its parsed value: every string holding
a credential has it replaced, and the cleaned value is stored re-encoded. A body that does
not parse can only be searched for the usual spellings of each credential.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Collection

__all__ = ["REDACTED", "redacted", "redacted_text"]

REDACTED = "[redacted]"


def redacted_text(text: str, secrets: Collection[str]) -> str:
    """``text`` with every occurrence of each of ``secrets`` replaced by ``[redacted]``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text


def redacted(body: bytes, secrets: Collection[str]) -> bytes:
    """``body`` with no spelling of any of ``secrets`` left in it.

    The usual spellings are replaced in the bytes first, so a body whose credential was
    written plainly keeps its exact bytes; one that still holds a credential once parsed
    is stored as the JSON encoding of its cleaned value.
    """
    secrets = [secret for secret in secrets if secret]
    if not secrets:
        return body
    replaced = body
    for spelling in _spellings(secrets):
        replaced = replaced.replace(spelling, REDACTED.encode())
    try:
        value = json.loads(replaced)
    except (ValueError, RecursionError):
        return replaced  # not JSON: no other spelling to look for
    clean, changed = _cleaned(value, secrets)
    return json.dumps(clean, ensure_ascii=False).encode() if changed else replaced


def _spellings(secrets: Collection[str]) -> set[bytes]:
    """Each secret as is and as JSON writers escape it (``\\uXXXX``, ``\\/``)."""
    found = set()
    for secret in secrets:
        for form in (
            secret,
            json.dumps(secret)[1:-1],
            json.dumps(secret, ensure_ascii=False)[1:-1],
        ):
            found.update({form.encode(), form.replace("/", "\\/").encode()})
    return found


def _cleaned(value: Any, secrets: Collection[str]) -> tuple[Any, bool]:
    """A copy of parsed JSON with the secrets redacted, walked without recursion."""
    top: list[Any] = []
    stack: list[tuple[Any, Any]] = [([value], top)]
    changed = False

    def copy(item: Any) -> Any:
        nonlocal changed
        if isinstance(item, str):
            clean = redacted_text(item, secrets)
            changed = changed or clean != item
            return clean
        if isinstance(item, dict | list):
            empty = type(item)()
            stack.append((item, empty))
            return empty
        return item

    while stack:
        source, target = stack.pop()
        if isinstance(source, dict):
            for key, item in source.items():
                target[copy(key)] = copy(item)
        else:
            target.extend([copy(item) for item in source])
    return top[0], changed
