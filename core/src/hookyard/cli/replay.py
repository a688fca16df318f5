"""``hookyard replay``: a changed configuration's routes over the stored events, the
deliveries it would make differently, and (``--apply``) the backfill of those it adds."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from hookyard._json import dumps
from hookyard.cli.common import (
    WHEN,
    config_option,
    fail,
    load_host,
    printable,
    progress,
    table,
    terminal_width,
    user_errors,
    with_store,
)
from hookyard.config.structuring import did_you_mean

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import datetime

    from hookyard.host import Host
    from hookyard.replay import Applied, Example, Replayed, Report, RouteTally
    from hookyard.store import Store
    from hookyard.store.backfill import Window

__all__ = ["replay"]

#: Characters of one value (a param, a sink) an example shows; ``--json`` has all of it.
VALUE_CHARS = 60
COLUMNS = ("route", "added", "removed", "changed", "unchanged")


@click.command()
@config_option
@click.option(
    "--since", type=WHEN, required=True, help="Events received since: 30m, 24h, 7d or ISO time."
)
@click.option("--until", type=WHEN, help="Events received before: 30m, 24h, 7d or ISO time.")
@click.option("--source", help="Only events of this source.")
@click.option("--apply", is_flag=True, help="Enqueue the added deliveries (a backfill).")
@click.option("--json", "as_json", is_flag=True, help="Print the difference as one JSON object.")
@user_errors
def replay(
    config_path: str,
    since: datetime,
    until: datetime | None,
    source: str | None,
    apply: bool,
    as_json: bool,
) -> None:
    """Run the routes of --config over the events stored in its database and print what
    they would deliver differently from what was stored: deliveries added, removed and
    changed, per route, with counts and examples. Nothing is delivered.

    --config is the new configuration; its database must be the running hookyard's (it is
    usually the running file with changed routes). --apply enqueues the added deliveries for
    the running workers, with the idempotency keys intake would have given them, so a
    second --apply adds none.

    Exit code 0 when compared (a difference is not an error), 2 for an invalid
    configuration or usage, 1 when the database cannot be read.
    """
    from hookyard.store.backfill import Window

    # Each option reads the clock when it is parsed: 1h and 1h are microseconds apart.
    if until is not None and until - since < timedelta(seconds=1):
        raise click.UsageError("--until must be later than --since")
    host = load_host(config_path)
    sources = host.config.sources
    if source is not None and source not in sources:
        names = ", ".join(sorted(sources)) or "none"
        fail(
            f"--source: {config_path} has no source {source!r}{did_you_mean(source, sources)} "
            f"(sources: {names})"
        )
    _check_database(host, config_path)
    window = Window(since, until, source)
    replayed = with_store(
        host, lambda store: _replay(host, config_path, store, window, apply), migrate=False
    )
    if as_json:
        click.echo(dumps(_json(replayed, window, config_path, host)))
        return
    for line in _text(replayed, window, config_path):
        click.echo(line)


def _check_database(host: Host, config_path: str) -> None:
    """A SQLite file that is not there is not the running store: say so, never make one."""
    path = host.store.intake.sqlite_path
    if path is not None and not Path(path).exists():
        fail(f"{_where(host, config_path)} does not exist: {_NEEDED}", 1)


_NEEDED = "replay reads the stored events, so its database must be the running hookyard's"


def _where(host: Host, config_path: str) -> str:
    return f"the database of {config_path} ({host.store.display_url})"


async def _check_revision(host: Host, config_path: str) -> None:
    """The store must be a running hookyard's, as it is: replay never creates or migrates
    one, so an empty database, or one of another version, is refused."""
    from hookyard.store.engine import current_revision, head_revision
    from hookyard.store.errors import translated

    found, head = await translated(current_revision)(host.store.engine), head_revision()
    if found is None:
        fail(f"{_where(host, config_path)} holds no hookyard store: {_NEEDED}", 1)
    if found != head:
        fail(
            f"{_where(host, config_path)} is at revision {found}, this hookyard's is {head}: "
            "start hookyard serve (or run hookyard db upgrade) first",
            1,
        )


async def _replay(
    host: Host, config_path: str, store: Store, window: Window, apply: bool
) -> Replayed:
    from hookyard.replay import shadow_replay

    await _check_revision(host, config_path)
    label = "replaying and enqueueing" if apply else "replaying"
    return await shadow_replay(
        store, host.router, window, apply=apply, bar=lambda total: progress(total, label)
    )


def _json(replayed: Replayed, window: Window, config_path: str, host: Host) -> dict[str, Any]:
    applied = replayed.applied
    return {
        "config": config_path,
        "database": host.store.display_url,
        "since": window.since.isoformat(),
        "until": None if window.until is None else window.until.isoformat(),
        "source": window.source,
        **replayed.report.as_json(),
        "applied": None if applied is None else _applied_json(applied),
    }


def _applied_json(applied: Applied) -> dict[str, int]:
    return {
        "enqueued": applied.enqueued,
        "already": applied.already,
        "failed": applied.failed,
        "gated": applied.gated,
    }


def _moment(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _text(replayed: Replayed, window: Window, config_path: str) -> Iterator[str]:
    report = replayed.report
    received = f"received since {_moment(window.since)}"
    if window.until is not None:
        received += f" and before {_moment(window.until)}"
    of = f" of source {window.source}" if window.source else ""
    counted = _plural(report.events, "stored event", "stored events")
    yield printable(f"{counted}{of} {received} UTC, through the routes of {config_path}:")
    tallies = report.ordered()
    if not tallies:
        yield "no route delivers any of them, before or now"
    else:
        yield from _table(report, tallies)
        yield from _examples(tallies, config_path)
    if replayed.applied is not None:
        yield from _applied(replayed.applied)


def _table(report: Report, tallies: list[RouteTally]) -> Iterator[str]:
    rows = [COLUMNS, *((t.route, *map(str, t.counts.values())) for t in tallies)]
    rows.append(("all routes", *map(str, report.totals().values())))
    yield from table(rows, width=terminal_width(), shrink=(0,), right=(1, 2, 3, 4))
    if not any(tally.differs for tally in tallies):
        yield "no difference: every route delivers what was stored"


def _examples(tallies: list[RouteTally], config_path: str) -> Iterator[str]:
    """Per route that differs: its counts, then up to three examples of each kind."""
    width = terminal_width()
    for tally in tallies:
        if not tally.differs:
            continue
        counts = ", ".join(f"{tally.counts[k]} {k}" for k in tally.examples if tally.counts[k])
        gone = "" if tally.configured else f" (no longer a route of {config_path})"
        yield ""
        yield printable(f"{tally.route}: {counts}{gone}")
        for kind, examples in tally.examples.items():
            for example in examples:
                line = printable(f"  {kind:<7}  {example.event} ({example.source})  ")
                line += printable(_what(example))
                yield line if width is None or len(line) <= width else line[: width - 1] + "…"
            if (more := tally.counts[kind] - len(examples)) > 0:
                yield f"  {kind:<7}  … and {more} more"


def _what(example: Example) -> str:
    """What an example does differently, each value cut to :data:`VALUE_CHARS`."""
    change = example.change
    if change.planned is not None and change.stored is None:
        planned = change.planned
        delivers = f"{planned.sink}.{planned.action}"
        if planned.error is not None:
            return f"{delivers} fails: {planned.error}"
        if planned.gate is not None:
            delivers += f" ({planned.gate.kind} {_value(planned.gate.key)})"
        if planned.gate is not None and planned.gate.kind == "group":
            return f"{delivers} rendered when the group is delivered"
        return f"{delivers} {_value(planned.params)}"
    if change.stored is not None and change.planned is None:
        stored = change.stored
        return f"was {stored.sink}.{stored.action} (delivery {stored.id}, {stored.status})"
    return "; ".join(f"{d.key}: {_value(d.old)} → {_value(d.new)}" for d in change.differences)


def _value(value: Any) -> str:
    text = dumps(value)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def _applied(applied: Applied) -> Iterator[str]:
    yield ""
    if applied.failed:
        added = _plural(applied.failed, "added delivery", "added deliveries")
        their = "its templates fail" if applied.failed == 1 else "their templates fail"
        yield f"{added} not enqueued: {their} now (the examples say how)"
    if applied.gated:
        added = _plural(applied.gated, "added delivery", "added deliveries")
        yield (
            f"{added} of routes with dedup, throttle or group went through the gate as if "
            "their events arrived now: some may be kept as suppressed or grouped "
            "(deliveries list --status)"
        )
    were = "was" if applied.already == 1 else "were"
    yield (
        f"enqueued {_plural(applied.enqueued, 'delivery', 'deliveries')} "
        f"({applied.already} {were} already there)"
    )
