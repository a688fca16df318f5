"""``hookyard db``: the database schema, and purging old finished work."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from hookyard.cli.common import config_option, load_host, migrate, user_errors, with_store
from hookyard.config import Seconds, make_converter
from hookyard.host import load_setup

if TYPE_CHECKING:
    from hookyard.store import Store
    from hookyard.store.retention import Purged

__all__ = ["db"]


def _duration(_ctx: click.Context, _param: click.Parameter, value: str) -> float:
    """A duration as configuration options take it (``30d``, ``12h``), more than 0."""
    try:
        seconds: float = make_converter().structure(value, Seconds)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    if not seconds > 0:
        raise click.BadParameter(f"must be more than 0, got {value!r}")
    return seconds


@click.group()
def db() -> None:
    """Database schema and retention."""


@db.command("upgrade")
@config_option
@user_errors
def db_upgrade(config_path: str) -> None:
    """Apply database migrations (hookyard serve also does this at start)."""
    migrate(load_setup(config_path).config.database)
    click.echo("database is up to date")


@db.command("purge")
@click.option(
    "--older-than",
    "age",
    metavar="DURATION",
    required=True,
    callback=_duration,
    help="Remove what finished longer ago than this (30d, 12h): delivered events with "
    "their deliveries and attempts, dead deliveries, unparsed payloads, and the kept "
    "deliveries' attempts but each one's latest.",
)
@click.option("--dry-run", is_flag=True, help="Count what would be removed; remove nothing.")
@config_option
@user_errors
def db_purge(age: float, dry_run: bool, config_path: str) -> None:
    """Remove old delivered events, dead deliveries, unparsed payloads and attempts, once.

    The retention rule with one age for every kind (docs/operations.md#storage-growth):
    an event with a pending or delivering delivery is never removed, nor a delivery's
    latest attempt.
    """
    from hookyard.store.retention import Ages

    ages = Ages(delivered=age, dead=age, unparsed=age, attempts=age, links=age)

    async def purge(store: Store) -> Purged:
        counted = await store.retention.purge(ages, dry_run=True)
        if dry_run:
            return counted
        if counted.items < 2 or not sys.stderr.isatty():
            return await store.retention.purge(ages)
        with click.progressbar(length=counted.items, label="purging", file=sys.stderr) as bar:
            return await store.retention.purge(ages, progress=bar.update)

    purged = with_store(load_host(config_path), purge)
    click.echo(f"{'would remove' if dry_run else 'removed'} {purged.describe()}")
