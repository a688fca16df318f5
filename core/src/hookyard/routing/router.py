"""Matching events to routes and rendering each route's ``with`` (templates.py).

Routing runs inside intake: what it returns is stored with the delivery, so later config
changes never rewrite history.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import cattrs
import jinja2
from attrs import field, frozen

from hookyard.config import ConfigError, Problems, RetryPolicy, make_converter
from hookyard.config.model import duration
from hookyard.config.structuring import did_you_mean
from hookyard.routing.gates import CompiledGate, Gate, compile_gate
from hookyard.routing.hours import BusinessHours, compile_when
from hookyard.routing.index import RouteIndex
from hookyard.routing.match import CompiledMatch, compile_match
from hookyard.routing.params import ActionParams, BrokenParams, InvalidParams, plain_json
from hookyard.routing.templates import (
    compile_templates,
    environment,
    failed_because,
    render_templates,
)

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from hookyard.config import Config
    from hookyard.config.located import Path as KeyPath
    from hookyard.plugins import Registry
    from hookyard.routing.conditions import Verdict

__all__ = ["CompiledRoute", "PlannedDelivery", "Router", "compile_routes"]

TEST_TYPE = "webhook.test"


@frozen
class PlannedDelivery:
    """What one route wants done with one event."""

    route: str
    sink: str
    action: str
    params: dict[str, Any]
    error: str | None = None
    #: Its gate, the key rendered; a ``group`` delivery's params are rendered when the
    #: group is delivered (:meth:`Router.render_group`), so they are empty here.
    gate: Gate | None = None
    #: Why it exists: the route, and the conditions that matched.
    why: str = ""


@frozen
class CompiledRoute:
    """One route as routing uses it.

    :param continues: ``continue``: whether the routes after this one are tried when it
        matches (``continue: false`` stops at it).
    :param enabled: ``enabled: false``: checked like any route, never matched.
    :param gate: its ``dedup``, ``throttle`` or ``group``.
    """

    name: str
    index: int
    sink: str
    action: str
    match: CompiledMatch
    #: ``with``: the same structure with every string a compiled template.
    templates: Any
    retry: RetryPolicy | None
    routes_tests: bool
    params: ActionParams = field(factory=ActionParams)
    when: BusinessHours | None = None
    continues: bool = True
    enabled: bool = True
    gate: CompiledGate | None = None

    def matches(self, event: Mapping[str, Any], pins_hold: bool = False) -> bool:
        """Whether the route matches ``event`` (``pins_hold``: as :meth:`CompiledMatch.test`)."""
        if event.get("type") == TEST_TYPE and not self.routes_tests:
            return False
        return self.match.test(event, pins_hold) and (self.when is None or self.when.test(event))

    def explain(self, event: Mapping[str, Any]) -> list[Verdict]:
        """Why the route matches ``event`` or not: one verdict per condition, ``when`` last."""
        found = self.match.explain(event)
        return found if self.when is None else [*found, self.when.explain(event)]

    def why(self) -> str:
        """Why the route took an event it matches, as its deliveries keep it: each of its
        conditions (all of them held). Written once per route: nothing of the event."""
        held = "; ".join(v.condition for v in self.explain({}))
        return f"route {self.name!r} (routes[{self.index}]) matched: {held or 'every event'}"

    @property
    def grouped(self) -> bool:
        return self.gate is not None and self.gate.kind == "group"


class Router:
    """Every configured route, compiled once; :meth:`plan` is called per event.

    :param actions: what each configured sink's actions take, by sink and action name.
    """

    def __init__(
        self,
        routes: Sequence[CompiledRoute],
        actions: Mapping[tuple[str, str], ActionParams] | None = None,
        converter: cattrs.Converter | None = None,
    ) -> None:
        self.routes = tuple(routes)
        self._actions = dict(actions or {})
        self._converter = make_converter() if converter is None else converter
        self._index = RouteIndex([(r.match.pins, r) for r in self.routes if r.enabled])
        #: Per route, what plan() needs of it besides the route: why its deliveries exist,
        #: where its ``with`` is in the file, whether it groups.
        self._facts = {
            id(route): (route.why(), ("routes", route.index, "with"), route.grouped)
            for route in self.routes
        }
        #: A route without ``with`` renders nothing: its params (or why they do not fit the
        #: action) are the same for every event, so they are worked out once.
        self._constant = {
            id(route): self._checked(route, {}, ("routes", route.index, "with"))
            for route in self.routes
            if not route.templates and not route.grouped
        }

    def matching(self, event: Mapping[str, Any]) -> list[CompiledRoute]:
        """The enabled routes that match ``event``, in order, up to the first one that
        matches with ``continue: false``."""
        found = []
        for route, pins_hold in self._index.candidates(event):
            if route.matches(event, pins_hold):
                found.append(route)
                if not route.continues:
                    break
        return found

    def plan(self, event: Mapping[str, Any]) -> list[PlannedDelivery]:
        planned = []
        context = {"event": event}
        for route in self.matching(event):
            why, place, grouped = self._facts[id(route)]
            gate, error = (None, None) if route.gate is None else _gate(route, event)
            params: Any = {}
            if error is None and (constant := self._constant.get(id(route))) is not None:
                params, error = dict(constant[0]), constant[1]
            elif error is None and not grouped:
                params, error = render_templates(route.templates, context, place)
                if error is None:
                    params, error = self._checked(route, params, place)
            planned.append(
                PlannedDelivery(route.name, route.sink, route.action, params, error, gate, why)
            )
        return planned

    def render(self, route: CompiledRoute, context: dict[str, Any]) -> tuple[Any, str | None]:
        """``route``'s ``with`` rendered in ``context``, as the delivery keeps it, or why
        the delivery is dead."""
        place = self._facts[id(route)][1]
        params, error = render_templates(route.templates, context, place)
        return (params, error) if error is not None else self._checked(route, params, place)

    def render_group(
        self, route_name: str, events: Sequence[Mapping[str, Any]]
    ) -> tuple[Any, str | None]:
        """The params of a group's delivery: its route's ``with``, where ``events`` is every
        event of the group in the order they occurred and ``event`` the first of them."""
        route = next((r for r in self.routes if r.name == route_name), None)
        if route is None:
            return {}, f"route {route_name!r} is no longer configured, so its group is not rendered"
        return self.render(route, {"event": events[0], "events": list(events)})

    def _checked(self, route: CompiledRoute, params: Any, place: KeyPath) -> tuple[Any, str | None]:
        """Rendered ``params`` as the delivery keeps them, or why the delivery is dead."""
        try:
            route.params.structure(params, self._converter, place)
        except InvalidParams as exc:
            return (params if plain_json(params) else {}), str(exc)
        return params, None

    def params_for(self, sink: str, action: str, params: Mapping[str, Any]) -> Any:
        """A delivery's params as its sink receives them (an instance of the action's class,
        where it declares one). Raises :class:`InvalidParams` when they do not fit it."""
        expected = self._actions.get((sink, action))
        if expected is None:
            return params
        return expected.structure(params, self._converter, ("with",))


def _gate(route: CompiledRoute, event: Mapping[str, Any]) -> tuple[Gate | None, str | None]:
    """The route's gate with its key rendered for ``event``, or why the delivery is dead."""
    assert route.gate is not None
    try:
        return route.gate.render(event), None
    except Exception as exc:  # a template's failure is the delivery's, never intake's
        return None, failed_because(("routes", route.index, route.gate.kind, "key"), exc)


