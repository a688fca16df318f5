"""The ``hookyard`` command: the group, and one module per command group beside it."""

from __future__ import annotations

import click

from hookyard.cli.check import check
from hookyard.cli.common import CONTEXT_SETTINGS
from hookyard.cli.db import db
from hookyard.cli.deliveries import deliveries
from hookyard.cli.events import events
from hookyard.cli.links import links
from hookyard.cli.new import new
from hookyard.cli.plugins import plugins
from hookyard.cli.reload import reload
from hookyard.cli.replay import replay
from hookyard.cli.route import route
from hookyard.cli.routetests import route_tests
from hookyard.cli.serve import serve, worker
from hookyard.cli.simulate import simulate
from hookyard.cli.sinks import sinks
from hookyard.cli.tail import tail

__all__ = ["main"]


@click.group(context_settings=CONTEXT_SETTINGS)
@click.version_option(package_name="hookyard")
def main() -> None:
    """hookyard: receive chat webhooks, normalize them, deliver them to sinks."""


COMMANDS = (
    serve,
    reload,
    worker,
    check,
    route,
    route_tests,
    replay,
    db,
    deliveries,
    events,
    links,
    sinks,
    tail,
    simulate,
    plugins,
    new,
)
for command in COMMANDS:
    main.add_command(command)
