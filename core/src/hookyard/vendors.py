"""What a vendor parser plugin registers, and what it receives.

Public through :mod:`hookyard`: plugins import these names from there, not from here.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar

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

    #: Arrays and objects nested deeper than this are refused ("nested too deep").
    MAX_DEPTH: ClassVar[int] = 512
    _TOO_DEEP: ClassVar[str] = f"body nested too deep (over {MAX_DEPTH} arrays or objects)"

    @cached_property
    def _parsed(self) -> Any:
        try:
            value = json.loads(self.body, parse_constant=_not_json, parse_float=_finite)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PayloadRejected(f"body is not JSON: {exc}") from None
        except _NotJson as exc:
            raise PayloadRejected(f"body is not JSON: {exc}") from None
        except RecursionError:
            raise PayloadRejected(self._TOO_DEEP) from None
        except ValueError:  # an integer past sys.get_int_max_str_digits()
            limit = sys.get_int_max_str_digits()
            raise PayloadRejected(f"body has a number too long (over {limit} digits)") from None
        if self._too_deep(value):
            raise PayloadRejected(self._TOO_DEEP)
        return value

    def _too_deep(self, value: Any) -> bool:
        """Whether ``value`` nests arrays and objects past :attr:`MAX_DEPTH` (no recursion)."""
        if self.body.count(b"[") + self.body.count(b"{") <= self.MAX_DEPTH:
            return False  # the common case, without a walk
        stack = [(value, 1)]
        while stack:
            item, depth = stack.pop()
            if depth > self.MAX_DEPTH:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
        return False

    def json(self) -> Any:
        """The body parsed as JSON; raises :class:`PayloadRejected` when it is not JSON.

        Also refused: arrays and objects nested more than :attr:`MAX_DEPTH` deep, integers
        longer than Python's ``sys.get_int_max_str_digits()`` (4300 digits), and what is not
        JSON although Python's parser takes it: ``NaN``, ``Infinity`` and numbers too large
        for a float (``1e999``).
        """
        return self._parsed


class _NotJson(Exception):
    """A number JSON cannot hold: ``NaN``, ``Infinity`` or a float past its range."""


def _not_json(constant: str) -> Any:
    raise _NotJson(f"{constant} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _NotJson(f"the number {text[:20]}{'…' if len(text) > 20 else ''} is out of range")
    return value


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
