"""The ``generic`` vendor: any platform that POSTs JSON, configured in YAML alone.

Two choices make a ``generic`` source (docs/vendors/generic.md):

- how deliveries are signed: Standard Webhooks (the default), or an HMAC of the raw body
  in one header (``signature:``, :class:`HmacSignature`);
- how a body is read: as an event already in hookyard's JSON form (the default), or through
  ``mapping:``, JSON paths of another platform's body for the event's fields
  (:mod:`hookyard.builtin.generic.mapping`).

Another hookyard can feed a source that keeps both defaults: its ``http`` sink sends exactly
the body and headers this vendor verifies and parses.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from hookyard import (
    EVENT_TYPES,
    AuthenticationFailed,
    Event,
    PayloadRejected,
    SimulatedRequest,
    VendorSpec,
    WebhookRequest,
    hookimpl,
    signing,
)
from hookyard._json import dumps
from hookyard.builtin.generic.config import GenericConfig, HmacSignature, register_hooks
from hookyard.builtin.generic.jsonform import json_form_event, sample
from hookyard.builtin.generic.mapping import mapped_event, sample_body

if TYPE_CHECKING:
    from collections.abc import Callable

    import cattrs

__all__ = ["ACTIONS", "GenericConfig", "GenericVendor", "HmacSignature", "simulate", "verify"]

#: The sample deliveries ``hookyard simulate`` lists; any event type is accepted.
ACTIONS = ("chat.started", "chat.message", "chat.closed", "webhook.test")


def verify(config: GenericConfig, request: WebhookRequest) -> None:
    """Check the signature under any of the source's secrets, the current one first."""
    if not config.secrets:
        raise AuthenticationFailed("no secret is configured for this source")
    failures = []
    for secret in config.secrets:
        try:
            _check(config, secret, request)
        except signing.SignatureInvalid as exc:
            failures.append(str(exc))
        else:
            return
    raise AuthenticationFailed(failures[0])


def _check(config: GenericConfig, secret: str, request: WebhookRequest) -> None:
    signature = config.signature
    if signature is None:
        signing.verify(
            secret,
            request.headers,
            request.body,
            tolerance=config.max_age,
            now=request.received_at.timestamp(),
        )
        return
    try:
        signing.verify_hmac(
            secret,
            request.body,
            request.headers.get(signature.header.lower()),
            algorithm=signature.algorithm,
            encodings=(signature.encoding,),
            prefix=signature.prefix,
        )
    except signing.SignatureInvalid as exc:
        raise signing.SignatureInvalid(f"{signature.header.lower()}: {exc}") from None


def simulate(config: GenericConfig, action: str) -> SimulatedRequest:
    """A sample event of type ``action``, signed when a secret is set.

    With a mapping, the sample is written at the mapping's paths (:func:`sample_body`).
    """
    if action not in EVENT_TYPES:
        raise ValueError(f"unknown action {action!r} (try one of: {', '.join(ACTIONS)})")
    event = sample(action, datetime.now(UTC))
    body = dumps(event if config.mapping is None else sample_body(config.mapping, event)).encode()
    headers = {"content-type": "application/json"}
    if config.signature is None:
        headers.update(signing.signature_headers(config.secret, event["id"], body))
    elif config.secret:
        digest = signing.hmac_digest(
            config.secret,
            body,
            algorithm=config.signature.algorithm,
            encoding=config.signature.encoding,
        )
        headers[config.signature.header] = config.signature.prefix + digest
    return SimulatedRequest(body=body, headers=headers)


class GenericVendor:
    """The plugin: it keeps the converter hookyard hands it, to structure event parts.

    One object per plugin manager (hookyard makes it), so each host parses with its own
    converter.
    """

    def __init__(self) -> None:
        self._converter: cattrs.Converter | None = None

    @hookimpl
    def hookyard_configure_converter(self, converter: cattrs.Converter) -> None:
        """Keep the converter (it structures ``chat``, ``customer``, ``agent``, ``message``),
        and teach it the options of ``generic`` sources."""
        self._converter = converter
        register_hooks(converter)

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
        """One event from a JSON object, in the JSON form or read through the mapping."""
        body = request.json()
        if not isinstance(body, dict):
            raise PayloadRejected("body must be a JSON object")
        webhook_id = request.headers.get("webhook-id")
        if config.mapping is not None:
            event = mapped_event(
                config.mapping, body, request.source, request.received_at, webhook_id
            )
            return [event]
        if self._converter is None:
            raise RuntimeError("hookyard never called hookyard_configure_converter")
        return [
            json_form_event(self._converter, body, request.source, request.received_at, webhook_id)
        ]
