"""``hookyard deliveries``: see what was delivered and what is dead, one delivery in full
with its attempts, retry dead ones and replay any."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from hookyard._json import dumps
from hookyard.cli.common import (
    ROW_ID,
    WHEN,
    config_option,
    fail,
    filter_options,
    load_host,
    progress,
    user_errors,
    with_store,
)
from hookyard.cli.delivery_detail import delivery_table, detail_lines, why_of

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from hookyard.store import Store
    from hookyard.store.console import Filters, Replayed
    from hookyard.store.deliveries import DeliveryRecord

__all__ = ["deliveries"]

#: The states ``--status`` takes; the last two are never attempted (delivery_detail.py).
STATUSES = ["pending", "delivering", "delivered", "dead", "suppressed", "grouped"]
FILTER_FIELDS = ("source", "type", "chat", "status", "since", "until", "sink", "route")


@click.group()
def deliveries() -> None:
    """Deliveries: list them, show one, retry dead ones, replay any."""


@deliveries.command("list")
@config_option
@filter_options(STATUSES, deliveries=True)
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(min=1, max=1_000_000),
    help="At most this many, newest first.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@user_errors
def list_deliveries(config_path: str, filters: dict[str, Any], limit: int, as_json: bool) -> None:
    """List deliveries, newest first (made: when it was planned, month-day hour:minute
    in UTC; --json has the full times)."""
    from hookyard.store.console import Filters

    async def fetch(store: Store) -> list[DeliveryRecord]:
        return await store.deliveries.list(limit=limit, filters=Filters(**filters))

    host = load_host(config_path)
    records = with_store(host, fetch)
    if as_json:
        for record in records:
            click.echo(dumps(host.converter.unstructure(record)))
        return
    if not records:
        click.echo(f"no {filters['status'] or ''} deliveries".replace("  ", " "))
        return
    for line in delivery_table(records):
        click.echo(line)


@deliveries.command("show")
@config_option
@click.argument("delivery_id", metavar="ID", type=ROW_ID)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@user_errors
def show(config_path: str, delivery_id: int, as_json: bool) -> None:
    """Show one delivery: its event, rendered params, why it exists (its route, what it
    matched, the gate that held or grouped it) and every attempt with its time, outcome,
    status, latency, response and error."""
    host = load_host(config_path)
    detail = with_store(host, lambda store: store.deliveries.show(delivery_id))
    if detail is None:
        fail(f"delivery {delivery_id} does not exist", 1)
    why = why_of(host, detail)
    if as_json:
        shown = host.converter.unstructure(detail)
        parts = {name: shown[name] for name in ("params", "event", "attempts")}
        click.echo(dumps({**shown["delivery"], **parts, "why": why}))
        return
    for line in detail_lines(detail, why):
        click.echo(line)


@deliveries.command("retry")
@config_option
@click.argument("ids", nargs=-1, type=ROW_ID)
@click.option("--all-dead", is_flag=True, help="Retry every dead delivery.")
@user_errors
def retry(config_path: str, ids: tuple[int, ...], all_dead: bool) -> None:
    """Make dead deliveries due again now, with a fresh attempt budget.

    Their attempts so far are kept; the next one is numbered on from them. A running
    hookyard (serve or worker) picks them up within its poll interval.
    """
    if bool(ids) == all_dead:
        raise click.UsageError("name delivery ids or say --all-dead (not both)")

    async def requeue(store: Store) -> tuple[list[int], list[int]]:
        retried = await store.deliveries.retry(None if all_dead else list(ids))
        found = await store.deliveries.list(ids=list(ids), limit=len(ids)) if ids else []
        return retried, [r.id for r in found if r.id not in retried]

    retried, not_dead = with_store(load_host(config_path), requeue)
    missing = sorted(set(ids) - set(retried) - set(not_dead))
    click.echo(f"{len(retried)} delivery(ies) queued again: {', '.join(map(str, retried)) or '-'}")
    for delivery_id in not_dead:
        click.echo(f"delivery {delivery_id} is not dead; left as it is", err=True)
    for delivery_id in missing:
        click.echo(f"delivery {delivery_id} does not exist", err=True)
    if missing:
        raise SystemExit(1)


def _filters(given: Sequence[str]) -> Filters:
    """``--filter FIELD=VALUE`` options as the filters of ``deliveries list``."""
    from hookyard.store.console import Filters

    picked: dict[str, Any] = {}
    for text in given:
        name, equals, value = text.partition("=")
        if not equals or name not in FILTER_FIELDS:
            known = ", ".join(FILTER_FIELDS)
            raise click.BadParameter(f"{text!r} is not FIELD=VALUE, FIELD one of {known}")
        if name in ("since", "until"):
            picked[name] = WHEN.convert(value, None, None)
        elif name == "status" and value not in STATUSES:
            raise click.BadParameter(f"status {value!r} is not one of {', '.join(STATUSES)}")
        else:
            picked[name] = value
    return Filters(**picked)


@deliveries.command("replay")
@config_option
@click.argument("ids", nargs=-1, type=ROW_ID)
@click.option(
    "--filter",
    "given",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Replay every delivery these pick (repeat it): the filters of deliveries list, "
    "e.g. --filter sink=slack --filter status=dead --filter since=2h.",
)
@user_errors
def replay(config_path: str, ids: tuple[int, ...], given: tuple[str, ...]) -> None:
    """Deliver deliveries again, delivered and suppressed ones included: due now, with a
    fresh attempt budget and the same idempotency key.

    Their attempts so far are kept and the next is numbered on. A delivery being delivered
    now is left as it is, and so is a grouped one (its group's head delivers its event:
    replay that). A running hookyard (serve or worker) picks them up within its
    poll interval. Exit code 1 when a delivery named does not exist.
    """
    if bool(ids) == bool(given):
        raise click.UsageError("name delivery ids or say --filter (not both)")
    filters = _filters(given) if given else None
    outcome = with_store(load_host(config_path), lambda store: _replay_all(store, ids, filters))
    replayed, in_flight = outcome.replayed, outcome.in_flight
    if filters is not None and not replayed and not in_flight and not outcome.grouped:
        click.echo("no deliveries match")
        return
    named = f": {', '.join(map(str, replayed)) or '-'}" if ids else ""
    click.echo(f"{len(replayed)} delivery(ies) replayed{named}")
    for delivery_id in in_flight:
        click.echo(f"delivery {delivery_id} is being delivered now; left as it is", err=True)
    _grouped_left(outcome.grouped, each=bool(ids))
    missing = sorted(set(ids) - set(replayed) - set(in_flight) - set(outcome.grouped))
    for delivery_id in missing:
        click.echo(f"delivery {delivery_id} does not exist", err=True)
    if missing:
        raise SystemExit(1)


def _grouped_left(grouped: Mapping[int, int], *, each: bool) -> None:
    """Say on stderr that grouped deliveries were left: their group's head delivers them."""
    if not grouped:
        return
    if not each:
        what = f"{len(grouped)} grouped delivery(ies) left as they are"
        click.echo(f"{what}: their group's head delivers their events", err=True)
        return
    for delivery_id, head in grouped.items():
        into = f"delivery {delivery_id} is grouped into delivery {head}"
        click.echo(f"{into}, which delivers its event: replay {head}; left as it is", err=True)


async def _replay_all(store: Store, ids: Sequence[int], filters: Filters | None) -> Replayed:
    from hookyard.store.console import REPLAY_BATCH, Replayed

    wanted = sorted(set(ids)) if filters is None else await store.deliveries.matching(filters)
    replayed: list[int] = []
    in_flight: list[int] = []
    grouped: dict[int, int] = {}
    with progress(len(wanted), "replaying") as advance:
        for start in range(0, len(wanted), REPLAY_BATCH):
            batch = wanted[start : start + REPLAY_BATCH]
            done = await store.deliveries.replay(batch)
            replayed += done.replayed
            in_flight += done.in_flight
            grouped.update(done.grouped)
            advance(len(batch))
    return Replayed(replayed, in_flight, grouped)
