"""``hookyard check``: validate a configuration file before deploying it."""

from __future__ import annotations

import click

from hookyard.cli.common import config_option, user_errors
from hookyard.host import load_setup

__all__ = ["check"]


@click.command()
@config_option
@user_errors
def check(config_path: str) -> None:
    """Validate a configuration file: structure, plugins, routes, templates.

    Lists every problem with its place and exits with status 2 when there is any.
    """
    config = load_setup(config_path).config
    click.echo(
        f"{config_path}: OK ({len(config.sources)} sources, {len(config.sinks)} sinks, "
        f"{len(config.routes)} routes)"
    )
