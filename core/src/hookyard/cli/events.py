"""``hookyard events``: see what was received, one event in full, and re-parse the payloads
kept as unparsed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import click

from hookyard._json import dumps
from hookyard.cli.common import (
    config_option,
    fail,
    fields,
    filter_options,
    load_host,
    printable,
    progress,
    state_painter,
    table,
    terminal_width,
    user_errors,
    with_store,
)

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from datetime import datetime

    from hookyard.host import Host
    from hookyard.intake.reparse import Reparsed
    from hookyard.store import Store
    from hookyard.store.events import EventDetail, EventRecord

__all__ = ["events"]

STATUSES = ["stored", "unparsed"]
#: Characters of an unparsed payload's error the table shows (``--json`` has all of it).
ERROR_CHARS = 100
COLUMNS = ("id", "source", "vendor", "type", "status", "received_at", "error")
#: The columns cut, widest first, for the table to fit the terminal.
SHRINK = (0, 1, 3, 6)


@click.group()
def events() -> None:
    """Events: list them, show one, re-parse the payloads kept as unparsed."""


def _cells(record: EventRecord) -> tuple[str, ...]:
    error = record.error.splitlines()[0] if record.error else ""
    if len(error) > ERROR_CHARS:
        error = error[: ERROR_CHARS - 1] + "…"
    received = _time(record.received_at)
    return (record.id, record.source, record.vendor, record.type, record.status, received, error)


def _time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else "-"


def _table(records: Sequence[EventRecord]) -> Iterator[str]:
    rows = [COLUMNS, *(_cells(record) for record in records)]
    return table(rows, width=terminal_width(), shrink=SHRINK, paint=state_painter(4))


@events.command("list")
@config_option
@filter_options(STATUSES, deliveries=False)
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(min=1, max=1_000_000),
    help="At most this many, newest first.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@user_errors
def list_events(config_path: str, filters: dict[str, Any], limit: int, as_json: bool) -> None:
    """List events and unparsed payloads, newest first (received_at in UTC)."""
    from hookyard.store.console import Filters

    async def fetch(store: Store) -> list[EventRecord]:
        return await store.events.list(limit=limit, filters=Filters(**filters))

    host = load_host(config_path)
    records = with_store(host, fetch)
    if as_json:
        for record in records:
            click.echo(dumps(host.converter.unstructure(record)))
        return
    if not records:
        of = f" of source {filters['source']!r}" if filters["source"] else ""
        click.echo(f"no {filters['status'] or ''} events{of}".replace("  ", " "))
        return
    for line in _table(records):
        click.echo(line)


@events.command("show")
@config_option
@click.argument("event_id", metavar="ID")
@click.option("--source", help="The event's source, when several have an event of that id.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@user_errors
def show(config_path: str, event_id: str, source: str | None, as_json: bool) -> None:
    """Show one event: its normalized form, its payload as received (an unparsed one's)
    and its deliveries."""
    host = load_host(config_path)
    found = with_store(host, lambda store: store.events.show(event_id, source))
    if not found:
        of = f" of source {source!r}" if source else ""
        fail(f"no event {event_id!r}{of}", 1)
    if len(found) > 1:
        sources = ", ".join(detail.event.source for detail in found)
        fail(f"sources {sources} each have an event {event_id!r}: say which with --source")
    [detail] = found
    if as_json:
        shown = host.converter.unstructure(detail)
        click.echo(dumps({**shown.pop("event"), "event": shown.pop("body"), **shown}))
        return
    for line in _detail(detail):
        click.echo(line)


def _detail(detail: EventDetail) -> Iterator[str]:
    from hookyard.cli.delivery_detail import delivery_table

    record = detail.event
    yield f"event {printable(record.id)} of source {printable(record.source)}"
    yield from fields(
        [
            ("vendor", record.vendor),
            ("type", record.type),
            ("status", record.status),
            ("received_at", _time(record.received_at)),
            ("occurred_at", _time(record.occurred_at)),
        ]
    )
    if record.error:
        yield "error:"
        yield from (f"  {printable(line)}" for line in record.error.splitlines())
    body = dict(detail.body or {})
    raw = body.pop("raw", None)
    if detail.body is not None:
        yield "normalized event:"
        yield from _indented(json.dumps(body, indent=2, ensure_ascii=False))
    if detail.payload is not None:
        yield "payload as received:"
        yield from _indented(detail.payload)
    elif raw is not None:
        yield "raw payload (as the vendor plugin kept it):"
        yield from _indented(json.dumps(raw, indent=2, ensure_ascii=False))
    else:
        yield "raw payload: not kept by the vendor plugin"
    if not detail.deliveries:
        if record.status == "stored":
            yield "deliveries: none (no route matched)"
        return
    yield "deliveries:"
    yield from (f"  {line}" for line in delivery_table(detail.deliveries, indent=2))


def _indented(text: str) -> Iterator[str]:
    return (f"  {printable(line)}" for line in text.splitlines())


@events.command("reparse")
@config_option
@click.argument("ids", nargs=-1)
@click.option("--source", help="Only unparsed payloads of this source.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON line per payload.")
@user_errors
def reparse(config_path: str, ids: tuple[str, ...], source: str | None, as_json: bool) -> None:
    """Parse unparsed payloads again with the vendor plugins installed now.

    Without IDS, every unparsed payload (of --source). What parses is routed and stored
    with its deliveries, and the payload is removed, in one transaction; what fails stays
    unparsed with its new error. A running hookyard delivers the new deliveries within its
    poll interval.

    Exit code 0 when every payload was reparsed (or there was none), 1 when one still
    fails, an ID is not an unparsed payload, or the database failed; 2 for a bad
    configuration or usage.
    """
    host = load_host(config_path)
    outcomes = with_store(host, lambda store: _reparse_all(host, store, ids, source))
    if as_json:
        for outcome in outcomes:
            click.echo(dumps(host.converter.unstructure(outcome)))
    if not _reported(outcomes, ids, source, quiet=as_json):
        raise SystemExit(1)


def _reported(
    outcomes: Sequence[Reparsed], ids: Sequence[str], source: str | None, *, quiet: bool
) -> bool:
    """Name what failed on stderr, sum up on stdout unless ``quiet``; True if nothing failed."""
    found = {outcome.id for outcome in outcomes}
    missing = [event_id for event_id in dict.fromkeys(ids) if event_id not in found]
    failed = [outcome for outcome in outcomes if outcome.result == "unparsed"]
    for outcome in failed:
        error = outcome.error.splitlines()[0] if outcome.error else ""
        click.echo(f"{outcome.id} (source {outcome.source}) still unparsed: {error}", err=True)
    of = f" of source {source!r}" if source else ""
    for event_id in missing:
        click.echo(f"{event_id}: not an unparsed payload{of}", err=True)
    if not quiet:
        nothing = "nothing reparsed" if ids else f"no unparsed payloads{of}"
        click.echo(_summary(outcomes) if outcomes else nothing)
    return not failed and not missing


async def _reparse_all(
    host: Host, store: Store, ids: Sequence[str], source: str | None
) -> list[Reparsed]:
    from hookyard.intake.reparse import Reparser

    reparser = Reparser(host.config, host.intake, store)
    wanted = list(ids) or None
    outcomes = []
    with progress(await reparser.count(source, wanted), "reparsing") as advance:
        async for payload in reparser.payloads(source, wanted):
            outcomes.append(await reparser.reparse(payload))
            advance(1)
    return outcomes


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _summary(outcomes: Sequence[Reparsed]) -> str:
    """``3 reparsed into 4 events, 1 still unparsed`` and what else happened."""
    done = [o for o in outcomes if o.result == "reparsed"]
    stored = sum(o.events for o in done)
    parts = [f"{len(done)} reparsed into {_plural(stored, 'event', 'events')}"]
    if duplicates := sum(o.duplicates for o in done):
        parts[0] += f" ({_plural(duplicates, 'duplicate', 'duplicates')} not stored again)"
    planned = sum(o.deliveries for o in done)
    parts.append(_plural(planned, "delivery planned", "deliveries planned"))
    parts.append(f"{sum(o.result == 'unparsed' for o in outcomes)} still unparsed")
    if gone := sum(o.result == "gone" for o in outcomes):
        parts.append(f"{gone} taken by another reparse")
    return ", ".join(parts)
