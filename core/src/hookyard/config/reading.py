"""Reading a configuration file: its text, ``${VAR}`` interpolation, and its problems.

Every problem is collected with its place, so one run of ``hookyard check`` lists them all.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from hookyard.config.converter import relative_to
from hookyard.config.loader import Loader
from hookyard.config.located import describe_yaml_error, load_located
from hookyard.config.model import MIB, Config, ConfigError, ConfigUnreadable

if TYPE_CHECKING:
    import cattrs

    from hookyard.config.located import Path as KeyPath
    from hookyard.config.located import Problems
    from hookyard.plugins import Registry

__all__ = [
    "interpolate",
    "load_config",
    "parse_config",
    "read_bounded",
    "read_config",
    "structure_config",
]

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def interpolate(value: Any, path: KeyPath, problems: Problems) -> Any:
    """``value`` with every ``${VAR}`` / ``${VAR:-default}`` replaced from the environment."""
    if isinstance(value, dict):
        return {k: interpolate(v, (*path, str(k)), problems) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, (*path, i), problems) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        found = os.environ.get(name, default)
        if found is None:
            problems.hole(path, f"environment variable {name} is not set")
            return ""
        return found

    return _VAR.sub(substitute, value)


def structure_config(
    text: str, converter: cattrs.Converter, registry: Registry, path: Path | None = None
) -> tuple[Config, Problems]:
    """The configuration in ``text`` and its problems; :class:`ConfigError` for bad YAML.

    With problems, the configuration is incomplete: use it only to look for more.
    """
    try:
        doc = load_located(text)
    except yaml.YAMLError as exc:
        raise ConfigError([describe_yaml_error(exc, text)]) from None
    doc.data = interpolate(doc.data, (), doc.problems)
    with relative_to(None if path is None else path.parent):
        config = Loader(doc, converter, registry).config(path)
    return config, doc.problems


def parse_config(
    text: str, converter: cattrs.Converter, registry: Registry, path: Path | None = None
) -> Config:
    """Structure configuration text; raises :class:`ConfigError` listing every problem."""
    config, problems = structure_config(text, converter, registry, path)
    if problems:
        raise ConfigError(problems.messages())
    return config


#: A configuration file larger than this is refused unread (a device, a log by mistake).
MAX_FILE_BYTES = 16 * MIB


def read_bounded(path: Path) -> bytes:
    """The bytes of a file the user named (a config, an event, a test's payload): a
    regular file of at most 16 MiB, never a device or a FIFO that reads forever.

    Raises :class:`ConfigUnreadable` with one line saying why not.
    """
    try:
        if path.exists() and not path.is_file() and not path.is_dir():
            raise ConfigUnreadable([f"{path}: cannot read: not a regular file"])
        if path.is_file() and path.stat().st_size > MAX_FILE_BYTES:
            raise ConfigUnreadable(
                [f"{path}: cannot read: larger than {MAX_FILE_BYTES // MIB} MiB"]
            )
        return path.read_bytes()
    except OSError as exc:
        raise ConfigUnreadable([f"{path}: cannot read: {exc.strerror or exc}"]) from None


def read_config(path: Path) -> str:
    """The text of the configuration file at ``path``.

    Raises :class:`ConfigUnreadable` when it cannot be read (missing, a folder, no
    permission) and :class:`ConfigError` when it is not UTF-8.
    """
    data = read_bounded(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            [
                f"line {line}, column {column}: not UTF-8: byte 0x{data[exc.start]:02x} at "
                f"offset {exc.start} is not UTF-8 text; save the file as UTF-8"
            ]
        ) from None


def load_config(path: str | Path, converter: cattrs.Converter, registry: Registry) -> Config:
    """Read and structure the configuration file at ``path``."""
    file = Path(path)
    return parse_config(read_config(file), converter, registry, file.resolve())
