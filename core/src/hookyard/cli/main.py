"""The ``hookyard`` command."""

from __future__ import annotations

import asyncio
import json
import logging
import signal

import attrs
import click

from hookyard.cli.common import config_option, load_host, migrate, run_async, user_errors
from hookyard.cli.deliveries import deliveries
from hookyard.cli.simulate import simulate
from hookyard.host import load_setup
from hookyard.plugins import get_plugin_manager, list_plugins

__all__ = ["main"]

log_level_option = click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"]),
    help="The least severe log messages to print.",
)


def _setup_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)


@click.group()
@click.version_option(package_name="hookyard")
def main() -> None:
    """hookyard: receive chat webhooks, normalize them, deliver them to sinks."""


@main.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--workers/--no-workers",
    default=True,
    show_default=True,
    help="Also run delivery workers in this process.",
)
@log_level_option
@user_errors
def serve(config_path: str, host: str, port: int, workers: bool, log_level: str) -> None:
    """Receive webhooks on http://HOST:PORT/hooks/SOURCE (and deliver them)."""
    import uvicorn

    from hookyard.observability.sentry import init_sentry
    from hookyard.web.app import create_app

    _setup_logging(log_level)
    hookyard_host = load_host(config_path)
    migrate(hookyard_host.config.database)  # a clear error here beats one inside uvicorn
    init_sentry(hookyard_host.config.sentry, with_litestar=True)
    app = create_app(hookyard_host, workers=workers)
    click.echo(f"hookyard: listening on http://{host}:{port} with {config_path}", err=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        timeout_graceful_shutdown=int(hookyard_host.config.workers.shutdown_grace) + 5,
    )


@main.command()
@config_option
@log_level_option
@user_errors
def worker(config_path: str, log_level: str) -> None:
    """Run delivery workers only (no HTTP intake); stops on SIGINT or SIGTERM."""
    from hookyard.observability.sentry import init_sentry

    _setup_logging(log_level)
    hookyard_host = load_host(config_path)
    init_sentry(hookyard_host.config.sentry, with_litestar=False)

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await hookyard_host.start(intake=False, workers=True)
        click.echo("hookyard: worker running; Ctrl-C stops it", err=True)
        await stop.wait()
        await hookyard_host.stop()

    run_async(run())


@main.command()
@config_option
@user_errors
def check(config_path: str) -> None:
    """Validate a configuration file: structure, plugins, routes, templates."""
    config = load_setup(config_path).config
    click.echo(
        f"{config_path}: OK ({len(config.sources)} sources, {len(config.sinks)} sinks, "
        f"{len(config.routes)} routes)"
    )


@main.command()
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
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False))
            + "  "
            + row[4]
        )


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@config_option
@user_errors
def db_upgrade(config_path: str) -> None:
    """Apply database migrations (hookyard serve also does this at start)."""
    migrate(load_setup(config_path).config.database)
    click.echo("database is up to date")


main.add_command(deliveries)
main.add_command(simulate)
