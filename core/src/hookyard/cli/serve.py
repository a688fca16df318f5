"""``hookyard serve`` and ``hookyard worker``: the long-running commands."""

from __future__ import annotations

import asyncio
import signal

import click

from hookyard.cli.common import (
    config_option,
    load_host,
    log_level_option,
    migrate,
    run_async,
    user_errors,
)
from hookyard.observability.logs import setup_logging

__all__ = ["serve", "worker"]


@click.command()
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

    setup_logging(log_level)
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


@click.command()
@config_option
@log_level_option
@user_errors
def worker(config_path: str, log_level: str) -> None:
    """Run delivery workers only (no HTTP intake); stops on SIGINT or SIGTERM."""
    from hookyard.observability.sentry import init_sentry

    setup_logging(log_level)
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
