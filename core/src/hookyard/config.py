"""The configuration file: YAML in, attrs out, every error with its place."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NewType

import cattrs
import yaml
from attrs import define, field, frozen

from hookyard._yaml import Located, format_path, load_located
from hookyard._yaml import Path as KeyPath

if TYPE_CHECKING:
    from hookyard.plugins import Registry

__all__ = [
    "Config",
    "ConfigError",
    "RetryPolicy",
    "RouteConfig",
    "SentryConfig",
    "SinkConfig",
    "SourceConfig",
    "WorkersConfig",
    "load_config",
]

Seconds = NewType("Seconds", float)
MIB = 1024 * 1024


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
    database: str = "sqlite:///hookyard.db"
    sources: dict[str, SourceConfig] = field(factory=dict)
    sinks: dict[str, SinkConfig] = field(factory=dict)
    routes: list[RouteConfig] = field(factory=list)
    sentry: SentryConfig = SentryConfig()
    workers: WorkersConfig = WorkersConfig()
    path: Path | None = None
    lines: dict[KeyPath, int] = field(factory=dict, repr=False, eq=False)

    def place(self, path: KeyPath, message: str) -> str:
        """``message`` prefixed with the place of ``path`` in the file (for later checks)."""
        return _place(Located(None, self.lines), path, message)


_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def _seconds(value: Any, _type: Any) -> Seconds:
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 10s, 5m or 1h, got {value!r}")
    if isinstance(value, int | float):
        return Seconds(float(value))
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"expected a duration such as 10s, 5m or 1h, got {value!r}")
    return Seconds(float(match.group(1)) * _UNITS[match.group(2)])


def _interpolate(value: Any, path: KeyPath, problems: list[str], doc: Located) -> Any:
    if isinstance(value, dict):
        return {k: _interpolate(v, (*path, str(k)), problems, doc) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate(v, (*path, i), problems, doc) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        found = os.environ.get(name, default)
        if found is None:
            problems.append(_place(doc, path, f"environment variable {name} is not set"))
            return ""
        return found

    return _VAR.sub(substitute, value)


def _place(doc: Located, path: KeyPath, message: str) -> str:
    line = doc.line_of(path)
    where = format_path(path) or "(top level)"
    return f"{where}{f' (line {line})' if line else ''}: {message}"


class _Loader:
    """Structures one located YAML document, collecting every problem."""

    def __init__(self, doc: Located, converter: cattrs.Converter, registry: Registry) -> None:
        self.doc = doc
        self.converter = converter
        self.registry = registry
        self.problems: list[str] = []
        converter.register_structure_hook(Seconds, _seconds)

    def report(self, path: KeyPath, message: str) -> None:
        self.problems.append(_place(self.doc, path, message))

    def structure(self, value: Any, type_: Any, path: KeyPath) -> Any:
        try:
            return self.converter.structure(value, type_)
        except Exception as exc:  # cattrs raises many kinds; each becomes a located line
            for message in cattrs.transform_error(exc, path=""):
                text, _, where = message.partition(" @ ")
                self.report((*path, *_split(where)), text)
            return None

    def mapping(self, path: KeyPath) -> dict[str, Any]:
        value = _get(self.doc.data, path)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.report(path, f"expected a mapping, got {type(value).__name__}")
            return {}
        return value

    def source(self, name: str) -> SourceConfig | None:
        path: KeyPath = ("sources", name)
        raw = self.mapping(path)
        vendor_name = raw.get("vendor")
        spec = self.registry.vendors.get(str(vendor_name))
        if spec is None:
            known = ", ".join(sorted(self.registry.vendors)) or "none installed"
            what = "is missing" if vendor_name is None else f"{vendor_name!r} is not installed"
            self.report((*path, "vendor"), f"vendor {what} (installed: {known})")
            return None
        auth = raw.get("auth", "vendor")
        if auth not in ("vendor", "none"):
            self.report((*path, "auth"), f"auth must be 'none' or left out, got {auth!r}")
            return None
        host_keys = {"vendor", "auth", "max_body_bytes"}
        options = self.structure(
            {k: v for k, v in raw.items() if k not in host_keys}, spec.config_type, path
        )
        if options is None:
            return None
        if auth == "vendor" and not any(getattr(options, f, None) for f in spec.auth_fields):
            fields = " or ".join(spec.auth_fields) or "credentials"
            self.report(
                path,
                f"no authentication configured: set {fields}, or say `auth: none` to accept "
                "unauthenticated webhooks",
            )
            return None
        limit = self.structure(raw.get("max_body_bytes", MIB), int, (*path, "max_body_bytes"))
        return SourceConfig(name, spec.name, options, auth, limit if limit else MIB)

    def sink(self, name: str) -> SinkConfig | None:
        path: KeyPath = ("sinks", name)
        raw = self.mapping(path)
        spec = self.registry.sinks.get(str(raw.get("plugin")))
        if spec is None:
            known = ", ".join(sorted(self.registry.sinks))
            what = "is missing" if "plugin" not in raw else f"{raw['plugin']!r} is not installed"
            self.report((*path, "plugin"), f"sink plugin {what} (installed: {known})")
            return None
        options = self.structure(
            {k: v for k, v in raw.items() if k not in {"plugin", "retry"}}, spec.config_type, path
        )
        retry = self.structure(raw.get("retry", {}), RetryPolicy, (*path, "retry"))
        if options is None or retry is None:
            return None
        return SinkConfig(name, spec.name, options, retry)

    def route(self, index: int, sinks: dict[str, SinkConfig]) -> RouteConfig | None:
        path: KeyPath = ("routes", index)
        raw = dict(self.mapping(path))
        raw.setdefault("name", f"route-{index}")
        if "with" in raw:
            raw["with_"] = raw.pop("with")
        route = self.structure(raw, RouteConfig, path)
        if route is None:
            return None
        if route.to not in sinks:
            known = ", ".join(sorted(sinks)) or "no sinks are configured"
            self.report((*path, "to"), f"no sink named {route.to!r} ({known})")
            return None
        spec = self.registry.sinks[sinks[route.to].plugin]
        if route.action is not None and route.action not in spec.actions:
            self.report(
                (*path, "action"),
                f"sink {route.to!r} has no action {route.action!r} "
                f"(actions: {', '.join(spec.actions)})",
            )
            return None
        return route

    def config(self, path: Path | None) -> Config:
        top = self.mapping(())
        allowed = {"database", "sources", "sinks", "routes", "sentry", "workers"}
        for key in top:
            if key not in allowed:
                self.report((key,), f"unknown key (allowed: {', '.join(sorted(allowed))})")
        sources = {n: s for n in self.mapping(("sources",)) if (s := self.source(n))}
        sinks = {n: s for n in self.mapping(("sinks",)) if (s := self.sink(n))}
        raw_routes = top.get("routes") or []
        if not isinstance(raw_routes, list):
            self.report(("routes",), "expected a list of routes")
            raw_routes = []
        routes = [r for i in range(len(raw_routes)) if (r := self.route(i, sinks))]
        names = [r.name for r in routes]
        for index, name in enumerate(names):
            if names.index(name) != index:
                self.report(("routes", index, "name"), f"route name {name!r} is used twice")
        database = self.structure(top.get("database", Config.database), str, ("database",))
        sentry = self.structure(top.get("sentry") or {}, SentryConfig, ("sentry",))
        workers = self.structure(top.get("workers") or {}, WorkersConfig, ("workers",))
        return Config(
            _resolve_database(database or Config.database, path),
            sources,
            sinks,
            routes,
            sentry or SentryConfig(),
            workers or WorkersConfig(),
            path,
            self.doc.lines,
        )


def _split(where: str) -> KeyPath:
    parts: list[str | int] = []
    for token in re.findall(r"\.([^.\[]+)|\[(\d+)\]|\['([^']*)'\]", where):
        key, index, quoted = token
        parts.append(int(index) if index else (key or quoted))
    return tuple("with" if p == "with_" else p for p in parts)


def _get(data: Any, path: KeyPath) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _resolve_database(url: str, config_path: Path | None) -> str:
    """Relative SQLite paths are relative to the configuration file's folder."""
    prefix = "sqlite:///"
    if config_path is None or not url.startswith(prefix) or url == "sqlite:///:memory:":
        return url
    file = Path(url[len(prefix) :])
    if file.is_absolute():
        return url
    return prefix + str((config_path.parent / file).resolve())


def parse_config(
    text: str, converter: cattrs.Converter, registry: Registry, path: Path | None = None
) -> Config:
    """Structure configuration text; raises :class:`ConfigError` listing every problem."""
    try:
        doc = load_located(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise ConfigError([f"{where}not valid YAML: {getattr(exc, 'problem', exc)}"]) from None
    problems: list[str] = []
    doc = Located(_interpolate(doc.data, (), problems, doc), doc.lines)
    if problems:
        raise ConfigError(problems)
    loader = _Loader(doc, converter, registry)
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
