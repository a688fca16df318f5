"""Turning one located YAML document into a :class:`~hookyard.config.Config`.

Every problem is collected with its place, so one run of ``hookyard check`` lists them all.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import cattrs
import yaml
from cattrs.v import format_exception

from hookyard.config.located import Located, load_located
from hookyard.config.model import (
    DEFAULT_DATABASE,
    MIB,
    Config,
    ConfigError,
    RetryPolicy,
    RouteConfig,
    SentryConfig,
    SinkConfig,
    SourceConfig,
    WorkersConfig,
)

if TYPE_CHECKING:
    from hookyard.config.located import Path as KeyPath
    from hookyard.plugins import Registry

__all__ = ["Loader", "interpolate", "load_config", "parse_config"]

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_TOP_KEYS = frozenset({"database", "sources", "sinks", "routes", "sentry", "workers"})


def interpolate(value: Any, path: KeyPath, problems: list[str], doc: Located) -> Any:
    """``value`` with every ``${VAR}`` / ``${VAR:-default}`` replaced from the environment."""
    if isinstance(value, dict):
        return {k: interpolate(v, (*path, str(k)), problems, doc) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, (*path, i), problems, doc) for i, v in enumerate(value)]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        found = os.environ.get(name, default)
        if found is None:
            problems.append(doc.place(path, f"environment variable {name} is not set"))
            return ""
        return found

    return _VAR.sub(substitute, value)


def _describe(exc: BaseException, type_: Any) -> str:
    """cattrs' wording, except that a ``ValueError`` raised by a structure hook or an attrs
    validator (ours or a plugin's) is shown with its own message."""
    if isinstance(exc, ValueError) and str(exc):
        return str(exc)
    if isinstance(exc, AttributeError) and str(exc).endswith(("'keys'", "'items'")):
        return "expected a mapping"  # an attrs class (or dict) given a scalar or a list
    return format_exception(exc, type_)


class Loader:
    """Structures one located YAML document, collecting every problem."""

    def __init__(self, doc: Located, converter: cattrs.Converter, registry: Registry) -> None:
        self.doc = doc
        self.converter = converter
        self.registry = registry
        self.problems: list[str] = []

    def report(self, path: KeyPath, message: str) -> None:
        self.problems.append(self.doc.place(path, message))

    def structure(self, value: Any, type_: Any, path: KeyPath) -> Any:
        if attrs.has(type_) and not isinstance(value, dict):
            self.report(path, f"expected a mapping, got {type(value).__name__}")
            return None
        try:
            return self.converter.structure(value, type_)
        except Exception as exc:  # cattrs raises many kinds; each becomes a located line
            for message in cattrs.transform_error(exc, path="", format_exception=_describe):
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
        route: RouteConfig | None = self.structure(raw, RouteConfig, path)
        if route is None:
            return None
        if route.to not in sinks:
            if route.to not in self.mapping(("sinks",)):  # else its own problems are listed
                known = ", ".join(sorted(self.mapping(("sinks",)))) or "none"
                self.report((*path, "to"), f"no sink named {route.to!r} (sinks: {known})")
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

    def routes(self, top: dict[str, Any], sinks: dict[str, SinkConfig]) -> list[RouteConfig]:
        raw_routes = top.get("routes") or []
        if not isinstance(raw_routes, list):
            self.report(("routes",), "expected a list of routes")
            raw_routes = []
        loaded = {i: r for i in range(len(raw_routes)) if (r := self.route(i, sinks))}
        first: dict[str, int] = {}
        for index, route in loaded.items():
            if route.name in first:
                self.report(
                    ("routes", index, "name"),
                    f"route name {route.name!r} is used twice (also routes[{first[route.name]}])",
                )
            first.setdefault(route.name, index)
        return list(loaded.values())

    def config(self, path: Path | None) -> Config:
        top = self.mapping(())
        for key in top:
            if key not in _TOP_KEYS:
                self.report((key,), f"unknown key (allowed: {', '.join(sorted(_TOP_KEYS))})")
        sources = {n: s for n in self.mapping(("sources",)) if (s := self.source(n))}
        sinks = {n: k for n in self.mapping(("sinks",)) if (k := self.sink(n))}
        routes = self.routes(top, sinks)
        database = self.structure(top.get("database", DEFAULT_DATABASE), str, ("database",))
        sentry = self.structure(top.get("sentry") or {}, SentryConfig, ("sentry",))
        workers = self.structure(top.get("workers") or {}, WorkersConfig, ("workers",))
        return Config(
            _resolve_database(database or DEFAULT_DATABASE, path),
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
