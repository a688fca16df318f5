"""``echo``: an in-process test vendor whose parser raises when the body asks it to.

It authenticates like LiveChat (the source's ``secret`` echoed inside the JSON body as
``secret_key``, ``auth_fields=("secret",)`` so the host redacts it) and parses any other
authentic object into one ``unknown`` event. A body with ``"raise": "ValueError"`` (or
``TypeError``) makes the parser raise that exception, never :class:`~hookyard.PayloadRejected`,
quoting the body's ``quote`` with ``repr`` the way real parsers quote what they could not
read: the host's "authentic, parser raised" path (200, kept as ``unparsed``), without
depending on any real vendor being lax.

Register :data:`PLUGINS` in-process (``load_setup(..., plugins=PLUGINS)``); a ``hookyard
serve`` subprocess does not know the vendor.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard import AuthenticationFailed, Event, PayloadRejected, VendorSpec, hookimpl

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from hookyard import WebhookRequest

__all__ = ["PLUGINS", "RAISES", "EchoConfig", "EchoPlugin", "echo_body"]

#: What ``"raise"`` may name: exceptions a parser's bug could raise.
RAISES: dict[str, type[Exception]] = {"ValueError": ValueError, "TypeError": TypeError}


@frozen
class EchoConfig:
    secret: str | None = None


def _verify(config: EchoConfig, request: WebhookRequest) -> None:
    """LiveChat's scheme: the body's ``secret_key`` must equal the source's ``secret``."""
    body = request.json()
    if not isinstance(body, dict):
        raise PayloadRejected("echo body is not a JSON object")
    given = body.get("secret_key")
    if not isinstance(given, str):
        raise AuthenticationFailed("echo body has no secret_key string")
    if config.secret is None or not hmac.compare_digest(given.encode(), config.secret.encode()):
        raise AuthenticationFailed("echo secret_key does not match the configured secret")


def _parse(_config: EchoConfig, request: WebhookRequest) -> Sequence[Event]:
    body = request.json()
    raises = body.get("raise")
    if raises is not None:
        if raises not in RAISES:
            raise PayloadRejected(f"raise: not one of {', '.join(RAISES)}")
        raise RAISES[raises](f"cannot read {body.get('quote')!r}")
    if not isinstance(body.get("id"), str):
        raise PayloadRejected("id: expected a string")
    return [
        Event(
            id=body["id"],
            source=request.source,
            vendor="echo",
            type="unknown",
            vendor_type="echo",
            occurred_at=request.received_at,
            received_at=request.received_at,
            raw={key: value for key, value in body.items() if key != "secret_key"},
        )
    ]


class EchoPlugin:
    @hookimpl
    def hookyard_register_vendors(self, register: Callable[[VendorSpec], None]) -> None:
        register(VendorSpec("echo", EchoConfig, _verify, _parse, auth_fields=("secret",)))


#: The ``plugins=`` of :func:`hookyard.host.load_setup` that adds the ``echo`` vendor.
PLUGINS: dict[str, object] = {"intake-echo-vendor": EchoPlugin()}


def echo_body(
    secret: str, raises: str | None = "ValueError", quote: Any = None, **extra: Any
) -> dict[str, Any]:
    """An authentic ``echo`` body for ``secret``; its parser raises ``raises`` quoting ``quote``.

    ``raises=None`` gives a body the parser reads (give it an ``id``).
    """
    body: dict[str, Any] = {"secret_key": secret, **extra}
    if raises is not None:
        body["raise"] = raises
        body["quote"] = quote
    return body
