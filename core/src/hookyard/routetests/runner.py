"""Internal: running route test cases against their configuration, and what failed, in words.

Each case's events are routed by the configuration's own router; every ``expect`` entry
must be met by a planned delivery (the keys it names equal, its ``params`` a subset of the
rendered ones, and no template failure), no ``not_expect`` entry may be.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard._json import dumps
from hookyard.config import ConfigError
from hookyard.config.located import format_path
from hookyard.config.structuring import did_you_mean
from hookyard.host import Setup, load_setup
from hookyard.routetests.cases import (
    Case,
    Fixture,
    Payload,
    RouteTestError,
    RouteTestFile,
    read_test_file,
)
from hookyard.routetests.events import EventProblems, event_forms, fixture_forms, payload_forms
from hookyard.routing import PlannedDelivery
from hookyard.routing.conditions import canonical
from hookyard.routing.explain import plan_together

if TYPE_CHECKING:
    from pathlib import Path

    from hookyard.config.located import Path as KeyPath
    from hookyard.routetests.cases import Expectation
    from hookyard.routing import Router

__all__ = ["CaseResult", "Planned", "Suite", "load_suite", "param_diff", "run_case", "run_suite"]


@frozen
class Planned:
    """A delivery planned for one of a case's events."""

    event: str
    type: str
    delivery: PlannedDelivery

    def shown(self, several: bool = False) -> str:
        """``'vip chats' -> slack.post``, with its event when the case has several."""
        d = self.delivery
        text = f"{d.route!r} -> {d.sink}.{d.action}"
        if several:
            text += f" (event {self.event}, {self.type})"
        return text + (f" fails: {d.error}" if d.error else "")


@frozen
class CaseResult:
    """A case, what its events were planned as, and why it failed (none: it passed)."""

    case: Case
    planned: tuple[Planned, ...]
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


@frozen
class Suite:
    """A test file with its configuration loaded and each case's events made."""

    file: RouteTestFile
    setup: Setup
    cases: tuple[tuple[Case, tuple[dict[str, Any], ...]], ...]


def load_suite(path: Path) -> Suite:
    """The test file at ``path`` ready to run; raises :class:`RouteTestError` naming every
    problem of the file, of its configuration, and of each case's events and names."""
    file, problems = read_test_file(path)
    if file is None:
        raise RouteTestError(problems.messages())
    try:
        setup = load_setup(file.config)
    except ConfigError as exc:
        for problem in exc.problems:
            problems.add(("config",), f"{file.config}: {problem}")
        raise RouteTestError(problems.messages()) from None
    cases = []
    for case in file.cases:
        try:
            cases.append((case, tuple(_forms(setup, case))))
        except EventProblems as exc:
            for place, message in exc.problems:
                problems.add(place, message)
        for expectation in (*(case.expect or ()), *case.not_expect):
            for place, message in _name_problems(setup, expectation):
                problems.add(place, message)
    if problems:
        raise RouteTestError(problems.messages())
    return Suite(file, setup, tuple(cases))


def _at(file: RouteTestFile, place: KeyPath, message: str) -> str:
    line = file.lines.get(place)
    return f"{format_path(place)}{f' (line {line})' if line else ''}: {message}"


def _forms(setup: Setup, case: Case) -> list[dict[str, Any]]:
    given = case.given
    if isinstance(given, Fixture):
        where = (*case.place, "fixture")
        return fixture_forms(setup, given.vendor, given.action, given.source, where)
    if isinstance(given, Payload):
        where = (*case.place, "payload")
        return payload_forms(setup, given.source, given.body, given.headers, where)
    if isinstance(given, list):  # events the same but for their place are not repeats
        return [
            form
            for i, each in enumerate(given)
            for form in event_forms(
                setup,
                each if "id" in each else {**each, "id": format_path((*case.place, "events", i))},
                (*case.place, "events", i),
            )
        ]
    return event_forms(setup, given, (*case.place, "event"))


