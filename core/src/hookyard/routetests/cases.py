"""Internal: reading a route test file, every mistake in it named at its place.

A test file names a configuration (relative to the file) and its cases; each case gives
its events one way (``event``, ``fixture`` or ``payload``) and what they must and must not
be delivered as (docs/configuration.md, "Testing routes")::

    config: hookyard.yaml
    cases:
      - name: vip chats reach slack
        event: {type: chat.started, chat: {tags: [vip]}}
        expect:
          - {route: vip chats, sink: slack, action: post, params: {channel: C0123}}
        not_expect:
          - {sink: zendesk}
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from attrs import frozen

from hookyard._json import dumpb
from hookyard.config import ConfigUnreadable, read_config
from hookyard.config.located import Path as KeyPath
from hookyard.config.located import describe_yaml_error, format_path, load_located
from hookyard.config.reading import read_bounded
from hookyard.config.structuring import unknown_key
from hookyard.routing.checks import yaml_kind

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hookyard.config.located import Problems

__all__ = [
    "Case",
    "Expectation",
    "Fixture",
    "Payload",
    "RouteTestError",
    "RouteTestFile",
    "read_test_file",
]

SOURCES = ("event", "events", "fixture", "payload")
DELIVERY_KEYS = ("route", "sink", "action", "params")


class RouteTestError(Exception):
    """A test file that is itself wrong: every problem, each at its place."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@frozen
class Expectation:
    """One entry of ``expect`` or ``not_expect``: what a delivery must have (a subset)."""

    place: KeyPath
    where: str
    route: str | None = None
    sink: str | None = None
    action: str | None = None
    params: dict[str, Any] | None = None


@frozen
class Fixture:
    """``fixture``: a vendor plugin's sample of an action."""

    vendor: str
    action: str
    source: str | None = None


@frozen
class Payload:
    """``payload``: a vendor payload (from ``file``, or ``body`` written in the test file)
    parsed by the plugin of a configured source."""

    source: str
    body: bytes
    headers: dict[str, str]


@frozen
class Case:
    """One case: its events (a partial event's JSON form, a list of them arriving in
    order, a :class:`Fixture` or a :class:`Payload`) and its expectations; ``expect``
    None when it has none, ``()`` when it expects no delivery at all."""

    place: KeyPath
    where: str
    name: str
    given: dict[str, Any] | list[dict[str, Any]] | Fixture | Payload
    expect: tuple[Expectation, ...] | None
    not_expect: tuple[Expectation, ...]


@frozen
class RouteTestFile:
    path: Path
    config: Path
    cases: tuple[Case, ...]
    lines: dict[KeyPath, int]


