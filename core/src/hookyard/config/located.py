"""YAML loading that remembers the line of every value, for error messages."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["Located", "Path", "format_path", "load_located"]

Path = tuple[str | int, ...]


class Located:
    """A loaded YAML document and the 1-based line of each path in it."""

    def __init__(self, data: Any, lines: dict[Path, int]) -> None:
        self.data = data
        self.lines = lines

    def line_of(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest parent that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            path = path[:-1]

    def place(self, path: Path, message: str) -> str:
        """``message`` prefixed with ``path`` and its line: ``routes[1].to (line 14): ...``."""
        line = self.line_of(path)
        where = format_path(path) or "(top level)"
        return f"{where}{f' (line {line})' if line else ''}: {message}"


def format_path(path: Path) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def load_located(text: str) -> Located:
    """Parse ``text``; raises ``yaml.YAMLError`` with the position on bad YAML."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    lines: dict[Path, int] = {}
    if node is None:
        return Located({}, lines)
    return Located(_build(node, (), lines), lines)


def _build(node: yaml.Node, path: Path, lines: dict[Path, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        _LOADER.flatten_mapping(node)  # resolves "<<:" merge keys
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            result[key] = _build(value_node, (*path, str(key)), lines)
            lines[(*path, str(key))] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, index), lines) for index, item in enumerate(node.value)]
    return _scalar(node)


_LOADER = yaml.SafeLoader("")


def _scalar(node: yaml.Node) -> Any:
    return _LOADER.construct_object(node, deep=True)
