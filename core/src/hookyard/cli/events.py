"""``hookyard events``: see what was received, and re-parse the payloads kept as unparsed."""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, Any

import click

from hookyard._json import dumps
from hookyard.cli.common import config_option, load_host, table, user_errors, with_store

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from hookyard.host import Host
    from hookyard.intake.reparse import Reparsed
    from hookyard.store import Store
    from hookyard.store.events import EventRecord

__all__ = ["events"]

STATUSES = ["stored", "unparsed"]
#: Characters of an unparsed payload's error the table shows (``--json`` has all of it).
ERROR_CHARS = 100
COLUMNS = ("id", "source", "vendor", "type", "status", "received_at", "error")


@click.group()
def events() -> None:
    """Events: list them, re-parse the payloads kept as unparsed."""


def _cells(record: EventRecord) -> tuple[str, ...]:
    error = record.error.splitlines()[0] if record.error else ""
    if len(error) > ERROR_CHARS:
        error = error[: ERROR_CHARS - 1] + "…"
    received = record.received_at.strftime("%Y-%m-%d %H:%M:%S")
    return (record.id, record.source, record.vendor, record.type, record.status, received, error)


def _table(records: Sequence[EventRecord]) -> Iterator[str]:
    return table([COLUMNS, *(_cells(record) for record in records)])


@events.command("list")
@config_option
@click.option("--status", type=click.Choice(STATUSES), help="Only events in this state.")
@click.option("--source", help="Only events of this source.")
@click.option("--limit", default=50, show_default=True, help="At most this many, newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@user_errors
def list_events(
    config_path: str, status: str | None, source: str | None, limit: int, as_json: bool
) -> None:
    """List events and unparsed payloads, newest first (received_at in UTC)."""

    async def fetch(store: Store) -> list[EventRecord]:
        return await store.events.list(status=status, source=source, limit=limit)

    host = load_host(config_path)
    records = with_store(host, fetch)
    if as_json:
        for record in records:
            click.echo(dumps(host.converter.unstructure(record)))
        return
    if not records:
        of = f" of source {source!r}" if source else ""
        click.echo(f"no {status or ''} events{of}".replace("  ", " "))
        return
    for line in _table(records):
        click.echo(line)


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
    with _progress(await reparser.count(source, wanted)) as advance:
        async for payload in reparser.payloads(source, wanted):
            outcomes.append(await reparser.reparse(payload))
            advance()
    return outcomes


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Any]:
    """A progress bar on stderr when it is a terminal and there is more than one payload."""
    if total < 2 or not sys.stderr.isatty():
        yield lambda: None
        return
    with click.progressbar(length=total, label="reparsing", file=sys.stderr) as bar:
        yield lambda: bar.update(1)


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
