"""Worker processes of ``hookyard serve``: ``hookyard worker`` children on the other cores.

Intake wakes them through a pipe to each child's stdin (one byte per commit, none while a
byte is still unread), so a webhook stored by ``serve`` is attempted at once, on SQLite
too. A child whose stdin closes (``serve`` died, even by SIGKILL) stops as on SIGTERM,
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
    from collections.abc import Sequence

__all__ = ["WorkerProcesses"]

log = logging.getLogger("hookyard.worker")

#: Seconds before a worker process that exited is started again, doubling up to a minute.
RESTART_DELAY = 1.0
RESTART_DELAY_MAX = 60.0


class WorkerProcesses:
    """``count`` children running ``hookyard worker --config CONFIG``, kept running."""

    def __init__(
        self,
        config_path: str,
        count: int,
        log_level: str,
        stop_timeout: float,
        metrics_folder: str | None = None,
    ) -> None:
        """:param metrics_folder: the multiprocess metrics folder made for these processes,
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
            "--wake-on-stdin",
        )
        self._count = count
        self._stop_timeout = stop_timeout
        self._children: dict[int, asyncio.subprocess.Process] = {}
        self._watchers: list[asyncio.Task[None]] = []
        self._stopping = False
        self._metrics_folder = metrics_folder

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
            pipe = child.stdin
            if pipe is None or pipe.is_closing():
                continue
            if pipe.transport.get_write_buffer_size() == 0:  # else a wake is still unread
                with contextlib.suppress(OSError):
                    pipe.write(b".")

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
