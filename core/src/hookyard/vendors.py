"""What a vendor parser plugin registers, and what it receives."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any

from attrs import define, field, frozen

from hookyard.events import Event

__all__ = [
    "AuthenticationFailed",
    "PayloadRejected",
    "SimulatedRequest",
    "VendorSpec",
    "WebhookRequest",
]


class PayloadRejected(Exception):
    """The body is not what this vendor sends (not JSON, wrong shape).

    The sender gets 400 with the message as reason, and nothing is stored. Raise it from
    ``verify`` or ``parse``; any other exception from ``parse`` keeps the payload as
    ``unparsed`` instead.
    """


class AuthenticationFailed(Exception):
    """The delivery did not prove it comes from the vendor. The sender gets 401.

    The message is logged, so it must never contain a secret.
    """


@define(slots=False)
class WebhookRequest:
    """One received webhook: what verify and parse work on.

    ``headers`` has lower-case names. ``json()`` parses the body once and caches the result.
    """

    source: str
    body: bytes
    headers: Mapping[str, str]
    received_at: datetime

    @cached_property
    def _parsed(self) -> Any:
        try:
            return json.loads(self.body)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PayloadRejected(f"body is not JSON: {exc}") from None

    def json(self) -> Any:
        """The body parsed as JSON; raises :class:`PayloadRejected` when it is not JSON."""
        return self._parsed


@frozen
class SimulatedRequest:
    """A realistic, correctly authenticated sample delivery (``hookyard simulate``)."""

    body: bytes
    headers: Mapping[str, str] = field(factory=dict)


@frozen
class VendorSpec:
    """A vendor parser, registered through ``hookyard_register_vendors``.

    :param name: what sources say in ``vendor:``; unique across installed plugins.
    :param config_type: attrs class the source's options are structured into.
    :param verify: ``verify(config, request)`` raises :class:`AuthenticationFailed` (or
        :class:`PayloadRejected`) unless the request is authentic. Not called for sources
        that say ``auth: none``.
    :param parse: ``parse(config, request)`` returns the normalized events (possibly none).
    :param auth_fields: names of ``config_type`` fields holding credentials. A source that
        leaves them all empty must say ``auth: none``; their values are never logged.
    :param simulate: ``simulate(config, action)`` builds a sample delivery for ``action``.
    :param actions: the vendor actions ``simulate`` knows, in the order to list them.
    """

    name: str
    config_type: type[Any]
    verify: Callable[[Any, WebhookRequest], None]
    parse: Callable[[Any, WebhookRequest], Sequence[Event]]
    auth_fields: tuple[str, ...] = ()
    simulate: Callable[[Any, str], SimulatedRequest] | None = None
    actions: tuple[str, ...] = ()
