"""``hookyard serve`` and ``hookyard worker``: the long-running commands."""

from __future__ import annotations

import asyncio
import signal
import socket
from typing import TYPE_CHECKING

import click

from hookyard.cli.common import (
    config_option,
    fail,
    load_host,
    log_level_option,
    migrate,
    run_async,
    user_errors,
)
from hookyard.observability.logs import setup_logging

if TYPE_CHECKING:
    import uvicorn

__all__ = ["serve", "worker"]


#: Pending connections the kernel queues for us (uvicorn's default).
BACKLOG = 2048


def _listen(host: str, port: int) -> socket.socket:
    """A socket listening on HOST:PORT, made as uvicorn makes its own; else a one-line error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP;
    # without it Nagle's algorithm and delayed ACKs add 40 ms to every answer.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        reason = exc.strerror or str(exc)
        fail(f"cannot listen on {_address(host, port)}: {reason[:1].lower()}{reason[1:]}", 1)
    sock.set_inheritable(True)
    return sock


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _announcing_server(config: uvicorn.Config, announcement: str) -> uvicorn.Server:
    """A uvicorn server that prints ``announcement`` once it serves (the app has started)."""
    import uvicorn

    class AnnouncingServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                click.echo(announcement, err=True)

    return AnnouncingServer(config)


@click.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free one).",
)
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
    with _listen(host, port) as sock:  # a busy port, too
        init_sentry(hookyard_host.config.sentry, with_litestar=True)
        config = uvicorn.Config(
            create_app(hookyard_host, workers=workers),
            log_level=log_level,
            access_log=False,
            # uvloop and httptools: about half the CPU per request of asyncio's loop and h11
            # (bench/stacks.py, docs/benchmarks.md "Server stack and HTTP client"). "auto" is
            # uvloop wherever it installs (a dependency, except on Windows), else asyncio's.
            loop="auto",
            http="httptools",
            # The TCP peer is the caller: allow_ips believes X-Forwarded-For only from
            # server.trusted_proxy, never uvicorn's own default of trusting 127.0.0.1.
            proxy_headers=False,
            timeout_graceful_shutdown=int(hookyard_host.config.workers.shutdown_grace) + 5,
        )
        url = f"http://{_address(host, sock.getsockname()[1])}"
        announcement = f"hookyard: listening on {url} with {config_path}"
        _announcing_server(config, announcement).run(sockets=[sock])


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
