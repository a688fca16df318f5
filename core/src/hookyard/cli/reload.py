"""``hookyard reload``, and what ``serve`` and ``worker`` do when told to reload (SIGHUP):
the configuration file read and checked again as ``hookyard check`` does, then applied, or
refused with the running configuration kept.

A running ``serve`` notes itself in ``.NAME.serve/PID.json`` beside its configuration file
``NAME`` (its pid, its URL and the outcome of its last reload), and holds ``PID.lock`` there
locked while it runs, so a record left by a killed serve is told from a live one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click
from attrs import frozen

from hookyard.cli.common import config_option, fail, user_errors
from hookyard.config import ConfigError, Problems, read_config
from hookyard.host import load_setup, setup_from_text
from hookyard.plugins import PluginError

if TYPE_CHECKING:
    from hookyard.config import Config
    from hookyard.host import Host, Setup

__all__ = ["Reloads", "ServeRecord", "load_text", "needs_restart", "reload", "reload_host"]

log = logging.getLogger("hookyard")

#: The sections read once, when a process starts; ``database`` too.
RESTART_SECTIONS = ("workers", "sentry", "retention")
RESTART = "changed, but only a restart of hookyard serve applies it"
#: Seconds between two looks at a serve's record while waiting for its answer.
POLL = 0.05


@frozen
class Reloaded:
    """What one reload did: ``applied`` or ``refused`` (with the problems, each placed)."""

    result: str
    problems: list[str]
    summary: str = ""


def needs_restart(running: Config, new: Config) -> list[str]:
    """Each option of ``new`` that differs from ``running`` where a reload cannot apply it."""
    problems = Problems(new.lines)
    if new.database != running.database:
        problems.add(("database",), RESTART)
    for section in RESTART_SECTIONS:
        before, after = getattr(running, section), getattr(new, section)
        for option in attrs.fields(type(before)):
            if getattr(before, option.name) != getattr(after, option.name):
                problems.add((section, option.name), RESTART)
    return problems.messages()


def summary(config: Config) -> str:
    return f"{len(config.sources)} sources, {len(config.sinks)} sinks, {len(config.routes)} routes"


def load_text(config_path: str, text: str | None = None) -> tuple[str, Setup]:
    """The text of ``config_path`` (unless given) and its setup, as ``hookyard check``
    loads it; relative paths in it are relative to the file's folder."""
    path = Path(config_path)
    text = read_config(path) if text is None else text
    return text, setup_from_text(text, path.resolve())


async def reload_host(host: Host, config_path: str, text: str | None = None) -> Reloaded:
    """Load and check ``config_path`` (or ``text``, its configuration as ``serve`` runs it)
    in a thread, intake going on meanwhile, and apply it to ``host`` and its worker
    processes; or refuse it and keep the running one."""
    try:
        loaded, setup = await asyncio.to_thread(load_text, config_path, text)
        problems = needs_restart(host.config, setup.config)
        if not problems:
            await host.apply(setup)
            if host.worker_processes is not None:
                host.worker_processes.reload(loaded)
    except ConfigError as exc:
        problems = exc.problems
    except PluginError as exc:
        problems = [str(exc)]
    except Exception as exc:  # a plugin's bug at import, say: refused, never a dead serve
        log.exception("reloading %s failed", config_path)
        problems = [f"reloading failed: {type(exc).__name__}: {exc}"]
    if problems:
        for problem in problems:
            log.warning(
                "%s not reloaded, the running configuration is kept: %s", config_path, problem
            )
        return Reloaded("refused", problems)
    log.info("%s reloaded: %s", config_path, summary(setup.config))
    return Reloaded("applied", [], summary(setup.config))


def records_folder(config_path: str) -> Path:
    """Where each ``serve`` running with ``config_path`` notes itself."""
    path = Path(os.path.abspath(config_path))
    return path.with_name(f".{path.name}.serve")


def _held(lock: Path) -> bool:
    """Whether a running serve holds ``lock`` (False too when it is not there)."""
    import fcntl

    try:
        descriptor = os.open(lock, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        os.close(descriptor)
    return False


class ServeRecord:
    """This serve's ``PID.json`` and ``PID.lock`` in :func:`records_folder`."""

    def __init__(self, config_path: str, url: str) -> None:
        self.folder = records_folder(config_path)
        pid = os.getpid()
        self._path, self._lock_path = self.folder / f"{pid}.json", self.folder / f"{pid}.lock"
        self._fields: dict[str, Any] = {"pid": pid, "config": os.path.abspath(config_path)}
        self._fields |= {"url": url, "started_at": datetime.now(UTC).isoformat(), "reload": None}
        self._lock: int | None = None

    def open(self) -> None:
        """Lock and write the record, removing those of serves that were killed; a folder
        that cannot be written is a warning (SIGHUP still reloads this serve)."""
        import fcntl

        try:
            self.folder.mkdir(exist_ok=True)
            self._lock = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self._lock, fcntl.LOCK_EX)
            self._write()
            for left in self.folder.glob("*.json"):
                if left != self._path and not _held(left.with_suffix(".lock")):
                    left.unlink(missing_ok=True)
                    left.with_suffix(".lock").unlink(missing_ok=True)
        except OSError as exc:
            log.warning(
                "cannot note this serve in %s (%s): hookyard reload will not find it; "
                "SIGHUP still reloads it",
                self.folder,
                exc.strerror or exc,
            )

    def reloaded(self, started: float, outcome: Reloaded) -> None:
        """Note the outcome of the reload that started at ``started`` (``time.time()``)."""
        self._fields["reload"] = {"started": started, **attrs.asdict(outcome)}
        if self._lock is not None:
            try:
                self._write()
            except OSError as exc:
                log.warning("cannot note the reload in %s: %s", self._path, exc.strerror or exc)

    def close(self) -> None:
        if self._lock is None:
            return
        self._path.unlink(missing_ok=True)
        self._lock_path.unlink(missing_ok=True)
        os.close(self._lock)
        self._lock = None
        with contextlib.suppress(OSError):
            self.folder.rmdir()  # unless another serve of this file is noted there

    def _write(self) -> None:
        written = self._path.with_suffix(".json.new")
        written.write_text(json.dumps(self._fields))
        os.replace(written, self._path)


