"""``hookyard plugins``: what is installed, and the names configs use."""

from __future__ import annotations

import json

import attrs
import click

from hookyard.cli.common import table, user_errors
from hookyard.plugins import get_plugin_manager, list_plugins

__all__ = ["plugins"]


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@user_errors
def plugins(as_json: bool) -> None:
    """List loaded plugins: the vendors and sinks each registers (what configs name),
    its distribution, version and hooks."""
    infos = list_plugins(get_plugin_manager())
    if as_json:
        click.echo(json.dumps([attrs.asdict(info) for info in infos], indent=2))
        return
    rows = [("plugin", "registers", "distribution", "version", "hooks")]
    for info in infos:
        names = [f"vendor {n}" for n in info.vendors] + [f"sink {n}" for n in info.sinks]
        rows.append(
            (
                info.name,
                ", ".join(names) or "-",
                info.distribution,
                info.version,
                ", ".join(info.hooks),
            )
        )
    for line in table(rows):
        click.echo(line)
