"""The ``log`` sink: one JSON line per delivery through Python's ``logging``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from attrs import field, frozen

from hookyard import DeliveryResult, SinkSpec, hookimpl
from hookyard._json import dumps

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard import DeliveryRequest

__all__ = ["LEVELS", "LogSink", "LogSinkConfig", "hookyard_register_sinks", "render_record"]

#: The levels the ``level`` option accepts, by name.
LEVELS: dict[str, int] = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}


def _lower(value: str) -> str:
    return value.lower()


def _check_level(_instance: object, _attribute: object, value: str) -> None:
    if value not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, got {value!r}")


@frozen
class LogSinkConfig:
    """Options of the ``log`` sink, which writes one JSON line per delivery to a logger.

    The line is an object with ``delivery_id``, ``route``, ``event_id``, ``type``,
    ``source`` and ``message`` (the route's ``with: {message: ...}``, else null).

    :param level: ``debug``, ``info`` (default), ``warning`` or ``error``.
    :param logger: the name of the :mod:`logging` logger to write to
        (default ``hookyard.sink.log``).
    """

    level: str = field(default="info", converter=_lower, validator=_check_level)
    logger: str = "hookyard.sink.log"


class LogSink:
    """An open ``log`` sink."""

    def __init__(self, config: LogSinkConfig) -> None:
        self.config = config
        self._logger = logging.getLogger(config.logger)
        self._level = LEVELS[config.level]

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        """Write the delivery's line; never fails."""
        self._logger.log(self._level, "%s", dumps(render_record(request)))
        return DeliveryResult(response=f"logged to {self.config.logger}")

    async def aclose(self) -> None:
        """Nothing to release."""


def render_record(request: DeliveryRequest) -> dict[str, Any]:
    """What the log line holds, and nothing else."""
    event = request.event
    return {
        "delivery_id": request.delivery_id,
        "route": request.route,
        "event_id": event.get("id"),
        "type": event.get("type"),
        "source": event.get("source"),
        "message": request.params.get("message"),
    }


@hookimpl
def hookyard_register_sinks(register: Callable[[SinkSpec], None]) -> None:
    """Register the ``log`` sink."""
    register(
        SinkSpec(
            name="log",
            config_type=LogSinkConfig,
            open=LogSink,
            actions=("write",),
            params={"write": frozenset({"message"})},
        )
    )
