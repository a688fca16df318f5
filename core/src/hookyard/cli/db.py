"""``hookyard db``: the database schema."""

from __future__ import annotations

import click

from hookyard.cli.common import config_option, migrate, user_errors
from hookyard.host import load_setup

__all__ = ["db"]


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@config_option
@user_errors
def db_upgrade(config_path: str) -> None:
    """Apply database migrations (hookyard serve also does this at start)."""
    migrate(load_setup(config_path).config.database)
    click.echo("database is up to date")
