"""YAML loading that remembers the line of every value, and the problems found in it."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = [
    "MAX_VALUES",
    "Located",
    "Path",
    "Problems",
    "Unloadable",
    "describe_yaml_error",
    "format_path",
    "load_located",
]

Path = tuple[str | int, ...]


def _line_of(lines: dict[Path, int], path: Path) -> int | None:
    """The line of ``path``, or of its nearest parent that has one."""
    while True:
        if path in lines:
            return lines[path]
        if not path:
            return None
        path = path[:-1]


class Problems:
    """Every problem found in one configuration file, each with its place, in file order.

    A problem reported with :meth:`hole` (an unset ``${VAR}``) hides later problems of the
    same option and of the object holding it: they follow from the empty value.
    """

    def __init__(self, lines: dict[Path, int]) -> None:
        self.lines = lines
        self._found: list[tuple[int, str]] = []
        self._holes: set[Path] = set()

    def add(self, path: Path, message: str) -> None:
        """``message`` about ``path``, shown as ``routes[1].to (line 14): ...``."""
        if path in self._holes or any(path == hole[:-1] for hole in self._holes):
            return
        line = _line_of(self.lines, path)
        where = format_path(path) or "(top level)"
        text = f"{where}{f' (line {line})' if line else ''}: {message}"
        if all(text != found for _, found in self._found):
            self._found.append((line or 0, text))

    def hole(self, path: Path, message: str) -> None:
        self.add(path, message)
        self._holes.add(path)

    def __bool__(self) -> bool:
        return bool(self._found)

    def messages(self) -> list[str]:
        """The problems by line; problems on one line in the order they were found."""
        return [text for _, text in sorted(self._found, key=lambda found: found[0])]


class Located:
    """A loaded YAML document, the 1-based line of each path in it, and its problems."""

    def __init__(self, data: Any, lines: dict[Path, int]) -> None:
        self.data = data
        self.lines = lines
        self.problems = Problems(lines)
        #: Values built so far (aliases expanded).
        self.size = 0


def format_path(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


#: Values a configuration may hold once its aliases (``*name``) are expanded.
MAX_VALUES = 200_000


class Unloadable(yaml.YAMLError):
    """A document PyYAML reads but hookyard will not build: too deep, or too large."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def load_located(text: str) -> Located:
    """Parse ``text``; raises ``yaml.YAMLError`` with the position on bad YAML.

    A key given twice in one mapping is a problem of the document (YAML would silently
    keep the last value), and so is a key that is not a scalar. A key written as a number,
    ``true`` or ``null`` is kept as the text it is written as (``1:`` names ``"1"``).
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        doc = Located({}, {})
        if node is not None:
            doc.data = _build(node, (), doc)
    except RecursionError:
        raise Unloadable("nested too deeply; hookyard's configuration is never that deep") from None
    return doc


def _build(node: yaml.Node, path: Path, doc: Located) -> Any:
    doc.size += 1
    if doc.size > MAX_VALUES:
        raise Unloadable(
            f"the file holds more than {MAX_VALUES:,} values once its aliases (*name) are "
            "expanded; use fewer aliases"
        )
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        _check_duplicates(node, path, doc)
        _LOADER.flatten_mapping(node)  # resolves "<<:" merge keys
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = _key(key_node, path, doc)
            if key is not None:
                result[key] = _build(value_node, (*path, key), doc)
                doc.lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, index), doc) for index, item in enumerate(node.value)]
    return _scalar(node)


def _key(node: yaml.Node, path: Path, doc: Located) -> str | None:
    """A mapping key as text (as written, for ``1`` or ``null``); None for a list or mapping."""
    if not isinstance(node, yaml.ScalarNode):
        doc.lines[(*path, "?")] = node.start_mark.line + 1
        doc.problems.add((*path, "?"), "a key must be text, not a list or a mapping")
        return None
    key = _scalar(node)
    return key if isinstance(key, str) else str(node.value)


def _check_duplicates(node: yaml.MappingNode, path: Path, doc: Located) -> None:
    """Keys written twice in this mapping (a merged ``<<:`` key may be overridden)."""
    first: dict[str, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
            continue
        scalar = _scalar(key_node)
        key = scalar if isinstance(scalar, str) else str(key_node.value)
        line = key_node.start_mark.line + 1
        if key in first:
            doc.lines[(*path, key)] = line
            doc.problems.add(
                (*path, key),
                f"duplicate key {key!r} (first at line {first[key]}); YAML would keep only this "
                "one: remove one of them or merge them",
            )
        first.setdefault(key, line)


_LOADER = yaml.SafeLoader("")


def _scalar(node: yaml.Node) -> Any:
    try:
        return _LOADER.construct_object(node, deep=True)
    except ValueError as exc:  # a date YAML reads but the calendar has not (2026-02-30)
        mark = node.start_mark
        raise Unloadable(
            f"line {mark.line + 1}, column {mark.column + 1}: {node.value!r} is not a date "
            f"({exc}); quote it if it is text"
        ) from None


#: (what PyYAML says, what to fix in plain words, report at the context mark).
_HINTS: tuple[tuple[str, str, bool], ...] = (
    ("'\\t'", "a tab character; indent with spaces only", False),
    ("quoted scalar", "this quote is never closed; add the closing quote", True),
    ("flow mapping", "this '{' is not closed; add '}' and separate entries with ','", True),
    ("flow sequence", "this '[' is not closed; add ']' and separate items with ','", True),
    (
        "could not find expected ':'",
        "this key has no ': ' after it; write `key: value` (a colon, then a space)",
        True,
    ),
    (
        "mapping values are not allowed here",
        "unexpected ':'; quote a value that contains ': ', write a space after the colon "
        "of the key above (`key: value`), or fix the indentation",
        False,
    ),
    (
        "expected <block end>",
        "the indentation does not match the lines above; keys of one mapping start in "
        "the same column, and list items (`- `) too",
        False,
    ),
)


def describe_yaml_error(exc: yaml.YAMLError, text: str) -> str:
    """``line L, column C: not valid YAML: <what to fix> (<PyYAML's words>)``."""
    if isinstance(exc, yaml.reader.ReaderError):
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        return (
            f"line {line}, column {column}: not valid YAML: character #x{exc.character:04x} "
            "is not allowed in YAML; remove it"
        )
    problem = str(getattr(exc, "problem", None) or exc)
    said = f"{getattr(exc, 'context', None) or ''} {problem}"
    mark = getattr(exc, "problem_mark", None)
    hint = ""
    for words, advice, at_context in _HINTS:
        if words in said:
            hint = f"{advice} ({problem})"
            mark = (getattr(exc, "context_mark", None) or mark) if at_context else mark
            break
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    return f"{where}not valid YAML: {hint or problem}"
