"""What a sink plugin registers, and what it is handed for each delivery.

Public through :mod:`hookyard`: plugins import these names from there, not from here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from attrs import field, frozen

__all__ = ["DeliveryFailed", "DeliveryRequest", "DeliveryResult", "Sink", "SinkSpec"]


@frozen
class DeliveryRequest:
    """One attempt at one delivery.

    :param event: the event in its JSON form (docs/events.md).
    :param params: the route's ``with`` templates, rendered when the event was routed.
    :param idempotency_key: stable across attempts and replays; pass it on where the target
        supports one (the http sink sends it as ``webhook-id``).
    """

    delivery_id: int
    event: Mapping[str, Any]
    action: str
    params: Mapping[str, Any]
    idempotency_key: str
    attempt: int
    route: str


@frozen
class DeliveryResult:
    """A successful delivery; ``response`` is a short summary kept with it."""

    response: str | None = None


class DeliveryFailed(Exception):
    """An attempt failed.

    :param reason: one line saying what went wrong, without secrets.
    :param status_code: the target's HTTP status, if any; the route's status policy
        decides from it whether to retry.
    :param retry_after: seconds the target asked to wait (``Retry-After``).
    :param response: a short excerpt of the target's answer, kept with the delivery.
    :param permanent: force the decision; ``None`` lets the status policy decide, and a
        failure without a status code (timeout, connection error) is retried.
    """

    def __init__(
        self,
        reason: str,
        *,
        status_code: int | None = None,
        retry_after: float | None = None,
        response: str | None = None,
        permanent: bool | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code
        self.retry_after = retry_after
        self.response = response
        self.permanent = permanent


class Sink(Protocol):
    """An open sink: made once per configured sink when workers start."""

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        """Deliver or raise :class:`DeliveryFailed` (any other exception is retried)."""
        ...

    async def aclose(self) -> None:
        """Release connections; called once when workers stop."""
        ...


@frozen
class SinkSpec:
    """A sink plugin, registered through ``hookyard_register_sinks``.

    :param name: what sinks say in ``plugin:``; unique across installed plugins.
    :param config_type: attrs class the sink's options are structured into.
    :param open: ``open(config)`` returns a :class:`Sink`.
    :param actions: the actions routes may pick; the first is the default.
    :param params: for each action, the ``with`` keys it understands (others are rejected
        by ``hookyard check``); an action missing here accepts any key.
    """

    name: str
    config_type: type[Any]
    open: Callable[[Any], Sink]
    actions: tuple[str, ...] = ("send",)
    params: Mapping[str, frozenset[str]] = field(factory=dict)