class Reloads:
    """Reloads of one process's configuration, one at a time: those asked for while one
    runs make one more after it.

    :param record: serve's: each outcome is noted there and counted in
        ``hookyard_config_reloads_total``.
    """

    def __init__(self, host: Host, config_path: str, record: ServeRecord | None = None) -> None:
        self._host, self._path, self._record = host, config_path, record
        self._again = False
        self._text: str | None = None
        self._task: asyncio.Task[None] | None = None

    def listen(self) -> None:
        """Reload at each SIGHUP this process gets, and note it in its record (call it on
        the running loop); nothing where there is no SIGHUP (Windows)."""
        if not hasattr(signal, "SIGHUP"):
            return
        asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.request)
        if self._record is not None:
            self._record.open()

    def request(self, text: str | None = None) -> None:
        """Reload the file, or ``text`` (the configuration ``serve`` sent its worker process)."""
        self._again, self._text = True, text
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="hookyard-reload")

    async def _run(self) -> None:
        while self._again:
            self._again = False
            started = time.time()
            outcome = await reload_host(self._host, self._path, self._text)
            if self._record is not None:
                self._host.metrics.reloaded(outcome.result)
                self._record.reloaded(started, outcome)


@frozen
class RunningServe:
    pid: int
    url: str
    record: Path


def running_serves(config_path: str) -> list[RunningServe]:
    """The serves noted in :func:`records_folder` that still run."""
    found = []
    for record in sorted(records_folder(config_path).glob("*.json")):
        fields = _read(record)
        if fields is not None and _held(record.with_suffix(".lock")):
            found.append(RunningServe(int(fields["pid"]), str(fields["url"]), record))
    return found


def _read(record: Path) -> dict[str, Any] | None:
    try:
        fields: dict[str, Any] = json.loads(record.read_text())
    except (OSError, ValueError):
        return None
    return fields


def _answer(serve: RunningServe, sent: float, deadline: float) -> dict[str, Any]:
    """The outcome of the first reload ``serve`` started after ``sent``, as JSON."""
    answer: dict[str, Any] = {"pid": serve.pid, "url": serve.url, "problems": [], "summary": ""}
    while time.monotonic() < deadline:
        fields = _read(serve.record)
        if fields is None or not _held(serve.record.with_suffix(".lock")):
            return answer | {"result": "stopped"}
        done = fields.get("reload")
        if done is not None and done["started"] >= sent:
            return answer | {k: done[k] for k in ("result", "problems", "summary")}
        time.sleep(POLL)
    return answer | {"result": "no answer"}


@click.command("reload")
@config_option
@click.option(
    "--timeout",
    default=60.0,
    show_default=True,
    type=click.FloatRange(0, 3600, min_open=True),
    help="Seconds to wait for each serve's answer.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per serve on stdout.")
@user_errors
def reload(config_path: str, timeout: float, as_json: bool) -> None:
    """Check the configuration file, then have each hookyard serve running with it apply
    it (SIGHUP) and say whether it did.

    Exits with status 2 when the file is not valid (nothing is signalled) or a serve
    refused it, and 1 when no serve runs with it or one did not answer.
    """
    load_setup(config_path)
    serves = running_serves(config_path)
    if not serves:
        fail(f"no hookyard serve is running with {config_path}", 1)
    sent = time.time()
    for serve in serves:
        with contextlib.suppress(ProcessLookupError):  # it stopped: its answer says so
            os.kill(serve.pid, signal.SIGHUP)
    deadline = time.monotonic() + timeout
    answers = [_answer(serve, sent, deadline) for serve in serves]
    for answer in answers:
        if as_json:
            click.echo(json.dumps(answer))
        else:
            _show(config_path, answer, timeout)
    results = {answer["result"] for answer in answers}
    sys.exit(2 if "refused" in results else 1 if results != {"applied"} else 0)


def _show(config_path: str, answer: dict[str, Any], timeout: float) -> None:
    serve = f"serve {answer['pid']} ({answer['url']})"
    if answer["result"] == "applied":
        click.echo(f"{config_path}: applied by {serve}: {answer['summary']}")
    elif answer["result"] == "refused":
        click.echo(
            f"hookyard: {serve} refused {config_path}; it keeps its configuration:", err=True
        )
        for problem in answer["problems"]:
            click.echo(f"  {problem}", err=True)
    elif answer["result"] == "stopped":
        click.echo(f"hookyard: {serve} stopped before it answered", err=True)
    else:
        click.echo(f"hookyard: {serve} did not answer within {timeout:g}s; see its log", err=True)
