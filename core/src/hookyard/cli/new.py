"""``hookyard new sink NAME``: write a complete sink plugin package to start from."""

from __future__ import annotations

from pathlib import Path

import click

from hookyard.cli.common import fail, user_errors
from hookyard.scaffold import SinkNames, write_sink_package

__all__ = ["new"]


@click.group()
def new() -> None:
    """Start a plugin package."""


@new.command("sink")
@click.argument("name")
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write it (default: ./hookyard-NAME); must not exist or be empty.",
)
@user_errors
def new_sink(name: str, folder: Path | None) -> None:
    """Write a sink plugin package for NAME: pyproject with the entry point, README, an attrs
    config, one action with a parameter class, and tests that pass as written."""
    from hookyard.plugins import BUILTIN_PLUGINS, collect_registry, get_plugin_manager

    registry = collect_registry(get_plugin_manager([]))
    taken = {*BUILTIN_PLUGINS, *registry.sinks, *registry.vendors, *registry.owners.values()}
    try:
        names = SinkNames(name, taken)
    except ValueError as exc:
        fail(str(exc))
    target = folder if folder is not None else Path(names.distribution)
    try:
        written = write_sink_package(names, target)
    except (FileExistsError, OSError) as exc:
        fail(str(exc), 1)
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(
        f"\nnext: pip install -e '{target}[test]' && python -m pytest {target}\n"
        f"then route to it with `plugin: {names.sink}` (docs/plugins.md, 'Writing a sink')"
    )
