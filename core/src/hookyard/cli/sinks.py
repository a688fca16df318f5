"""``hookyard sinks``: each sink's state (paused, breaker), queue depth, and resuming one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from hookyard._json import dumps
from hookyard.cli.common import (
    config_option,
    fail,
    load_host,
    table,
    user_errors,
    with_store,
)

if TYPE_CHECKING:
    from datetime import datetime

    from hookyard.store import Store
    from hookyard.store.deliveries import SinkOverview

__all__ = ["sinks"]

COLUMNS = ("sink", "plugin", "state", "queued", "oldest due")


def _time(value: datetime | None) -> str:
    return "-" if value is None else value.strftime("%Y-%m-%d %H:%M:%S")


def _state(found: SinkOverview) -> str:
    if found.until is None:
        return found.state
    return f"{found.state} until {_time(found.until)}"


@click.group(invoke_without_command=True)
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line per sink.")
@click.pass_context
@user_errors
def sinks(ctx: click.Context, config_path: str, as_json: bool) -> None:
    """List the configured sinks: state (active, paused until, breaker open until,
    half-open), deliveries queued (pending or delivering), the oldest due one (UTC)."""
    if ctx.invoked_subcommand is not None:
        return
    host = load_host(config_path)
    names = list(host.config.sinks)

    async def fetch(store: Store) -> list[SinkOverview]:
        return await store.deliveries.sinks(names)

    found = with_store(host, fetch)
    if as_json:
        for sink in found:
            plugin = host.config.sinks[sink.sink].plugin
            click.echo(dumps({**host.converter.unstructure(sink), "plugin": plugin}))
        return
    if not found:
        click.echo("no sinks configured")
        return
    rows = [COLUMNS] + [
        (s.sink, host.config.sinks[s.sink].plugin, _state(s), str(s.queued), _time(s.oldest_due))
        for s in found
    ]
    for line in table(rows):
        click.echo(line)


@sinks.command("resume")
@config_option
@click.argument("name")
@user_errors
def resume(config_path: str, name: str) -> None:
    """Clear NAME's pause (Retry-After) or close its open breaker: deliveries go on now."""
    host = load_host(config_path)
    if name not in host.config.sinks:
        known = ", ".join(sorted(host.config.sinks)) or "none"
        fail(f"no sink named {name!r} in {config_path} (sinks: {known})", 1)

    async def clear(store: Store) -> SinkOverview | None:
        return await store.deliveries.resume_sink(name)

    before = with_store(host, clear)
    if before is None:
        click.echo(f"sink {name} is active; nothing to resume")
    else:
        click.echo(f"sink {name} resumed (was {_state(before)})")
