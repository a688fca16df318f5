"""The ``generic`` vendor: events already in hookyard's JSON form, signed by Standard Webhooks.

Anything that can POST JSON can feed a ``generic`` source, and so can another hookyard:
its ``http`` sink sends exactly the body and headers this vendor verifies and parses.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import cattrs
from attrs import field, frozen
from attrs.validators import optional
from cattrs.v import format_exception

from hookyard import (
    EVENT_TYPES,
    AuthenticationFailed,
    Chat,
    Event,
    Message,
    PayloadRejected,
    Person,
    Seconds,
    SimulatedRequest,
    VendorSpec,
    WebhookRequest,
    hookimpl,
    signing,
    stable_event_id,
)
from hookyard._json import dumps

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ACTIONS", "GenericConfig", "GenericVendor", "simulate", "verify"]

#: The sample deliveries ``hookyard simulate`` lists; any event type is accepted.
ACTIONS = ("chat.started", "chat.message", "chat.closed", "webhook.test")
_PARTS: dict[str, type[Any]] = {
    "chat": Chat,
    "customer": Person,
    "agent": Person,
    "message": Message,
}


def _check_tolerance(_instance: object, _attribute: object, value: float) -> None:
    if not value > 0:
        raise ValueError(f"tolerance must be more than 0 seconds, got {value!r}")


@frozen
class GenericConfig:
    """Options of a source with ``vendor: generic``.

    :param secret: the Standard Webhooks secret the sender signs with (the ``secret`` of
        the sending hookyard's ``http`` sink): the base64 of the key after an optional
        ``whsec_`` prefix, as :func:`hookyard.signing.signing_key` reads it. Leave it out
        only together with ``auth: none``.
    :param tolerance: how far ``webhook-timestamp`` may be from this machine's clock,
        either way: seconds or a duration such as ``5m`` (default 300 seconds); older
        deliveries are refused as possible replays.
    """

    secret: str | None = field(default=None, repr=False, validator=optional(signing.check_secret))
    tolerance: Seconds = field(default=Seconds(300.0), validator=_check_tolerance)


def verify(config: GenericConfig, request: WebhookRequest) -> None:
    """Check ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature``."""
    if not config.secret:
        raise AuthenticationFailed("no secret is configured for this source")
    try:
        signing.verify(
            config.secret,
            request.headers,
            request.body,
            tolerance=config.tolerance,
            now=request.received_at.timestamp(),
        )
    except signing.SignatureInvalid as exc:
        raise AuthenticationFailed(str(exc)) from None


def simulate(config: GenericConfig, action: str) -> SimulatedRequest:
    """A sample event of type ``action`` with a fresh id, signed when a secret is set."""
    if action not in EVENT_TYPES:
        raise ValueError(f"unknown action {action!r} (try one of: {', '.join(ACTIONS)})")
    sample = _sample(action, f"evt_{uuid.uuid4().hex}", datetime.now(UTC))
    body = dumps(sample).encode()
    headers = {"content-type": "application/json"}
    headers.update(signing.signature_headers(config.secret, sample["id"], body))
    return SimulatedRequest(body=body, headers=headers)


def _event_id(body: dict[str, Any], request: WebhookRequest) -> str:
    given = body.get("id")
    if isinstance(given, bool) or not isinstance(given, str | int | None):
        raise PayloadRejected("id must be a string")
    if given is not None and given != "":
        return str(given)
    return request.headers.get("webhook-id") or stable_event_id(body)


def _occurred_at(value: Any, received_at: datetime) -> datetime:
    if value is None:
        return received_at
    try:
        when = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise PayloadRejected(f"occurred_at is not an ISO 8601 timestamp: {value!r}") from None
    if when.tzinfo is None:
        raise PayloadRejected("occurred_at has no time zone")
    return when


def _object(body: dict[str, Any], name: str) -> dict[str, Any]:
    value = body.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PayloadRejected(f"{name} must be a JSON object")
    return value


def _format(exc: BaseException, type_: type | None) -> str:
    if isinstance(exc, ValueError) and type_ is None:
        return str(exc)  # an attrs validator's message, e.g. a bad author_role
    return format_exception(exc, type_)


def _sample(action: str, event_id: str, now: datetime) -> dict[str, Any]:
    stamp = now.isoformat(timespec="seconds").replace("+00:00", "Z")
    sample: dict[str, Any] = {"id": event_id, "type": action, "occurred_at": stamp}
    if action == "webhook.test":
        return sample
    status = "closed" if action == "chat.closed" else "open"
    sample["chat"] = {"id": "chat-1001", "status": status, "tags": ["simulated"]}
    sample["customer"] = {"id": "customer-1", "name": "Ada Lovelace", "email": "ada@example.com"}
    sample["agent"] = {"id": "agent-7", "name": "Grace Hopper", "email": "grace@example.com"}
    if action == "chat.message":
        sample["message"] = {
            "id": f"msg_{uuid.uuid4().hex[:12]}",
            "text": "Hello! Where is my order?",
            "author_id": "customer-1",
            "author_role": "customer",
            "created_at": stamp,
        }
    sample["data"] = {"simulated": True}
    return sample


class GenericVendor:
    """The plugin: it keeps the converter hookyard hands it, to structure event parts.

    One object per plugin manager (hookyard makes it), so each host parses with its own
    converter.
    """

    def __init__(self) -> None:
        self._converter: cattrs.Converter | None = None

    @hookimpl
    def hookyard_configure_converter(self, converter: cattrs.Converter) -> None:
        """Keep the converter: it structures ``chat``, ``customer``, ``agent``, ``message``."""
        self._converter = converter

    @hookimpl
    def hookyard_register_vendors(self, register: Callable[[VendorSpec], None]) -> None:
        """Register the ``generic`` vendor."""
        register(
            VendorSpec(
                name="generic",
                config_type=GenericConfig,
                verify=verify,
                parse=self.parse,
                auth_fields=("secret",),
                simulate=simulate,
                actions=ACTIONS,
            )
        )

    def parse(self, config: GenericConfig, request: WebhookRequest) -> list[Event]:
        """One event from a JSON object in the event JSON form; ``type`` is required."""
        body = request.json()
        if not isinstance(body, dict):
            raise PayloadRejected("body must be a JSON object")
        event_type = body.get("type")
        if not isinstance(event_type, str) or event_type not in EVENT_TYPES:
            raise PayloadRejected(f"type must be a normalized event type, got {event_type!r}")
        return [
            Event(
                id=_event_id(body, request),
                source=request.source,
                vendor="generic",
                type=event_type,
                vendor_type=str(body.get("vendor_type") or event_type),
                occurred_at=_occurred_at(body.get("occurred_at"), request.received_at),
                received_at=request.received_at,
                changes=_object(body, "changes"),
                data=_object(body, "data"),
                raw=body,
                **{name: self._part(body, name, cls) for name, cls in _PARTS.items()},
            )
        ]

    def _part(self, body: dict[str, Any], name: str, cls: type[Any]) -> Any:
        value = body.get(name)
        if value is None:
            return None
        if self._converter is None:
            raise RuntimeError("hookyard never called hookyard_configure_converter")
        try:
            return self._converter.structure(value, cls)
        except Exception as exc:  # cattrs raises many kinds; each becomes one short reason
            problems = cattrs.transform_error(exc, path=name, format_exception=_format)
            raise PayloadRejected("; ".join(problems)) from None