class _Reader:
    def __init__(self, path: Path, lines: dict[KeyPath, int], problems: Problems) -> None:
        self.folder = path.parent
        self.lines = lines
        self.problems = problems

    def where(self, place: KeyPath) -> str:
        line = self.lines.get(place)
        return f"{format_path(place)}{f' (line {line})' if line else ''}"

    def mapping(self, value: Any, place: KeyPath, allowed: tuple[str, ...]) -> dict[str, Any]:
        """``value`` when it is a mapping of ``allowed`` keys (else ``{}``, a problem each)."""
        if not isinstance(value, dict):
            self.problems.add(place, f"expected a mapping, got {yaml_kind(value)}")
            return {}
        for key in value:
            if key not in allowed:
                self.problems.add((*place, key), unknown_key(key, allowed))
        return value

    def text(self, found: Mapping[str, Any], key: str, place: KeyPath, needed: bool) -> Any:
        value = found.get(key)
        if value is None:
            if needed:
                self.problems.add(place, f"{key} is required")
            return None
        if not isinstance(value, str):
            self.problems.add((*place, key), f"expected text, got {yaml_kind(value)}")
            return None
        return value

    def case(self, value: Any, place: KeyPath) -> Case | None:
        found = self.mapping(value, place, ("name", *SOURCES, "expect", "not_expect"))
        name = self.text(found, "name", place, needed=False) or format_path(place)
        given = [key for key in SOURCES if key in found]
        if len(given) != 1:
            got = f" (it has {', '.join(given)})" if given else ""
            self.problems.add(place, f"a case takes one of event, events, fixture, payload{got}")
            return None
        if "expect" not in found and "not_expect" not in found:
            self.problems.add(place, "a case needs expect, not_expect, or both")
        source = self.source(given[0], found[given[0]], (*place, given[0]))
        expect = found.get("expect")
        expected = None if expect is None else self.deliveries(expect, (*place, "expect"))
        unwanted = self.deliveries(found.get("not_expect", []), (*place, "not_expect"))
        if source is None or expected is None and "expect" in found:
            return None
        return Case(place, self.where(place), name, source, expected, unwanted or ())

    def source(self, kind: str, value: Any, place: KeyPath) -> Any:
        if kind == "event":
            return self.mapping(value, place, tuple(value) if isinstance(value, dict) else ())
        if kind == "events":
            if not isinstance(value, list) or not value:
                self.problems.add(place, f"expected a list of events, got {yaml_kind(value)}")
                return None
            return [self.source("event", item, (*place, i)) for i, item in enumerate(value)]
        if kind == "fixture":
            found = self.mapping(value, place, ("vendor", "action", "source"))
            vendor, action = (
                self.text(found, key, place, needed=True) for key in ("vendor", "action")
            )
            source = self.text(found, "source", place, needed=False)
            return Fixture(vendor, action, source) if vendor and action else None
        return self.payload(value, place)

    def payload(self, value: Any, place: KeyPath) -> Payload | None:
        found = self.mapping(value, place, ("source", "file", "body", "headers"))
        source = self.text(found, "source", place, needed=True)
        if ("file" in found) == ("body" in found):
            self.problems.add(place, "a payload takes file (a path) or body (its JSON)")
            return None
        body = dumpb(found["body"]) if "body" in found else self.file(found, place)
        headers = found.get("headers", {})
        if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
            self.problems.add((*place, "headers"), "expected a mapping of header names to text")
            return None
        return None if source is None or body is None else Payload(source, body, headers)

    def file(self, found: Mapping[str, Any], place: KeyPath) -> bytes | None:
        name = self.text(found, "file", place, needed=True)
        if name is None:
            return None
        try:
            return read_bounded(self.folder / str(name))
        except ConfigUnreadable as exc:
            self.problems.add((*place, "file"), exc.problems[0])
            return None

    def deliveries(self, value: Any, place: KeyPath) -> tuple[Expectation, ...] | None:
        if not isinstance(value, list):
            self.problems.add(place, f"expected a list of deliveries, got {yaml_kind(value)}")
            return None
        found = []
        for index, item in enumerate(value):
            where = (*place, index)
            keys = self.mapping(item, where, DELIVERY_KEYS)
            if isinstance(item, dict) and not item:
                self.problems.add(where, f"name at least one of {', '.join(DELIVERY_KEYS)}")
            route, sink, action = (
                self.text(keys, k, where, needed=False) for k in DELIVERY_KEYS[:3]
            )
            params = keys.get("params")
            if params is not None and not isinstance(params, dict):
                self.problems.add(
                    (*where, "params"), f"expected a mapping, got {yaml_kind(params)}"
                )
                params = None
            found.append(Expectation(where, self.where(where), route, sink, action, params))
        return tuple(found)


def read_test_file(path: Path) -> tuple[RouteTestFile | None, Problems]:
    """The test file at ``path`` (its cases that are right) and the problems found in it;
    None when it names no configuration. Raises :class:`RouteTestError` for text that is
    not YAML, :class:`~hookyard.config.ConfigUnreadable` for a file that cannot be read."""
    text = read_config(path)
    try:
        doc = load_located(text)
    except yaml.YAMLError as exc:
        raise RouteTestError([describe_yaml_error(exc, text)]) from None
    reader = _Reader(path, doc.lines, doc.problems)
    top = reader.mapping(doc.data, (), ("config", "cases"))
    config = reader.text(top, "config", (), needed=True)
    cases = top.get("cases")
    if not isinstance(cases, list) or not cases:
        got = "an empty list" if cases == [] else yaml_kind(cases)
        doc.problems.add(("cases",), f"expected a list of cases, got {got}")
        cases = []
    found = [reader.case(case, ("cases", index)) for index, case in enumerate(cases)]
    if config is None:
        return None, doc.problems
    kept = tuple(case for case in found if case is not None)
    return RouteTestFile(path, path.parent / config, kept, doc.lines), doc.problems
