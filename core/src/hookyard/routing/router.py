"""Matching events to routes and rendering each route's ``with`` templates.

Routing runs inside intake: what it returns is stored with the delivery, so later config
changes never rewrite history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import jinja2
from attrs import frozen
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from hookyard.config import ConfigError, RetryPolicy

if TYPE_CHECKING:
    from hookyard.config import Config
    from hookyard.config.located import Path as KeyPath
    from hookyard.plugins import Registry

__all__ = ["CompiledRoute", "PlannedDelivery", "Router", "compile_routes"]

TEST_TYPE = "webhook.test"
_NESTED = {"chat": "Chat", "customer": "Person", "agent": "Person", "message": "Message"}
_FREE = {"changes", "data", "raw"}


@frozen
class PlannedDelivery:
    """What one route wants done with one event."""

    route: str
    sink: str
    action: str
    params: dict[str, Any]
    error: str | None = None


@frozen
class CompiledRoute:
    name: str
    index: int
    sink: str
    action: str
    match: tuple[tuple[tuple[str, ...], frozenset[Any]], ...]
    templates: Any
    retry: RetryPolicy | None
    routes_tests: bool

    def matches(self, event: Mapping[str, Any]) -> bool:
        if event.get("type") == TEST_TYPE and not self.routes_tests:
            return False
        return all(_matches(_lookup(event, path), allowed) for path, allowed in self.match)


def _lookup(event: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = event
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _matches(value: Any, allowed: frozenset[Any]) -> bool:
    if isinstance(value, list | tuple):
        return any(_hashable(item) in allowed for item in value)
    return _hashable(value) in allowed


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | None) else repr(value)


def _allowed(value: Any) -> frozenset[Any]:
    values = value if isinstance(value, list) else [value]
    return frozenset(_hashable(v) for v in values)


class Router:
    """Every configured route, compiled once; :meth:`plan` is called per event."""

    def __init__(self, routes: Sequence[CompiledRoute]) -> None:
        self.routes = tuple(routes)

    def plan(self, event: Mapping[str, Any]) -> list[PlannedDelivery]:
        planned = []
        for route in self.routes:
            if route.matches(event):
                params, error = _render(route.templates, {"event": event}, route)
                planned.append(PlannedDelivery(route.name, route.sink, route.action, params, error))
        return planned


def _render(
    templates: Any, context: dict[str, Any], route: CompiledRoute
) -> tuple[Any, str | None]:
    try:
        return _render_value(templates, context), None
    except jinja2.TemplateError as exc:
        return {}, f"routes[{route.index}].with: template failed: {exc}"


def _render_value(value: Any, context: dict[str, Any]) -> Any:
    if isinstance(value, jinja2.Template):
        return value.render(context)
    if isinstance(value, dict):
        return {key: _render_value(item, context) for key, item in value.items()}
    if isinstance(value, list):
        return [_render_value(item, context) for item in value]
    return value


class _Sandbox(ImmutableSandboxedEnvironment):
    """Unsafe attributes (``__class__``, ``update``...) fail the template, never render."""

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        raise SecurityError(
            f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe"
        )


def _environment() -> jinja2.Environment:
    return _Sandbox(
        autoescape=False, undefined=jinja2.ChainableUndefined, keep_trailing_newline=True
    )


def _compile(
    value: Any, env: jinja2.Environment, path: KeyPath, config: Config, problems: list[str]
) -> Any:
    if isinstance(value, str):
        try:
            return env.from_string(value)
        except jinja2.TemplateSyntaxError as exc:
            problems.append(config.place(path, f"template does not compile: {exc.message}"))
            return value
    if isinstance(value, dict):
        return {k: _compile(v, env, (*path, k), config, problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_compile(v, env, (*path, i), config, problems) for i, v in enumerate(value)]
    return value


def _check_field(path: tuple[str, ...]) -> str | None:
    from hookyard import events

    top = {f.name for f in attrs.fields(events.Event)}
    if path[0] not in top:
        return f"events have no field {path[0]!r} (fields: {', '.join(sorted(top))})"
    if path[0] in _FREE or len(path) == 1:
        return None
    nested = {f.name for f in attrs.fields(getattr(events, _NESTED.get(path[0], "Event")))}
    if path[0] not in _NESTED or path[1] not in nested:
        return f"{path[0]} has no field {path[1]!r}"
    return None


def compile_routes(config: Config, registry: Registry) -> Router:
    """Compile match rules and templates; raises :class:`ConfigError` naming each problem."""
    env = _environment()
    problems: list[str] = []
    compiled = []
    for index, route in enumerate(config.routes):
        match = []
        for key, value in route.match.items():
            path = tuple(key.split("."))
            if (problem := _check_field(path)) is not None:
                problems.append(config.place(("routes", index, "match", key), problem))
            match.append((path, _allowed(value)))
        spec = registry.sinks[config.sinks[route.to].plugin]
        action = route.action or spec.actions[0]
        allowed_params = spec.params.get(action)
        for key in route.with_:
            if allowed_params is not None and key not in allowed_params:
                known = ", ".join(sorted(allowed_params)) or "nothing"
                where = ("routes", index, "with", key)
                message = f"sink {route.to!r} action {action!r} takes no {key!r} (it takes {known})"
                problems.append(config.place(where, message))
        templates = _compile(route.with_, env, ("routes", index, "with"), config, problems)
        tests = TEST_TYPE in _allowed(route.match.get("type", []))
        compiled.append(
            CompiledRoute(
                route.name, index, route.to, action, tuple(match), templates, route.retry, tests
            )
        )
    if problems:
        raise ConfigError(problems)
    return Router(compiled)
