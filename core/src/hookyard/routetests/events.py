"""Internal: the events to route for ``route explain`` and ``hookyard test``, in JSON form.

An event can be given in its JSON form (docs/events.md), partly: ``id``, ``source``,
``vendor``, ``vendor_type``, ``occurred_at`` and ``received_at`` get defaults. It can also
be a vendor payload, parsed by the plugin of a configured source (never verified), or a
vendor plugin's own sample of an action (what ``hookyard simulate`` sends).

Each problem is raised as :class:`EventProblems`, located below the place it was given at.
"""

from __future__ import annotations

import json
import typing
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import attrs

from hookyard.config.structuring import describe_error, did_you_mean
from hookyard.events import Event, stable_event_id
from hookyard.vendors import PayloadRejected, WebhookRequest

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from hookyard.config.located import Path as KeyPath
    from hookyard.host import Setup
    from hookyard.vendors import VendorSpec

__all__ = ["EventProblems", "event_forms", "fixture_forms", "payload_forms"]

#: Where an event given in JSON form is taken from when it names no source and the
#: configuration has none.
NO_SOURCE = "test"


class EventProblems(ValueError):
    """What is wrong with a given event, each at its place (below where it was given)."""

    def __init__(self, problems: list[tuple[KeyPath, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def event_forms(setup: Setup, given: Mapping[str, Any], path: KeyPath = ()) -> list[dict[str, Any]]:
    """The JSON form of the event ``given`` partly, with the defaults filled in."""
    problems = list(_unknown_keys(Event, given, path))
    completed = _completed(setup, given, path, problems)
    try:
        event = setup.converter.structure(completed, Event)
    except Exception as exc:  # cattrs' errors, and the model's validators'
        problems += describe_error(exc, path, Event)
    if problems:
        raise EventProblems(problems)
    return [setup.converter.unstructure(event)]


def _completed(
    setup: Setup, given: Mapping[str, Any], path: KeyPath, problems: list[tuple[KeyPath, str]]
) -> dict[str, Any]:
    sources = setup.config.sources
    source = given.get("source", next(iter(sources), NO_SOURCE))
    configured = sources.get(source) if isinstance(source, str) else None
    vendor = given.get("vendor", "generic" if not sources else None)
    if configured is not None:
        vendor = given.get("vendor", configured.vendor)
    elif vendor is None:
        names = ", ".join(sources)
        problems.append(
            ((*path, "source"), f"no source named {source!r} (sources: {names}); give its vendor")
        )
    now = datetime.now(UTC).isoformat()
    received = given.get("received_at", now)
    found = {
        "id": stable_event_id(json.dumps(given, sort_keys=True, default=str)),
        "source": source,
        "vendor": vendor,
        "vendor_type": given["type"] if isinstance(given.get("type"), str) else "test",
        "occurred_at": received,
        "received_at": received,
    }
    return {**{k: v for k, v in found.items() if v is not None}, **given}


def _unknown_keys(cls: type[Any], value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """Keys the event model does not have (a typo the converter would silently drop);
    ``data``, ``changes`` and ``raw`` hold anything."""
    if not isinstance(value, dict):
        return
    hints = typing.get_type_hints(cls)
    known = {f.name for f in attrs.fields(cls) if f.metadata.get("in_json_form", True)}
    for key, item in value.items():
        if key not in known:
            message = f"not a field of the event{did_you_mean(key, known)} (docs/events.md)"
            yield (*path, key), message
            continue
        inner = _attrs_class(hints[key])
        if inner is not None:
            items = item if isinstance(item, list) else [item]
            for position, part in enumerate(items):
                where = (*path, key, position) if isinstance(item, list) else (*path, key)
                yield from _unknown_keys(inner, part, where)


def _attrs_class(hint: Any) -> type[Any] | None:
    """The attrs class a field holds (alone, optional, or as the items of a tuple)."""
    for candidate in (hint, *typing.get_args(hint)):
        if isinstance(candidate, type) and attrs.has(candidate):
            return candidate
    return None


def fixture_forms(
    setup: Setup, vendor: str, action: str, source: str | None = None, path: KeyPath = ()
) -> list[dict[str, Any]]:
    """The events of the vendor plugin's sample of ``action``, parsed by that plugin.

    The sample is made and parsed with the options of ``source``, else of the first
    configured source of ``vendor`` (and named after it), else with the plugin's defaults
    (and the source named ``vendor``).
    """
    spec = setup.registry.vendors.get(vendor)
    if spec is None:
        known = ", ".join(sorted(setup.registry.vendors))
        raise EventProblems([((*path, "vendor"), f"no vendor {vendor!r} (installed: {known})")])
    if spec.simulate is None or action not in spec.actions:
        guess = did_you_mean(action, spec.actions)
        knows = f"; it knows: {', '.join(spec.actions)}" if spec.actions else "; it has no samples"
        problem = f"{vendor} cannot simulate {action!r}{guess or knows}"
        raise EventProblems([((*path, "action"), problem)])
    name, options = _vendor_source(setup, spec, source, path)
    sample = spec.simulate(options, action)
    return _parsed(setup, spec, name, options, sample.body, sample.headers, path)


def _vendor_source(
    setup: Setup, spec: VendorSpec, source: str | None, path: KeyPath
) -> tuple[str, Any]:
    sources = setup.config.sources
    if source is not None:
        configured = sources.get(source)
        if configured is None or configured.vendor != spec.name:
            ours = ", ".join(n for n, s in sources.items() if s.vendor == spec.name) or "none"
            problem = f"no {spec.name} source named {source!r} (configured: {ours})"
            raise EventProblems([((*path, "source"), problem)])
        return source, configured.options
    for name, configured in sources.items():
        if configured.vendor == spec.name:
            return name, configured.options
    try:
        return spec.name, spec.config_type()
    except Exception as exc:
        problem = f"{spec.name} needs options ({exc}); configure a {spec.name} source"
        raise EventProblems([((*path, "vendor"), problem)]) from None


def payload_forms(
    setup: Setup,
    source: str,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    path: KeyPath = (),
) -> list[dict[str, Any]]:
    """The events the plugin of the configured ``source`` parses from ``body``, unverified."""
    configured = setup.config.sources.get(source)
    if configured is None:
        names = ", ".join(setup.config.sources) or "none"
        raise EventProblems([((*path, "source"), f"no source named {source!r} ({names})")])
    spec = setup.registry.vendors[configured.vendor]
    return _parsed(setup, spec, source, configured.options, body, headers or {}, path)


def _parsed(
    setup: Setup,
    spec: VendorSpec,
    source: str,
    options: Any,
    body: bytes,
    headers: Mapping[str, str],
    path: KeyPath,
) -> list[dict[str, Any]]:
    """As intake parses: the events of ``body``, each in its JSON form."""
    lowered = {name.lower(): value for name, value in headers.items()}
    request = WebhookRequest(source, body, lowered, datetime.now(UTC))
    try:
        events = spec.parse(options, request)
    except PayloadRejected as exc:
        raise EventProblems([(path, f"the {spec.name} parser rejects it: {exc}")]) from None
    except Exception as exc:  # intake would keep the payload as unparsed
        problem = f"the {spec.name} parser raised {type(exc).__name__}: {exc}"
        raise EventProblems([(path, problem)]) from None
    forms = []
    for event in events:
        if not isinstance(event, Event) or event.source != source:
            problem = f"the {spec.name} parser returned {event!r:.80}, not an Event of {source}"
            raise EventProblems([(path, problem)])
        forms.append(setup.converter.unstructure(event))
    return forms
