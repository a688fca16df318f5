"""``hookyard deliveries``: see what was delivered, what is dead, and retry it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from hookyard._json import dumps
from hookyard.cli.common import config_option, load_host, user_errors, with_store

if TYPE_CHECKING:
    from hookyard.store import Store
    from hookyard.store.deliveries import DeliveryRecord

__all__ = ["deliveries"]

STATUSES = ["pending", "delivering", "delivered", "dead"]


@click.group()
def deliveries() -> None:
    """Deliveries: list them, retry dead ones."""


def _line(record: DeliveryRecord) -> str:
    error = f"  {record.last_error}" if record.last_error else ""
    return (
        f"{record.id:>6}  {record.status:<10} {record.attempts:>3}  {record.sink:<16} "
        f"{record.route:<24} {record.source}/{record.event_type}{error}"
    )


@deliveries.command("list")
@config_option
@click.option("--status", type=click.Choice(STATUSES), help="Only deliveries in this state.")
@click.option("--limit", default=50, show_default=True, help="At most this many, newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
@user_errors
def list_deliveries(config_path: str, status: str | None, limit: int, as_json: bool) -> None:
    """List deliveries, newest first."""

    async def fetch(store: Store) -> list[DeliveryRecord]:
        return await store.deliveries.list(status=status, limit=limit)

    host = load_host(config_path)
    records = with_store(host, fetch)
    if as_json:
        for record in records:
            click.echo(dumps(host.converter.unstructure(record)))
        return
    if not records:
        click.echo(f"no {status or ''} deliveries".replace("  ", " "))
        return
    click.echo(f"{'id':>6}  {'status':<10} {'try':>3}  {'sink':<16} {'route':<24} event")
    for record in records:
        click.echo(_line(record))


@deliveries.command("retry")
@config_option
@click.argument("ids", nargs=-1, type=int)
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
