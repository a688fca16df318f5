"""``hookyard check``: validate a configuration file before deploying it."""

from __future__ import annotations

import os

import click

from hookyard.cli.common import DEFAULT_CONFIG, fail, user_errors
from hookyard.config import ConfigUnreadable
from hookyard.host import load_setup

__all__ = ["check"]


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(),  # a folder is reported as a file that cannot be read
    default=lambda: os.environ.get("HOOKYARD_CONFIG", DEFAULT_CONFIG),
    show_default=f"$HOOKYARD_CONFIG or {DEFAULT_CONFIG}",
    help="The configuration file.",
)
@user_errors
def check(config_path: str) -> None:
    """Validate a configuration file: structure, plugins, routes, templates.

    Lists every problem with its place and exits with status 2 when there is any.
    """
    try:
        config = load_setup(config_path).config
    except ConfigUnreadable as exc:
        fail(str(exc))
    click.echo(
        f"{config_path}: OK ({len(config.sources)} sources, {len(config.sinks)} sinks, "
        f"{len(config.routes)} routes)"
    )
