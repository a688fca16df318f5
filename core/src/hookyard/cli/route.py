"""``hookyard route explain``: what every route does with one event, and why."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hookyard._json import dumps, loads
from hookyard.cli.common import (
    config_option,
    fail,
    load_host,
    printable,
    table,
    terminal_width,
    user_errors,
    with_store,
)
from hookyard.config import ConfigUnreadable
from hookyard.config.located import format_path
from hookyard.config.reading import read_bounded
from hookyard.host import load_setup
from hookyard.routetests.events import EventProblems, event_forms, fixture_forms, payload_forms
from hookyard.routing.explain import MATCHED, explain_routes, verdict_json

if TYPE_CHECKING:
    from collections.abc import Iterator

    from hookyard.host import Setup
    from hookyard.routing import PlannedDelivery
    from hookyard.routing.explain import RouteExplanation
    from hookyard.store import Store
    from hookyard.store.events import EventDetail

__all__ = ["route"]


@click.group()
def route() -> None:
    """Routes: see what they do with an event."""


@route.command("explain")
@click.argument("event_file", metavar="[EVENT.json]", required=False, type=click.Path())
@click.option("--event", "event_id", metavar="ID", help="A stored event (as events list shows).")
@click.option("--fixture", nargs=2, metavar="VENDOR ACTION", help="A vendor plugin's sample.")
@click.option("--payload", type=click.Path(), help="A vendor payload (JSON) of --source.")
@click.option("--source", help="--payload's source; with --fixture or --event, which one.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON line per route.")
@config_option
@user_errors
def explain(
    event_file: str | None,
    event_id: str | None,
    fixture: tuple[str, str] | None,
    payload: str | None,
    source: str | None,
    as_json: bool,
    config_path: str,
) -> None:
    """Show, for every route in file order, whether it takes the event and why, and what
    it would deliver (its rendered params).

    The event is EVENT.json (its JSON form, docs/events.md; fields left out get
    defaults), a stored event (--event), a vendor plugin's sample (--fixture, made with
    the options of the first source of that vendor, or --source), or a vendor payload
    parsed by the plugin of --source (--payload; never verified). Nothing is stored or
    delivered.
    """
    given = [event_file is not None, event_id is not None, fixture is not None, bool(payload)]
    if sum(given) != 1:
        raise click.UsageError("give one of EVENT.json, --event, --fixture, --payload")
    if payload is not None and source is None:
        raise click.UsageError("--payload needs --source: the source whose plugin parses it")
    if event_id is not None:
        setup, forms = _stored(config_path, event_id, source)
    else:
        setup = load_setup(config_path)
        forms = _made(setup, event_file, fixture, payload, source)
    if payload is not None:
        click.echo("payload parsed without verifying it", err=True)
    for number, form in enumerate(forms):
        if number and not as_json:
            click.echo()
        found = explain_routes(setup.router, form)
        lines = _json_lines(form, found) if as_json else _text(form, found)
        for line in lines:
            click.echo(line)


def _made(
    setup: Setup,
    event_file: str | None,
    fixture: tuple[str, str] | None,
    payload: str | None,
    source: str | None,
) -> list[dict[str, Any]]:
    """The events of EVENT.json, --fixture or --payload, in JSON form."""
    name = event_file or payload or ""
    try:
        if fixture is not None:
            return fixture_forms(setup, fixture[0], fixture[1], source)
        body = _read(name)
        if payload is not None and source is not None:
            return payload_forms(setup, source, body)
        try:
            given = loads(body)
        except ValueError as exc:
            fail(f"{name}: not JSON: {exc}")
        except RecursionError:
            fail(f"{name}: not JSON hookyard reads: nested too deeply")
        if not isinstance(given, dict):
            fail(f"{name}: expected an event (a JSON object), got {type(given).__name__}")
        return event_forms(setup, given)
    except EventProblems as exc:
        located = fixture is None and payload is None  # paths into EVENT.json
        problems = [f"{format_path(p)}: {m}" if located and p else m for p, m in exc.problems]
        fail(f"{'--fixture' if fixture else name}: {'; '.join(problems)}")


def _read(name: str) -> bytes:
    try:
        return read_bounded(Path(name))
    except ConfigUnreadable as exc:
        fail(exc.problems[0])


def _stored(config_path: str, event_id: str, source: str | None) -> tuple[Setup, list[Any]]:
    """The stored event ``event_id`` (of ``source``) in JSON form, from the database."""

    async def fetch(store: Store) -> list[EventDetail]:
        return await store.events.show(event_id, source)

    host = load_host(config_path)
    found = with_store(host, fetch)
    of = f" of source {source!r}" if source else ""
    if not found:
        fail(f"no event {event_id!r}{of} (hookyard events list shows them)", 1)
    if len(found) > 1:
        sources = ", ".join(detail.event.source for detail in found)
        fail(f"sources {sources} each have an event {event_id!r}; say which with --source", 1)
    [detail] = found
    if detail.body is None:
        fail(f"{event_id!r} is an unparsed payload: reparse it (hookyard events reparse)", 1)
    return host.setup, [detail.body]


def _json_lines(form: dict[str, Any], found: list[RouteExplanation]) -> Iterator[str]:
    for each in found:
        delivery = each.delivery
        yield dumps(
            {
                "event": form.get("id"),
                "index": each.index,
                "route": each.route,
                "sink": each.sink,
                "action": each.action,
                "result": each.result,
                "decided_by": each.decided_by,
                "verdicts": [verdict_json(v) for v in each.verdicts],
                "params": None if delivery is None else delivery.params,
                "error": None if delivery is None else delivery.error,
                "gate": None if delivery is None or delivery.gate is None else _gate_json(delivery),
            }
        )


def _text(form: dict[str, Any], found: list[RouteExplanation]) -> Iterator[str]:
    """The event, then a row per route (its name cut to fit the terminal), each followed
    by its verdicts and params."""
    yield printable(
        f"event {form.get('id')} {form.get('type')} "
        f"(source {form.get('source')}, vendor {form.get('vendor')})"
    )
    rows = [("#", "route", "delivers to", "result")]
    rows += [(str(e.index), e.route, f"{e.sink}.{e.action}", _shown(e.result)) for e in found]
    header, *lines = table(rows, width=terminal_width(), shrink=(1, 2))
    yield header
    for line, each in zip(lines, found, strict=True):
        yield line
        yield from (f"     {printable(text)}" for text in _details(each))
    matched = sum(each.result == MATCHED for each in found)
    yield f"{matched} of {len(found)} routes match"


def _gate_json(delivery: PlannedDelivery) -> dict[str, Any]:
    """A planned delivery's gate as ``--json`` writes it."""
    gate = delivery.gate
    assert gate is not None
    return {"kind": gate.kind, "key": gate.key, "window": gate.window, "limit": gate.limit}


def _shown(result: str) -> str:
    """A result as the table writes it: what delivers stands out."""
    return "MATCHED" if result == MATCHED else result


def _details(each: RouteExplanation) -> Iterator[str]:
    """The verdict lines of a route (indented by part), then what it delivers."""
    if each.result == "disabled":
        yield "enabled: false"
    elif each.result == "skipped":
        yield f"skipped: {each.decided_by}"
    elif each.result == "not matched" and len(each.verdicts) > 1:
        yield f"decided by: {each.decided_by}"
    if not each.verdicts:
        yield "no conditions: every event matches"
    for verdict in each.verdicts:
        yield from verdict.lines()
    delivery = each.delivery
    if delivery is None:
        return
    if delivery.gate is not None:
        yield str(delivery.gate)
    if delivery.error is not None:
        yield f"fails: {delivery.error}"
    elif not delivery.params:
        yield "params: {}"
    else:
        yield "params:"
        yield from (f"  {key}: {dumps(value)}" for key, value in delivery.params.items())
