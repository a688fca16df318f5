"""The ``memo`` sink: appends one line of text per delivery to a file.

A complete third-party sink plugin in one module: an attrs config class, an open sink with
``deliver`` and ``aclose``, and the ``hookyard_register_sinks`` hook that registers both.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from attrs import field, frozen

from hookyard import DeliveryFailed, DeliveryResult, FilePath, SinkSpec, hookimpl

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

    from hookyard import DeliveryRequest

__all__ = ["MemoConfig", "MemoSink", "hookyard_register_sinks", "memo_line"]


def _not_blank(_instance: object, _attribute: object, value: str) -> None:
    if not value.strip():
        raise ValueError("path must name a file")


@frozen
class MemoConfig:
    """Options of a ``plugin: memo`` sink.

    :param path: the file to append to; a relative path is relative to the configuration
        file's folder (``FilePath``, as for every file hookyard writes). Missing parent
        folders are created.
    :param prefix: put in front of every line, e.g. ``"[chats] "``.
    """

    path: FilePath = field(validator=_not_blank)
    prefix: str = ""


def memo_line(params: Mapping[str, Any], event: Mapping[str, Any]) -> str:
    """The route's ``with: {text: ...}``, or a summary of the event; one line, no newline."""
    text = params.get("text")
    if text is None:
        text = f"{event.get('type')} from {event.get('source')} ({event.get('id')})"
    return " ".join(str(text).splitlines())


class MemoSink:
    """An open ``memo`` sink."""

    def __init__(self, config: MemoConfig) -> None:
        self.config = config
        self.path = Path(config.path).expanduser()
        self._lock = asyncio.Lock()

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        line = self.config.prefix + memo_line(request.params, request.event) + "\n"
        async with self._lock:
            try:
                await asyncio.to_thread(self._append, line)
            except OSError as exc:
                # Retried by hookyard's schedule; the reason is kept with the delivery.
                raise DeliveryFailed(f"cannot write {self.path}: {exc.strerror}") from None
        return DeliveryResult(response=f"noted in {self.path.name}")

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as memo:
            memo.write(line)

    async def aclose(self) -> None:
        """Nothing to release: the file is opened for each line."""


@hookimpl
def hookyard_register_sinks(register: Callable[[SinkSpec], None]) -> None:
    """Register the ``memo`` sink; routes use its one action, ``note``."""
    register(
        SinkSpec(
            name="memo",
            config_type=MemoConfig,
            open=MemoSink,
            actions=("note",),
            params={"note": frozenset({"text"})},
        )
    )
