"""The configuration file: YAML in, attrs out, every error with its place."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NewType

import yaml
from attrs import define, field, frozen

from hookyard._yaml import Located, load_located
from hookyard._yaml import Path as KeyPath

if TYPE_CHECKING:
    import cattrs

    from hookyard.plugins import Registry

__all__ = [
    "Config",
    "ConfigError",
    "RetryPolicy",
    "RouteConfig",
    "Seconds",
    "SentryConfig",
    "SinkConfig",
    "SourceConfig",
    "WorkersConfig",
    "load_config",
]

#: A duration option: structured (by :func:`hookyard.convert.make_converter`) from a number
#: of seconds or a string such as ``250ms``, ``10s``, ``5m`` or ``1h``. Plugins may use it.
Seconds = NewType("Seconds", float)
MIB = 1024 * 1024
#: A SQLite file next to the configuration file.
DEFAULT_DATABASE = "sqlite:///hookyard.db"


@define
class ConfigError(Exception):
    """Problems in a configuration file; each line names its place."""

    problems: list[str]

    def __str__(self) -> str:
        return "\n".join(self.problems)


@frozen
class RetryPolicy:
    """When a failed delivery is tried again (docs/configuration.md#retry)."""

    max_attempts: int = 8
    initial_delay: Seconds = Seconds(10.0)
    max_delay: Seconds = Seconds(3600.0)
    multiplier: float = 2.0
    jitter: float = 0.2
    retry_statuses: tuple[int, ...] = ()
    permanent_statuses: tuple[int, ...] = ()


@frozen
class SourceConfig:
    name: str
    vendor: str
    options: Any
    auth: Literal["vendor", "none"] = "vendor"
    max_body_bytes: int = MIB


@frozen
class SinkConfig:
    name: str
    plugin: str
    options: Any
    retry: RetryPolicy = RetryPolicy()


@frozen
class RouteConfig:
    name: str
    to: str
    match: dict[str, Any] = field(factory=dict)
    action: str | None = None
    with_: dict[str, Any] = field(factory=dict)
    retry: RetryPolicy | None = None


@frozen
class SentryConfig:
    dsn: str | None = None
    environment: str | None = None
    traces_sample_rate: float = 0.0


@frozen
class WorkersConfig:
    concurrency: int = 16
    lease: Seconds = Seconds(30.0)
    poll_interval: Seconds = Seconds(1.0)
    shutdown_grace: Seconds = Seconds(10.0)


@frozen
class Config:
    database: str = DEFAULT_DATABASE
    sources: dict[str, SourceConfig] = field(factory=dict)
    sinks: dict[str, SinkConfig] = field(factory=dict)
    routes: list[RouteConfig] = field(factory=list)
    sentry: SentryConfig = SentryConfig()
    workers: WorkersConfig = WorkersConfig()
    path: Path | None = None
    lines: dict[KeyPath, int] = field(factory=dict, repr=False, eq=False)

    def place(self, path: KeyPath, message: str) -> str:
        """``message`` prefixed with the place of ``path`` in the file (for later checks)."""
        return Located(None, self.lines).place(path, message)


def parse_config(
    text: str, converter: cattrs.Converter, registry: Registry, path: Path | None = None
) -> Config:
    """Structure configuration text; raises :class:`ConfigError` listing every problem."""
    from hookyard._config_loader import Loader, interpolate  # it builds the classes above

    try:
        doc = load_located(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError([f"{where}not valid YAML: {getattr(exc, 'problem', exc)}"]) from None
    problems: list[str] = []
    doc = Located(interpolate(doc.data, (), problems, doc), doc.lines)
    if problems:
        raise ConfigError(problems)
    loader = Loader(doc, converter, registry)
    config = loader.config(path)
    if loader.problems:
        raise ConfigError(loader.problems)
    return config


def load_config(path: str | Path, converter: cattrs.Converter, registry: Registry) -> Config:
    """Read and structure the configuration file at ``path``."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"{file}: cannot read: {exc.strerror}"]) from None
    return parse_config(text, converter, registry, file.resolve())
