"""The ``teams`` sink: posts an Adaptive Card to a Microsoft Teams Workflows webhook.

Any 2xx is success (Workflows answers 202 with an empty body); a 429 with ``Retry-After``
pauses the sink; another 4xx is dead with the answer's own message; a 5xx, a timeout or a
connection error is retried. A Workflows webhook returns no id and nothing can find a
posted card again, so a retry after a timeout may post the card twice (README.md).
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from attrs import field, frozen

from hookyard import (
    DeliveryFailed,
    DeliveryResult,
    Seconds,
    SinkSpec,
    hide_in_logs,
    hookimpl,
    http_url,
    parse_retry_after,
    positive_seconds,
    url_secrets,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard import DeliveryRequest

__all__ = [
    "ACTIONS",
    "CARD_VERSION",
    "TeamsConfig",
    "TeamsPost",
    "TeamsSink",
    "hookyard_register_sinks",
    "message_of",
]

ACTIONS = ("post",)
#: The Adaptive Card version of cards built from ``text`` (and of a ``card`` saying none).
CARD_VERSION = "1.4"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
EXCERPT_CHARS = 500
REDACTED = "[redacted]"


@frozen
class TeamsConfig:
    """Options of the ``teams`` sink.

    :param webhook_url: the URL of the Workflows trigger "When a Teams webhook request is
        received" (its ``sig=`` query parameter is the credential: a secret, never shown).
    :param timeout: how long one attempt may take in all (default 10 seconds); an attempt
        that runs out of time is retried.
    """

    webhook_url: str = field(repr=False, validator=http_url(secure=True))
    timeout: Seconds = field(default=Seconds(10.0), validator=positive_seconds)


def _card(_instance: object, _attribute: object, value: dict[str, Any] | None) -> None:
    if value is not None and value.get("type", "AdaptiveCard") != "AdaptiveCard":
        raise ValueError(
            f"card must be an Adaptive Card (type AdaptiveCard, not {value['type']!r})"
        )


@frozen
class TeamsPost:
    """``post``: give ``text`` or ``card``.

    :param text: shown as the card's one text block (Adaptive Card markdown: ``**bold**``,
        lists, links).
    :param card: an Adaptive Card, a mapping (rendered to native values); ``type`` and
        ``version`` default to ``AdaptiveCard`` and :data:`CARD_VERSION`.
    """

    text: str | None = None
    card: dict[str, Any] | None = field(default=None, validator=_card)

    def __attrs_post_init__(self) -> None:
        if (not self.text) == (not self.card):
            raise ValueError("give text or card (one of them)")


def message_of(params: TeamsPost) -> dict[str, Any]:
    """The message envelope Workflows takes: one Adaptive Card attachment."""
    if params.card:
        content = {"type": "AdaptiveCard", "version": CARD_VERSION, **params.card}
    else:
        content = {
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": CARD_VERSION,
            "body": [{"type": "TextBlock", "text": params.text, "wrap": True}],
        }
    return {
        "type": "message",
        "attachments": [{"contentType": CARD_TYPE, "contentUrl": None, "content": content}],
    }


class TeamsSink:
    """One connection pool (an :class:`httpx.AsyncClient`, made at the first delivery)."""

    def __init__(self, config: TeamsConfig) -> None:
        self.config = config
        self._client: httpx.AsyncClient | None = None
        parts = urlsplit(config.webhook_url)
        self._host = parts.hostname or "the webhook"
        # The query holds the signature; the path names the flow.
        self._secrets = (
            *url_secrets(config.webhook_url),
            *(v for _k, v in parse_qsl(parts.query) if v),
        )
        for secret in url_secrets(config.webhook_url):
            hide_in_logs(secret, f"{parts.scheme}://{parts.netloc}/[redacted]")

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        """POST the card; raise DeliveryFailed unless 2xx."""
        params = request.params
        if not isinstance(params, TeamsPost):
            try:
                params = TeamsPost(**dict(params))
            except (TypeError, ValueError) as exc:
                raise DeliveryFailed(f"with: {exc}", permanent=True) from None
        body = json.dumps(message_of(params), ensure_ascii=False).encode()
        try:
            async with asyncio.timeout(self.config.timeout):
                response = await self._open().post(
                    self.config.webhook_url,
                    content=body,
                    headers={"content-type": "application/json; charset=utf-8"},
                )
        except (TimeoutError, httpx.TimeoutException):
            raise DeliveryFailed(f"timed out after {self.config.timeout:g}s") from None
        except httpx.HTTPError as exc:
            said = self._excerpt(str(exc) or type(exc).__name__)
            raise DeliveryFailed(f"connection to {self._host} failed: {said}") from None
        if 200 <= response.status_code < 300:
            return DeliveryResult(response=f"HTTP {response.status_code}")
        raise self._failure(response)

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _open(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.config.timeout, follow_redirects=False)
        return self._client

    def _failure(self, response: httpx.Response) -> DeliveryFailed:
        said = self._excerpt(response.text)
        message = _error_message(response) or " ".join(said.split())[:200]
        status = response.status_code
        reason = f"{self._host} answered HTTP {status}"
        return DeliveryFailed(
            self._excerpt(f"{reason}: {message}" if message else reason),
            status_code=status,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
            response=said,
        )

    def _excerpt(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text[:EXCERPT_CHARS]


def _error_message(response: httpx.Response) -> str | None:
    """``error.message`` (with ``error.code``) of a Workflows (Logic Apps) error body."""
    try:
        answer = response.json()
    except ValueError:
        return None
    error = answer.get("error") if isinstance(answer, dict) else None
    if not isinstance(error, dict):
        return None
    code, message = error.get("code"), error.get("message")
    text = " ".join(str(message or "").split())
    return f"{code}: {text}" if code and text else (text or (str(code) if code else None))


@hookimpl
def hookyard_register_sinks(register: Callable[[SinkSpec], None]) -> None:
    """Register the ``teams`` sink."""
    register(
        SinkSpec(
            name="teams",
            config_type=TeamsConfig,
            open=TeamsSink,
            actions=ACTIONS,
            params={"post": TeamsPost},
        )
    )
