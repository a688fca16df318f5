"""``hookyard serve`` and ``hookyard worker``: the long-running commands."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    from collections.abc import Callable

    import uvicorn

    from hookyard.host import Host

__all__ = ["serve", "worker"]


#: Seconds an idle keep-alive connection stays open.
KEEP_ALIVE = 75
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
    return sock


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _announcing_server(
    config: uvicorn.Config, announcement: str, started: Callable[[], None]
) -> uvicorn.Server:
    """A uvicorn server that calls ``started`` and prints ``announcement`` once it serves
    (the app has started)."""
    import uvicorn

    class AnnouncingServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:
                started()
                click.echo(announcement, err=True)

    return AnnouncingServer(config)


class _WorkerProcesses(click.ParamType):  # type: ignore[type-arg]
    """``auto`` (None) or a number of processes from 0."""

    name = "auto|N"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int | None:
        if value is None or value == "auto":
            return None
        try:
            count = int(str(value))
        except ValueError:
            count = -1
        if not 0 <= count <= MAX_WORKER_PROCESSES:
            self.fail(f"expected auto or 0 to {MAX_WORKER_PROCESSES}, got {value!r}", param, ctx)
        return count


WORKER_PROCESSES = _WorkerProcesses()
MAX_WORKER_PROCESSES = 64


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
    "--workers",
    "worker_processes",
    default="auto",
    show_default=True,
    type=WORKER_PROCESSES,
    metavar="auto|N",
    help="Delivery worker processes beside intake: auto is one per core but one (none on "
    "one core, where this process delivers too); 0 delivers nothing.",
)
@click.option("--no-workers", is_flag=True, help="Intake only: the same as --workers 0.")
@log_level_option
@user_errors
def serve(
    config_path: str,
    host: str,
    port: int,
    worker_processes: int | None,
    no_workers: bool,
    log_level: str,
) -> None:
    """Receive webhooks on http://HOST:PORT/hooks/SOURCE (and deliver them)."""
    setup_logging(log_level)
    count, in_process = _delivery_plan(0 if no_workers else worker_processes)
    shared_metrics = _share_metrics() if count > 0 else None  # before prometheus-client
    # is imported: it reads the variable then

    try:
        from hookyard.cli.reload import Reloads, ServeRecord, load_text
        from hookyard.delivery.processes import WorkerProcesses
        from hookyard.host import Host
        from hookyard.observability.sentry import init_sentry
        from hookyard.web.app import create_app

        text, setup = load_text(config_path)  # the worker processes get the same text
        hookyard_host = Host(setup)
        migrate(hookyard_host.config.database)  # a clear error here beats one inside uvicorn
        if count > 0:
            stop_timeout = hookyard_host.config.workers.shutdown_grace + 5
            hookyard_host.worker_processes = WorkerProcesses(
                config_path, count, log_level, stop_timeout, text, shared_metrics
            )
        with _listen(host, port) as sock:  # a busy port, too
            init_sentry(hookyard_host.config.sentry, with_litestar=True)
            app = create_app(hookyard_host, workers=in_process)
            config = _uvicorn_config(app, log_level, hookyard_host.config.workers.shutdown_grace)
            url = f"http://{_address(host, sock.getsockname()[1])}"
            announcement = f"hookyard: listening on {url} with {config_path}"
            if count > 0:
                plural = "es" if count > 1 else ""
                announcement += f"\nhookyard: delivering in {count} worker process{plural}"
            elif not in_process:
                announcement += "\nhookyard: intake only; this process runs no delivery workers"
            record = ServeRecord(config_path, url)  # SIGHUP reloads once it serves
            reloads = Reloads(hookyard_host, config_path, record)
            try:
                _announcing_server(config, announcement, reloads.listen).run(sockets=[sock])
            finally:
                record.close()
    finally:  # the worker processes remove it when they stop; this is for a failed start
        if shared_metrics is not None:
            shutil.rmtree(shared_metrics, ignore_errors=True)


