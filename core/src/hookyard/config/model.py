"""The configuration tree: what a configuration file turns into (attrs, frozen)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, NewType

from attrs import define, field, frozen

from hookyard.config.located import Located
from hookyard.config.located import Path as KeyPath

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
]

#: A duration option: structured (by :func:`hookyard.config.converter.make_converter`) from a number
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
