"""The ``file`` sink: append one JSON line per delivery to a file, durably."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from hookyard import DeliveryFailed, DeliveryResult, FilePath, SinkSpec, hookimpl
from hookyard._json import dumps

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from hookyard import DeliveryRequest

__all__ = ["FileSink", "FileSinkConfig", "hookyard_register_sinks", "render_line"]


def _check_path(_instance: object, _attribute: object, value: FilePath) -> None:
    if not value.strip():
        raise ValueError("path must name a file")
    if Path(value).expanduser().is_dir():
        raise ValueError(
            f"{value} is a folder; name a file in it, e.g. {value.rstrip('/')}/x.jsonl"
        )


@frozen
class FileSinkConfig:
    """Options of the ``file`` sink, which appends one line per delivery to a file.

    :param path: the file to append to; ``~`` is expanded, a relative path is relative to
        the configuration file's folder (a :data:`hookyard.FilePath`), and missing parent
        folders are created. Each line is on disk (fsync) before the delivery counts as done.
    """

    path: FilePath = field(validator=_check_path)


class FileSink:
    """An open ``file`` sink; deliveries to it are written one at a time."""

    def __init__(self, config: FileSinkConfig) -> None:
        self.config = config
        self.path = Path(config.path).expanduser()
        self._lock = asyncio.Lock()

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        """Append the event's JSON form (or the route's ``line``) and a newline."""
        data = render_line(request.params, request.event).encode()
        async with self._lock:
            try:
                await asyncio.to_thread(_append, self.path, data)
            except OSError as exc:
                raise DeliveryFailed(f"cannot append to {self.path}: {_describe(exc)}") from None
        return DeliveryResult(response=f"appended {len(data)} bytes")

    async def aclose(self) -> None:
        """Nothing to release: the file is opened for each line."""


def render_line(params: Mapping[str, Any], event: Mapping[str, Any]) -> str:
    """One line, newline included: the event's JSON form, or the route's ``line``.

    A ``line`` string is written as is (a newline at its end is not doubled); anything
    else is written as JSON.
    """
    line = params.get("line")
    if line is None:
        return dumps(event) + "\n"
    if isinstance(line, str):
        return line.removesuffix("\n") + "\n"
    return dumps(line) + "\n"


def _append(path: Path, data: bytes) -> None:
    """Append ``data`` with one ``write`` (O_APPEND keeps processes from interleaving)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make a new file's directory entry durable too (POSIX only)."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _describe(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


@hookimpl
def hookyard_register_sinks(register: Callable[[SinkSpec], None]) -> None:
    """Register the ``file`` sink."""
    register(
        SinkSpec(
            name="file",
            config_type=FileSinkConfig,
            open=FileSink,
            actions=("append",),
            params={"append": frozenset({"line"})},
        )
    )
