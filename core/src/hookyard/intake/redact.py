"""Removing a source's credentials from what intake keeps (unparsed payloads, their headers).

A JSON string can spell a character many ways (``/`` or ``\\/``, ``&`` or ``\\u0026``, any
``\\uXXXX``), so a body that parses is redacted on its parsed value: every string holding
a credential has it replaced, and the cleaned value is stored re-encoded — every member
kept, duplicate keys included (a parser's ``dict`` would keep only the last of them). A
body that does not parse can only be searched for the usual spellings of each credential.
Text (an error message, a header) is searched for the secret as written, as JSON and as
Python's ``repr`` would write it, since parsers quote what they could not read.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

__all__ = ["REDACTED", "redacted", "redacted_text"]

REDACTED = "[redacted]"


class _Members(list[tuple[Any, Any]]):
    """A JSON object's members in order, duplicates kept."""


def _text_spellings(secret: str) -> list[str]:
    """``secret`` as written, JSON-escaped and ``repr``-escaped, longest first."""
    forms = {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        ascii(secret)[1:-1],
    }
    forms |= {form.replace("/", "\\/") for form in forms}
    return sorted(forms, key=len, reverse=True)


def redacted_text(text: str, secrets: Collection[str]) -> str:
    """``text`` with every spelling of each of ``secrets`` replaced by ``[redacted]``."""
    for secret in secrets:
        if secret:
            for form in _text_spellings(secret):
                text = text.replace(form, REDACTED)
    return text


def redacted(body: bytes, secrets: Collection[str]) -> bytes:
    """``body`` with no spelling of any of ``secrets`` left in it.

    The usual spellings are replaced in the bytes first, so a body whose credential was
    written plainly keeps its exact bytes; one that still holds a credential once parsed
    is stored as the (ASCII) JSON encoding of its cleaned value.
    """
    secrets = [secret for secret in secrets if secret]
    if not secrets:
        return body
    replaced = body
    for secret in secrets:
        for form in _text_spellings(secret):
            replaced = replaced.replace(form.encode("utf-8", "surrogatepass"), REDACTED.encode())
    try:
        value = json.loads(replaced, object_pairs_hook=_Members)
    except (ValueError, RecursionError):
        return replaced  # not JSON: no other spelling to look for
    clean, changed = _cleaned(value, secrets)
    return _encode(clean).encode("ascii") if changed else replaced


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
        if isinstance(item, list):
            empty = type(item)()
            stack.append((item, empty))
            return empty
        return item

    while stack:
        source, target = stack.pop()
        if isinstance(source, _Members):
            target.extend([(copy(key), copy(item)) for key, item in source])
        else:
            target.extend([copy(item) for item in source])
    return top[0], changed


def _encode(value: Any) -> str:
    """``value`` as ASCII JSON (a lone surrogate stays an escape), without recursion."""
    out: list[str] = []
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Literal):
            out.append(item)
        elif isinstance(item, _Members):
            stack.extend(reversed(_tokens("{", "}", ((_key(k), v) for k, v in item))))
        elif isinstance(item, list):
            stack.extend(reversed(_tokens("[", "]", ((None, v) for v in item))))
        else:
            out.append(json.dumps(item))
    return "".join(out)


class _Literal(str):
    """JSON text already written, as opposed to a value still to encode."""


def _key(key: Any) -> _Literal:
    return _Literal(json.dumps(key) + ":")


def _tokens(start: str, end: str, members: Iterable[tuple[_Literal | None, Any]]) -> list[Any]:
    tokens: list[Any] = [_Literal(start)]
    for index, (key, item) in enumerate(members):
        if index:
            tokens.append(_Literal(","))
        if key is not None:
            tokens.append(key)
        tokens.append(item)
    tokens.append(_Literal(end))
    return tokens