def _delivery_plan(worker_processes: int | None) -> tuple[int, bool]:
    """How many worker processes to start, and whether this process delivers too:
    ``None`` (auto) is one per usable core but one, or this process on one core."""
    if worker_processes is not None:
        return worker_processes, False
    count = usable_cores() - 1
    return count, count == 0


def _uvicorn_config(app: Any, log_level: str, shutdown_grace: float) -> uvicorn.Config:
    import uvicorn

    return uvicorn.Config(
        app,
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
        timeout_graceful_shutdown=int(shutdown_grace) + 5,
        # A sender's pool reuses an idle connection at the moment uvicorn's 5 s default
        # closes it, and that request fails unanswered; 75 s (nginx's default) outlasts
        # the idle time of most senders' pools.
        timeout_keep_alive=KEEP_ALIVE,
    )


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), else the machine's."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


METRICS_FOLDER = "hookyard-metrics-"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's
        return True
    return True


def _share_metrics() -> str | None:
    """Make ``GET /metrics`` count what the worker processes did too: prometheus-client's
    multiprocess mode, in a new folder of this run's unless one is set; returns that."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return None
    for left in Path(tempfile.gettempdir()).glob(f"{METRICS_FOLDER}*-*"):
        owner = left.name.removeprefix(METRICS_FOLDER).split("-")[0]
        if owner.isdigit() and not _running(int(owner)):  # a serve that was killed
            shutil.rmtree(left, ignore_errors=True)
    folder = tempfile.mkdtemp(prefix=f"{METRICS_FOLDER}{os.getpid()}-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    return folder


@click.command()
@config_option
@log_level_option
@click.option(
    "--serve-child",
    is_flag=True,
    hidden=True,
    help="Take the configuration, wake-ups and reloads from serve on stdin; stop when it closes.",
)
@user_errors
def worker(config_path: str, log_level: str, serve_child: bool) -> None:
    """Run delivery workers only (no HTTP intake); stops on SIGINT or SIGTERM, reloads its
    configuration on SIGHUP."""
    setup_logging(log_level)
    run_async(_serve_child(config_path) if serve_child else _worker(config_path))


async def _worker(config_path: str) -> None:
    from hookyard.cli.reload import Reloads

    stop = _stop_on_signals()
    hookyard_host = load_host(config_path)

    def started() -> None:
        Reloads(hookyard_host, config_path).listen()
        click.echo("hookyard: worker running; Ctrl-C stops it", err=True)

    await _deliver(hookyard_host, stop, started)


async def _serve_child(config_path: str) -> None:
    """``serve``'s worker process, on the configuration ``serve`` sends it; see
    :mod:`hookyard.delivery.processes`."""
    from hookyard.cli.reload import Reloads, load_text
    from hookyard.delivery.processes import Inbox
    from hookyard.host import Host

    stop, arrived = _stop_on_signals(), asyncio.Event()
    texts: list[str] = []

    def configured(text: str) -> None:
        texts.append(text)
        arrived.set()

    inbox = Inbox()
    inbox.on_config, inbox.on_close = configured, stop.set
    await asyncio.get_running_loop().connect_read_pipe(lambda: inbox, sys.stdin)
    waits = [asyncio.ensure_future(event.wait()) for event in (arrived, stop)]
    await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    for wait in waits:
        wait.cancel()
    if not texts:
        return  # serve stopped before it sent the configuration
    hookyard_host = Host(load_text(config_path, texts[-1])[1])
    reloads = Reloads(hookyard_host, config_path)
    inbox.on_config = reloads.request

    def started() -> None:
        assert hookyard_host.worker is not None
        inbox.on_wake = hookyard_host.worker.wake

    await _deliver(hookyard_host, stop, started)


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


async def _deliver(host: Host, stop: asyncio.Event, started: Callable[[], None]) -> None:
    """Run ``host``'s workers until ``stop`` is set; ``started`` once they run."""
    from hookyard.observability.sentry import init_sentry

    init_sentry(host.config.sentry, with_litestar=False)
    await host.start(intake=False, workers=True)
    started()
    await stop.wait()
    await host.stop()