def _name_problems(setup: Setup, expected: Expectation) -> list[tuple[Any, str]]:
    """Routes, sinks and actions an expectation names that the configuration does not have."""
    found: list[tuple[Any, str]] = []
    routes = [route.name for route in setup.router.routes]
    if expected.route is not None and expected.route not in routes:
        guess = did_you_mean(expected.route, routes)
        found.append(((*expected.place, "route"), f"no route named {expected.route!r}{guess}"))
    sinks = setup.config.sinks
    if expected.sink is not None and expected.sink not in sinks:
        guess = did_you_mean(expected.sink, sinks)
        found.append(((*expected.place, "sink"), f"no sink named {expected.sink!r}{guess}"))
    elif expected.sink is not None and expected.action is not None:
        actions = setup.registry.sinks[sinks[expected.sink].plugin].actions
        if expected.action not in actions:
            known = f"; it has {', '.join(actions)}"
            problem = f"sink {expected.sink!r} has no action {expected.action!r}{known}"
            found.append(((*expected.place, "action"), problem))
    return found


def run_suite(suite: Suite) -> list[CaseResult]:
    return [run_case(suite, case, forms) for case, forms in suite.cases]


def run_case(suite: Suite, case: Case, forms: tuple[dict[str, Any], ...]) -> CaseResult:
    planned = tuple(_planned(suite.setup.router, forms))
    several = len(forms) > 1
    failures: list[str] = []
    if case.expect == () and planned:
        failures.append(_at(suite.file, (*case.place, "expect"), "expected no delivery"))
        failures += [f"  planned: {p.shown(several)}" for p in planned]
    for expected in case.expect or ():
        failures += _missing(expected, planned, several)
    for unwanted in case.not_expect:
        failures += [
            f"{unwanted.where}: not expected, but planned: {p.shown(several)}"
            for p in planned
            if _named(unwanted, p.delivery) and _params_fit(unwanted, p.delivery)
        ]
    return CaseResult(case, planned, tuple(failures))


def _planned(router: Router, forms: tuple[dict[str, Any], ...]) -> list[Planned]:
    """What the case's events deliver, in order: a delivery its route's dedup or throttle
    suppressed is not one, a group is one (its first event's), holding its events."""
    return [
        Planned(str(forms[d.event].get("id")), str(forms[d.event].get("type")), d.delivery)
        for d in plan_together(router, forms)
        if d.status in ("pending", "dead")
    ]


def _named(expected: Expectation, delivery: PlannedDelivery) -> bool:
    wanted = (expected.route, expected.sink, expected.action)
    got = (delivery.route, delivery.sink, delivery.action)
    return all(want is None or want == value for want, value in zip(wanted, got, strict=True))


def _params_fit(expected: Expectation, delivery: PlannedDelivery) -> bool:
    return expected.params is None or not param_diff(expected.params, delivery.params)


def _missing(expected: Expectation, planned: tuple[Planned, ...], several: bool) -> list[str]:
    """Nothing when a planned delivery meets ``expected``; else what is missing, and the
    deliveries it names with what differs (or every delivery planned instead)."""
    named = [p for p in planned if _named(expected, p.delivery)]
    if any(_params_fit(expected, p.delivery) and p.delivery.error is None for p in named):
        return []
    lines = [f"{expected.where}: missing {_described(expected)}"]
    for p in named:
        if p.delivery.error is not None:
            lines.append(f"  {p.shown(several)}")
        else:
            diff = param_diff(expected.params or {}, p.delivery.params)
            lines.append(f"  {p.shown(several)} has other params:")
            lines += [f"    {line}" for line in diff]
    if not named:
        lines.append("  planned instead:" if planned else "  nothing was planned")
        lines += [f"    {p.shown(several)}" for p in planned]
    return lines


def _described(expected: Expectation) -> str:
    parts = [
        f"{key} {value!r}"
        for key, value in (
            ("route", expected.route),
            ("sink", expected.sink),
            ("action", expected.action),
        )
        if value is not None
    ]
    if expected.params is not None:
        parts.append(f"params {dumps(expected.params)}")
    return "a delivery with " + ", ".join(parts)


def param_diff(expected: dict[str, Any], got: Any, path: str = "params") -> list[str]:
    """Each place where ``got`` does not hold what ``expected`` says: ``params.channel:
    expected "C0123", got "C0999"``. Mappings compare as subsets, anything else whole."""
    lines = []
    for key, want in expected.items():
        where = f"{path}.{key}"
        if not isinstance(got, dict) or key not in got:
            lines.append(f"{where}: expected {dumps(want)}, got nothing")
        elif isinstance(want, dict) and isinstance(got[key], dict):
            lines += param_diff(want, got[key], where)
        elif canonical(want) != canonical(got[key]):
            lines.append(f"{where}: expected {dumps(want)}, got {dumps(got[key])}")
    return lines
