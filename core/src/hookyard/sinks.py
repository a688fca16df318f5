"""What a sink plugin registers, and what it is handed for each delivery.

Public through :mod:`hookyard`: plugins import these names from there, not from here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from attrs import field, frozen

__all__ = [
    "DeliveryFailed",
    "DeliveryRequest",
    "DeliveryResult",
    "Sink",
    "SinkSpec",
    "hide_in_logs",
    "parse_retry_after",
    "redact",
]

#: Words of a secret shorter than this are not redacted on their own (``Bearer``, ``Basic``).
_SECRET_WORD = 8


@frozen
class DeliveryRequest:
    """One attempt at one delivery.

    :param event: the event in its JSON form (docs/events.md).
    :param action: the route's action, one of the sink's ``actions``.
    :param params: the route's ``with`` templates, rendered when the event was routed. When
        the sink declares a parameter class for the action (``SinkSpec.params``), an instance
        of it; otherwise a mapping.
    :param idempotency_key: stable across attempts and replays; pass it on where the target
        supports one (the http sink sends it as ``webhook-id``).
    :param attempt: 1 for the first attempt, counting every attempt of this delivery.
    :param route: the name of the route that made the delivery.
    :param conversation: the conversation's key: the same for every event of one chat (else
        of one customer) of one source, at most 200 characters; ``None`` when the event has
        neither. Use it to find again what an earlier attempt created (a label, an
        ``external_id``).
    :param link: what this sink stored for the conversation with earlier results
        (:attr:`DeliveryResult.link`): a Slack thread's ``ts``, a ticket's id. Empty for the
        first delivery of a conversation. With ``ordering: conversation`` (the default) the
        earlier deliveries of the conversation are finished before this one starts.
    :param events: a group's delivery (a route with ``group``): every event of the group in
        the order they occurred, ``event`` being the first; ``params`` were rendered with
        them. Empty for any other delivery.
    """

    delivery_id: int
    event: Mapping[str, Any]
    action: str
    params: Any
    idempotency_key: str
    attempt: int
    route: str
    conversation: str | None = None
    link: Mapping[str, Any] = field(factory=dict)
    events: tuple[Mapping[str, Any], ...] = ()


@frozen
class DeliveryResult:
    """A successful delivery.

    :param response: a short summary kept with the delivery (``deliveries show``).
    :param link: JSON values to keep for the delivery's conversation, merged key by key
        into what is kept already (a key set to ``None`` is removed); the next delivery of
        the same conversation to this sink gets the result as ``DeliveryRequest.link``.
    """

    response: str | None = None
    link: Mapping[str, Any] | None = None


class DeliveryFailed(Exception):
    """An attempt failed.

    :param reason: one line saying what went wrong, without secrets.
    :param status_code: the target's HTTP status, if any; the route's status policy
        decides from it whether to retry.
    :param retry_after: seconds the target asked to wait (``Retry-After``; read it with
        :func:`parse_retry_after`). With a 429 or 503 it pauses the whole sink that long.
    :param response: a short excerpt of the target's answer, kept with the delivery.
    :param permanent: force the decision; ``None`` lets the status policy decide, and a
        failure without a status code (timeout, connection error) is retried.
    :param link: as :attr:`DeliveryResult.link`, for what the attempt created before it
        failed (a ticket made, its comment not), so that the retry does not make it again.
    """

    def __init__(
        self,
        reason: str,
        *,
        status_code: int | None = None,
        retry_after: float | None = None,
        response: str | None = None,
        permanent: bool | None = None,
        link: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code
        self.retry_after = retry_after
        self.response = response
        self.permanent = permanent
        self.link = link


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
    :param params: for each action, what its ``with`` takes: an attrs class (``hookyard
        check`` reports a missing required field, an unknown key and a literal value of the
        wrong type or not among a ``Literal``'s values; the sink gets an instance as
        ``DeliveryRequest.params``), a function of the sink's options returning such a class
        (when what an action takes depends on how the sink is configured), or a set of key
        names (any values). An action missing here accepts any key.
    """

    name: str
    config_type: type[Any]
    open: Callable[[Any], Sink]
    actions: tuple[str, ...] = ("send",)
    params: Mapping[str, type[Any] | Callable[[Any], type[Any]] | frozenset[str]] = field(
        factory=dict
    )


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header, in either of its forms: delay seconds
    (``"120"``) or an HTTP-date (``"Wed, 21 Oct 2026 07:28:00 GMT"``).

    Never negative; ``None`` when the header is absent or not understood.
    """
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000": RFC 5322 for "UTC, source unknown"
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """``text`` with every secret replaced by ``[redacted]``: for a target's answer or an
    error before it is kept (``DeliveryFailed.reason``/``response``) or logged, in case the
    target echoes what it was sent. A secret of several words (``Bearer abc…``) is also
    redacted word by word, for words of 8 characters or more."""
    found = set()
    for secret in secrets:
        if not secret:
            continue
        found.add(secret)
        found.update(word for word in secret.split() if len(word) >= _SECRET_WORD)
    for secret in sorted(found, key=len, reverse=True):  # longest first: no partial leftovers
        text = text.replace(secret, "[redacted]")
    return text


#: The loggers of the HTTP and SMTP clients sinks use, which write what is sent: httpx logs
#: every request's URL at info (a Slack or Teams webhook URL is its secret).
TRANSPORT_LOGGERS = ("httpx", "httpcore", "aiohttp", "aiosmtplib")


class _Hiding(logging.Filter):
    """Writes each hidden text as what it is shown as, in every record of a transport logger."""

    def __init__(self) -> None:
        super().__init__()
        self.shown: dict[str, str] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(secret in message for secret in self.shown):
            for secret in sorted(self.shown, key=len, reverse=True):
                message = message.replace(secret, self.shown[secret])
            record.msg, record.args = message, ()
        return True


_HIDING = _Hiding()


def hide_in_logs(secret: str, shown: str = "[redacted]") -> None:
    """Never let the HTTP and SMTP client libraries log ``secret``: it is written as
    ``shown`` instead. For a URL that is itself a credential (a Slack or Teams webhook),
    pass each of :func:`hookyard.url_secrets` (its path, its ``sig``, the URL as the client
    rewrites it). Call it when the sink opens; what the sink logs itself goes through
    :func:`redact`."""
    if not secret:
        return
    _HIDING.shown[secret] = shown
    for name in TRANSPORT_LOGGERS:
        logger = logging.getLogger(name)
        if _HIDING not in logger.filters:
            logger.addFilter(_HIDING)
