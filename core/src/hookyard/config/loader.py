"""Structuring one located YAML document into a :class:`~hookyard.config.Config`.

Every problem is collected with its place, so one run of ``hookyard check`` lists them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
from attrs import evolve

from hookyard.config.converter import resolve_path
from hookyard.config.model import (
    DEFAULT_DATABASE,
    MIB,
    ORDERINGS,
    WHEN_DEAD,
    Breaker,
    Config,
    DedupConfig,
    GroupConfig,
    RetentionConfig,
    RetryPolicy,
    RouteConfig,
    SentryConfig,
    ServerConfig,
    SinkConfig,
    SourceAccess,
    SourceConfig,
    ThrottleConfig,
    WorkersConfig,
    check_database,
    parse_rate_limit,
)
from hookyard.config.structuring import (
    describe_error,
    option_path,
    rejected_option,
    unknown_key,
)

if TYPE_CHECKING:
    from pathlib import Path

    import cattrs

    from hookyard.config.located import Located
    from hookyard.config.located import Path as KeyPath
    from hookyard.plugins import Registry
    from hookyard.vendors import VendorSpec

__all__ = ["SINK_KEYS", "SOURCE_KEYS", "Loader"]

#: The longest source, sink or route name (the store's columns hold 200 characters).
NAME_LENGTH = 200
_TOP_KEYS = frozenset(
    {"database", "sources", "sinks", "routes", "sentry", "workers", "server", "retention"}
)
#: The keys of a source that say who may post to it, whatever the vendor (SourceAccess).
ACCESS_KEYS = frozenset({"token", "basic_auth", "allow_ips"})
#: The keys of a source or sink the host takes; every other key is the plugin's.
SOURCE_KEYS = frozenset({"vendor", "auth", "max_body_bytes"}) | ACCESS_KEYS
SINK_KEYS = frozenset(
    {"plugin", "retry", "concurrency", "rate_limit", "breaker", "ordering", "when_dead"}
)
#: The keys of a route (``with`` and ``continue`` are ``with_`` and ``continue_`` in Python).
ROUTE_KEYS = frozenset(
    {"name", "match", "when", "to", "action", "with", "retry", "continue", "enabled"}
    | {"dedup", "throttle", "group"}
)
#: A route's gates and the class each is structured as.
_GATES = {"dedup": DedupConfig, "throttle": ThrottleConfig, "group": GroupConfig}


class Loader:
    """Structures one located YAML document, collecting every problem in ``doc.problems``.

    A sink whose options are wrong is kept (with ``options`` None), and a route that does
    not structure is kept with what can be read of it, so that the routes are still
    checked; the problems reject the file all the same.
    """

    def __init__(self, doc: Located, converter: cattrs.Converter, registry: Registry) -> None:
        self.doc = doc
        self.converter = converter
        self.registry = registry
        self.problems = doc.problems

    def report(self, path: KeyPath, message: str) -> None:
        self.problems.add(path, message)

    def structure(
        self, value: Any, type_: Any, path: KeyPath, host_keys: frozenset[str] = frozenset()
    ) -> Any:
        if attrs.has(type_) and not isinstance(value, dict):
            self.report(path, f"expected a mapping, got {type(value).__name__}")
            return None
        try:
            return self.converter.structure(value, type_)
        except Exception as exc:  # cattrs raises many kinds; each becomes a located line
            found = list(describe_error(exc, path, type_, host_keys))
            for where, message in found:
                self.report(where, message)
            self._rejected_later([where for where, _ in found], value, type_, path)
            return None

    def _rejected_later(self, found: list[KeyPath], value: Any, type_: Any, path: KeyPath) -> None:
        """Problems the first ones hid: attrs runs validators only once every option
        structured, and stops at the first that fails. Found by leaving those options out."""
        while isinstance(value, dict):
            left_out = {where[len(path)] for where in found if len(where) > len(path)}
            if not left_out & value.keys():
                return
            value = {key: item for key, item in value.items() if key not in left_out}
            try:
                self.converter.structure(value, type_)
                return
            except Exception as exc:
                if rejected_option(exc) is None:  # e.g. the left-out option was required
                    return
                problems = list(describe_error(exc, path, type_))
                for where, message in problems:
                    self.report(where, message)
                found = [where for where, _ in problems]

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
        spec = self._vendor(raw, path)
        if spec is None:
            return None
        auth = raw.get("auth", "vendor")
        if auth not in ("vendor", "none"):
            self.report((*path, "auth"), f"auth must be 'none' or left out, got {auth!r}")
        own = {k: v for k, v in raw.items() if k not in SOURCE_KEYS}
        options = self.structure(own, spec.config_type, path, SOURCE_KEYS)
        limit = self.structure(raw.get("max_body_bytes", MIB), int, (*path, "max_body_bytes"))
        access = self._access(raw, path)
        if options is None or limit is None or access is None:
            return None
        try:
            source = SourceConfig(name, spec.name, options, auth, limit, access)
        except ValueError as exc:  # max_body_bytes below 1
            self.report(option_path(exc, path), str(exc))
            return None
        given = [f for f in spec.auth_fields if getattr(options, f, None)]
        given += [key for key in sorted(ACCESS_KEYS) if raw.get(key) is not None]
        if auth == "vendor" and not given:
            vendor = f"{' or '.join(spec.auth_fields)}, or " if spec.auth_fields else ""
            self.report(
                path,
                f"no authentication configured: set {vendor}one of token, basic_auth, "
                "allow_ips, or say `auth: none` to accept unauthenticated webhooks",
            )
            return None
        if auth == "none" and given:
            self.report(
                (*path, given[0]),
                f"`auth: none` accepts every webhook, so {given[0]} would be ignored: remove "
                "one of the two",
            )
            return None
        return source if auth in ("vendor", "none") else None

    def _access(self, raw: dict[str, Any], path: KeyPath) -> SourceAccess | None:
        """The source's own ``token``, ``basic_auth`` and ``allow_ips`` (docs/configuration.md)."""
        given = {key: raw[key] for key in ACCESS_KEYS if raw.get(key) is not None}
        if isinstance(given.get("allow_ips"), str):
            self.report(
                (*path, "allow_ips"),
                f"expected a list such as [{given['allow_ips']}], got a single string",
            )
            return None
        access: SourceAccess | None = self.structure(given, SourceAccess, path, SOURCE_KEYS)
        return access

    def _vendor(self, raw: dict[str, Any], path: KeyPath) -> VendorSpec | None:
        vendor_name = raw.get("vendor")
        spec = self.registry.vendors.get(str(vendor_name))
        if spec is None:
            known = ", ".join(sorted(self.registry.vendors)) or "none installed"
            what = "is missing" if vendor_name is None else f"{vendor_name!r} is not installed"
            self.report((*path, "vendor"), f"vendor {what} (installed: {known})")
        return spec

    def sink(self, name: str) -> SinkConfig | None:
        path: KeyPath = ("sinks", name)
        raw = self.mapping(path)
        spec = self.registry.sinks.get(str(raw.get("plugin")))
        if spec is None:
            known = ", ".join(sorted(self.registry.sinks))
            what = "is missing" if "plugin" not in raw else f"{raw['plugin']!r} is not installed"
            self.report((*path, "plugin"), f"sink plugin {what} (installed: {known})")
            return None
        own = {k: v for k, v in raw.items() if k not in SINK_KEYS}
        options = self.structure(own, spec.config_type, path, SINK_KEYS)
        retry = self.structure(raw.get("retry", {}), RetryPolicy, (*path, "retry"))
        concurrency = None
        if raw.get("concurrency") is not None:
            concurrency = self.structure(raw["concurrency"], int, (*path, "concurrency"))
            if concurrency is not None and not 1 <= concurrency <= 10_000:
                self.report((*path, "concurrency"), f"must be from 1 to 10,000, got {concurrency}")
                concurrency = None
        rate_limit = None
        if raw.get("rate_limit") is not None:
            try:
                rate_limit = parse_rate_limit(raw["rate_limit"])
            except ValueError as exc:
                self.report((*path, "rate_limit"), str(exc))
        breaker = None
        if raw.get("breaker") is not None:
            breaker = self.structure(raw["breaker"], Breaker, (*path, "breaker"))
        return SinkConfig(
            name,
            spec.name,
            options,
            retry or RetryPolicy(),
            concurrency,
            rate_limit,
            breaker,
            ordering=self.choice(raw, "ordering", ORDERINGS, path),
            when_dead=self.choice(raw, "when_dead", WHEN_DEAD, path),
        )

    def choice(self, raw: dict[str, Any], key: str, choices: tuple[str, ...], path: KeyPath) -> str:
        """``raw[key]``, one of ``choices`` (the first is the default); else a located problem."""
        value = raw.get(key)
        if value is None:
            return choices[0]
        if value not in choices:
            expected = " or ".join(repr(c) for c in choices)
            self.report((*path, key), f"expected {expected}, got {value!r}")
            return choices[0]
        return str(value)

    def route(self, index: int, sinks: dict[str, SinkConfig]) -> RouteConfig:
        path: KeyPath = ("routes", index)
        raw = dict(self.mapping(path))
        for key in [key for key in raw if key not in ROUTE_KEYS]:
            self.report((*path, key), unknown_key(key, ROUTE_KEYS))
            del raw[key]
        raw.setdefault("name", f"route-{index}")
        if "with" in raw:
            raw["with_"] = raw.pop("with")
        retry_raw = raw.pop("retry", None)  # on its own, so every one of its problems shows
        retry = (
            None if retry_raw is None else self.structure(retry_raw, RetryPolicy, (*path, "retry"))
        )
        when = raw.pop("when", None)  # checked where it is compiled, with match
        gates = {
            kind: self.structure(raw.pop(kind), gate, (*path, kind))
            for kind, gate in _GATES.items()
            if raw.get(kind) is not None
        }
        flags = {
            key: self._flag(raw.pop(key, True), (*path, key)) for key in ("continue", "enabled")
        }
        route: RouteConfig | None = self.structure(raw, RouteConfig, path)
        if route is None:
            route = _salvage(raw)
            if not isinstance(raw.get("to"), str):
                return evolve(route, when=when)
        route = evolve(
            route,
            retry=retry,
            when=when,
            continue_=flags["continue"],
            enabled=flags["enabled"],
            **gates,
        )
        if route.to not in sinks:
            known = ", ".join(sorted(self.mapping(("sinks",)))) or "none"
            if route.to not in self.mapping(("sinks",)):  # else its own problems are listed
                self.report((*path, "to"), f"no sink named {route.to!r} (sinks: {known})")
            return route
        spec = self.registry.sinks[sinks[route.to].plugin]
        if route.action is not None and route.action not in spec.actions:
            self.report(
                (*path, "action"),
                f"sink {route.to!r} has no action {route.action!r} "
                f"(actions: {', '.join(spec.actions)})",
            )
        return route

    def _flag(self, value: Any, path: KeyPath) -> bool:
        """A route's ``continue`` or ``enabled``: true or false (else a problem, and true)."""
        if not isinstance(value, bool):
            self.report(path, f"expected true or false, got {value!r}")
            return True
        return value

    def routes(self, top: dict[str, Any], sinks: dict[str, SinkConfig]) -> list[RouteConfig]:
        raw_routes = top.get("routes") or []
        if not isinstance(raw_routes, list):
            self.report(("routes",), "expected a list of routes")
            raw_routes = []
        loaded = [self.route(i, sinks) for i in range(len(raw_routes))]
        first: dict[str, int] = {}
        for index, route in enumerate(loaded):
            if route.name in first:
                self.report(
                    ("routes", index, "name"),
                    f"route name {route.name!r} is used twice (also routes[{first[route.name]}])",
                )
            first.setdefault(route.name, index)
        return loaded

    def database(self, top: dict[str, Any], path: Path | None) -> str:
        url = self.structure(top.get("database", DEFAULT_DATABASE), str, ("database",))
        if url is None:
            return DEFAULT_DATABASE
        if (problem := check_database(url)) is not None:
            self.report(("database",), problem)
        return _resolve_database(url, path)

    def _check_name(self, path: KeyPath, name: str) -> None:
        """Names are stored with every event and delivery: text of at most 200 characters."""
        if not name.strip():
            self.report(path, "a name must not be empty")
        elif len(name) > NAME_LENGTH:
            self.report(path, f"a name is at most {NAME_LENGTH} characters, got {len(name)}")

    def config(self, path: Path | None) -> Config:
        top = self.mapping(())
        for key in top:
            if key not in _TOP_KEYS:
                self.report((key,), unknown_key(str(key), _TOP_KEYS))
        for section in ("sources", "sinks"):
            for name in self.mapping((section,)):
                self._check_name((section, name), name)
        sources = {n: s for n in self.mapping(("sources",)) if (s := self.source(n))}
        sinks = {n: k for n in self.mapping(("sinks",)) if (k := self.sink(n))}
        routes = self.routes(top, sinks)
        for index, route in enumerate(routes):
            self._check_name(("routes", index, "name"), route.name)
        database = self.database(top, path)
        sentry = self.structure(top.get("sentry") or {}, SentryConfig, ("sentry",))
        workers = self.structure(top.get("workers") or {}, WorkersConfig, ("workers",))
        server = self.structure(top.get("server") or {}, ServerConfig, ("server",))
        retention = self.structure(top.get("retention") or {}, RetentionConfig, ("retention",))
        return Config(
            database,
            sources,
            sinks,
            routes,
            sentry or SentryConfig(),
            workers or WorkersConfig(),
            path,
            self.doc.lines,
            server or ServerConfig(),
            retention or RetentionConfig(),
        )


def _salvage(raw: dict[str, Any]) -> RouteConfig:
    """What can still be checked of a route that does not structure: match and templates."""

    def mapping(key: str) -> dict[str, Any]:
        value = raw.get(key)
        return {str(k): v for k, v in value.items()} if isinstance(value, dict) else {}

    name, to, action = str(raw["name"]), str(raw.get("to")), raw.get("action")
    action = action if isinstance(action, str) else None
    return RouteConfig(name, to, mapping("match"), action, mapping("with_"))


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
    if not url.startswith(prefix) or url == "sqlite:///:memory:" or url == prefix:
        return url
    folder = None if config_path is None else config_path.parent
    return prefix + resolve_path(url[len(prefix) :], folder)
