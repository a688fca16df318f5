"""Worker processes of ``hookyard serve``: ``hookyard worker`` children on the other cores.

``serve`` talks to each child through a pipe to its stdin (``worker --serve-child``):

- :data:`CONFIG` (``C``), the length in decimal digits, a newline and that many bytes: the
  configuration text ``serve`` runs on (its ``--config`` file as it read and checked it).
  The first message a child gets, and again after each reload ``serve`` applied (SIGHUP,
  ``hookyard reload``): the child applies it as ``serve`` did (:mod:`hookyard.cli.reload`).
  So a child runs on what ``serve`` accepted, never on a file changed since (or refused),
  and one started again gets the configuration in use then.
- :data:`WAKE` (``.``): deliveries were stored; look for them now. Intake sends one per
  commit, none while anything is still unread, so a webhook stored by ``serve`` is
  attempted at once, on SQLite too.

A child whose stdin closes (``serve`` died, even by SIGKILL) stops as on SIGTERM,
releasing what it holds; one that exits while ``serve`` runs is started again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["CONFIG", "WAKE", "Inbox", "WorkerProcesses", "config_message"]

log = logging.getLogger("hookyard.worker")

#: What starts a message on a child's stdin: a configuration; a wake-up (the whole message).
CONFIG = b"C"
WAKE = b"."
#: Seconds before a worker process that exited is started again, doubling up to a minute.
RESTART_DELAY = 1.0
RESTART_DELAY_MAX = 60.0


def config_message(text: str) -> bytes:
    data = text.encode()
    return CONFIG + str(len(data)).encode() + b"\n" + data


class Inbox(asyncio.Protocol):
    """A child's end of the pipe: ``on_config(text)`` for each configuration, ``on_wake()``
    for the wake-ups that arrived together, ``on_close()`` once ``serve`` closed it."""

    def __init__(self) -> None:
        self.on_config: Callable[[str], None] = lambda text: None
        self.on_wake: Callable[[], None] = lambda: None
        self.on_close: Callable[[], None] = lambda: None
        self._unread = bytearray()

    def data_received(self, data: bytes) -> None:
        self._unread += data
        woken = False
        while self._unread:
            if self._unread[:1] != CONFIG:
                woken = True  # a wake-up: serve writes nothing else on its own
                del self._unread[:1]
                continue
            head = self._unread.find(b"\n")
            if head < 0 or len(self._unread) < head + 1 + int(self._unread[1:head]):
                break  # the rest of it is on its way
            end = head + 1 + int(self._unread[1:head])
            text = self._unread[head + 1 : end].decode()
            del self._unread[:end]
            self.on_config(text)
        if woken:
            self.on_wake()

    def eof_received(self) -> bool:
        self.on_close()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.on_close()


class WorkerProcesses:
    """``count`` children running ``hookyard worker --config CONFIG``, kept running."""

    def __init__(
        self,
        config_path: str,
        count: int,
        log_level: str,
        stop_timeout: float,
        config_text: str,
        metrics_folder: str | None = None,
    ) -> None:
        """:param config_text: the configuration ``serve`` runs on, which they get.
        :param metrics_folder: the multiprocess metrics folder made for these processes,
        removed once they stopped."""
        self._command: Sequence[str] = (
            sys.executable,
            "-m",
            "hookyard",
            "worker",
            "--config",
            config_path,
            "--log-level",
            log_level,
            "--serve-child",
        )
        self._count = count
        self._stop_timeout = stop_timeout
        self._children: dict[int, asyncio.subprocess.Process] = {}
        self._watchers: list[asyncio.Task[None]] = []
        self._stopping = False
        self._metrics_folder = metrics_folder
        self._config = config_message(config_text)

    @property
    def pids(self) -> list[int]:
        return [child.pid for child in self._children.values()]

    async def start(self) -> None:
        for slot in range(self._count):
            await self._spawn(slot)
            self._watchers.append(asyncio.create_task(self._watch(slot)))

    def wake(self) -> None:
        """Tell every child that deliveries were stored."""
        for child in self._children.values():
            pipe = child.stdin  # none while something is unread: the child wakes after it
            if pipe is not None and pipe.transport.get_write_buffer_size() == 0:
                self._send(child, WAKE)

    def reload(self, config_text: str) -> None:
        """Have every child run on ``config_text`` (and any started again later)."""
        self._config = config_message(config_text)
        for child in self._children.values():
            self._send(child, self._config)

    def _send(self, child: asyncio.subprocess.Process, message: bytes) -> None:
        pipe = child.stdin
        if pipe is not None and not pipe.is_closing():
            with contextlib.suppress(OSError):
                pipe.write(message)

    async def stop(self) -> None:
        """SIGTERM every child and wait for it (it finishes or releases its deliveries);
        SIGKILL one that is still running ``stop_timeout`` seconds later."""
        self._stopping = True
        for task in self._watchers:
            task.cancel()
        await asyncio.gather(*self._watchers, return_exceptions=True)
        children = list(self._children.values())
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                await asyncio.wait_for(child.wait(), self._stop_timeout)
            except TimeoutError:
                log.warning("worker process %d did not stop in time; killing it", child.pid)
                with contextlib.suppress(ProcessLookupError):
                    child.kill()
                await child.wait()
        self._children.clear()
        if self._metrics_folder is not None:
            shutil.rmtree(self._metrics_folder, ignore_errors=True)

    async def _spawn(self, slot: int) -> None:
        # close_fds: nothing of this process (its listening socket, above all) goes with
        # the child; under uvloop, fds marked inheritable would.
        self._children[slot] = await asyncio.create_subprocess_exec(
            *self._command, stdin=asyncio.subprocess.PIPE, close_fds=True
        )
        self._send(self._children[slot], self._config)

    async def _watch(self, slot: int) -> None:
        delay = RESTART_DELAY
        loop = asyncio.get_running_loop()
        while True:
            child, started = self._children[slot], loop.time()
            code = await child.wait()
            if self._stopping:
                return
            if loop.time() - started > RESTART_DELAY_MAX:  # it had been running fine
                delay = RESTART_DELAY
            log.error(
                "worker process %d exited with %s; starting another in %gs",
                child.pid,
                code,
                delay,
            )
            await asyncio.sleep(delay)
            await self._spawn(slot)
            delay = min(delay * 2, RESTART_DELAY_MAX)