def compile_routes(
    config: Config,
    registry: Registry,
    problems: Problems | None = None,
    converter: cattrs.Converter | None = None,
) -> Router:
    """Compile match rules and templates, checking them against the event model and each
    action's parameters.

    Each problem is added to ``problems``; without it, :class:`ConfigError` lists them.
    """
    found = Problems(config.lines) if problems is None else problems
    converter = make_converter() if converter is None else converter
    envs = _Environments(environment(), environment(native=True), converter)
    compiled = [
        _compile_route(index, config, registry, envs, found) for index in range(len(config.routes))
    ]
    if problems is None and found:
        raise ConfigError(found.messages())
    actions = {}
    for name, sink in config.sinks.items():
        spec = registry.sinks.get(sink.plugin)
        for action in () if spec is None else spec.actions:
            with contextlib.suppress(BrokenParams):  # reported with the routes that use it
                actions[(name, action)] = ActionParams.of(spec, action, sink.options)
    return Router(compiled, actions, converter)


@frozen
class _Environments:
    text: jinja2.Environment
    native: jinja2.Environment
    converter: cattrs.Converter


def _compile_route(
    index: int, config: Config, registry: Registry, envs: _Environments, problems: Problems
) -> CompiledRoute:
    route = config.routes[index]
    match = compile_match(route.match, ("routes", index, "match"), problems)
    # A name that is not there never matches (a file with no sources is a fragment).
    for pinned, known in (("source", config.sources), ("vendor", registry.vendors)):
        for value in sorted(match.pins.get(pinned, frozenset()) - set(known) if known else ()):
            names = ", ".join(sorted(known)) or "none"
            problems.add(
                ("routes", index, "match", pinned),
                f"no {pinned} is named {value!r}{did_you_mean(value, known)}, so this never "
                f"matches ({pinned}s: {names})",
            )
    place_when = ("routes", index, "when")
    when = None if route.when is None else compile_when(route.when, place_when, problems)
    sink = config.sinks.get(route.to)  # None only when the file has problems already
    spec = registry.sinks[sink.plugin] if sink is not None else None
    action = route.action or (spec.actions[0] if spec is not None else "")
    place = ("routes", index, "with")
    try:
        params = ActionParams.of(spec, action, None if sink is None else sink.options)
    except BrokenParams as exc:
        problems.add(("routes", index, "to"), str(exc))
        params = ActionParams()
    named = f"sink {route.to!r} action {action!r}"
    for path, problem in params.problems(route.with_, envs.converter, place, named):
        problems.add(path, problem)
    gate = compile_gate(
        route,
        index,
        lambda text, path: compile_templates(text, envs.text, path, problems),
        problems,
    )
    grouped = gate is not None and gate.kind == "group"
    kept = config.retention.delivered
    if gate is not None and not grouped and kept is not None and gate.window > kept:
        problems.add(
            ("routes", index, gate.kind, "window"),
            f"the window ({duration(gate.window)}) is longer than retention.delivered "
            f"({duration(kept)}): the deliveries it counts would be purged before it ends",
        )
    # Only a field written as one template renders natively; strings nested in a list or
    # mapping written in YAML are text (a customer's message never becomes a structure).
    templates = {
        key: compile_templates(
            value,
            envs.native if key in params.native and isinstance(value, str) else envs.text,
            (*place, key),
            problems,
            grouped,
        )
        for key, value in route.with_.items()
    }
    tests = TEST_TYPE in match.values_of("type")
    return CompiledRoute(
        route.name,
        index,
        route.to,
        action,
        match,
        templates,
        route.retry,
        tests,
        params,
        when,
        route.continue_,
        route.enabled,
        gate,
    )
