"""The open ``slack`` sink: posts through an incoming webhook, or through the Web API as
one thread per conversation, each post found again after an attempt of unknown outcome."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import httpx

from hookyard import (
    DeliveryFailed,
    DeliveryResult,
    hide_in_logs,
    parse_retry_after,
    url_secrets,
)
from hookyard_slack._answers import excerpt, rate_limited
from hookyard_slack._config import TokenPost, TokenUpdate, WebhookPost
from hookyard_slack._webapi import WebApi, metadata, since

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hookyard import DeliveryRequest
    from hookyard_slack._config import SlackConfig

__all__ = ["SlackSink"]

_Params = TypeVar("_Params", WebhookPost, TokenPost, TokenUpdate)


class SlackSink:
    """One connection pool (an :class:`httpx.AsyncClient`, made at the first delivery)."""

    def __init__(self, config: SlackConfig) -> None:
        self.config = config
        self._client: httpx.AsyncClient | None = None
        webhook = url_secrets(config.webhook_url) if config.webhook_url else []
        self._secrets = tuple(s for s in (config.token, *webhook) if s)
        if config.webhook_url is not None:
            parts = urlsplit(config.webhook_url)
            for secret in webhook:
                hide_in_logs(secret, f"{parts.scheme}://{parts.netloc}/[redacted]")

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        """Post (or update), within ``timeout``; raise DeliveryFailed otherwise."""
        try:
            async with asyncio.timeout(self.config.timeout):
                return await self._deliver(request)
        except (TimeoutError, httpx.TimeoutException):
            raise DeliveryFailed(f"timed out after {self.config.timeout:g}s") from None
        except httpx.HTTPError as exc:
            described = excerpt(str(exc) or type(exc).__name__, self._secrets)
            raise DeliveryFailed(f"connection to Slack failed: {described}") from None

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _open(self) -> httpx.AsyncClient:
        if self._client is None:
            # The attempt's asyncio.timeout bounds it all; this is a second fence.
            self._client = httpx.AsyncClient(timeout=self.config.timeout, follow_redirects=False)
        return self._client

    async def _deliver(self, request: DeliveryRequest) -> DeliveryResult:
        if self.config.webhook_url is not None:
            if request.action != "post":
                raise DeliveryFailed(
                    "update needs the sink's token option: an incoming webhook cannot edit"
                    " a message",
                    permanent=True,
                )
            params = _params(WebhookPost, request.params)
            return await self._webhook_post(self.config.webhook_url, params)
        assert self.config.token is not None  # one of the two, SlackConfig makes sure
        api = WebApi(self._open(), self.config.base_url, self.config.token)
        if request.action == "update":
            return await _update(api, request, _params(TokenUpdate, request.params))
        return await _post(api, request, _params(TokenPost, request.params))

    async def _webhook_post(self, url: str, params: WebhookPost) -> DeliveryResult:
        body = json.dumps(_content(params), ensure_ascii=False).encode()
        headers = {"content-type": "application/json; charset=utf-8"}
        response = await self._open().post(url, content=body, headers=headers)
        if response.status_code == 429:
            raise rate_limited(response, "Slack webhook", self._secrets)
        said = excerpt(response.text, self._secrets)
        if 200 <= response.status_code < 300:
            return DeliveryResult(response=f"HTTP {response.status_code} {said[:100]}".strip())
        first_line = " ".join(said.split())[:200]
        raise DeliveryFailed(
            f"Slack webhook answered HTTP {response.status_code}: {first_line}",
            status_code=response.status_code,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
            response=said,
        )


async def _post(api: WebApi, request: DeliveryRequest, params: TokenPost) -> DeliveryResult:
    """The conversation's parent message, or a reply in its thread; after an attempt that
    may have posted it, the post found again instead of posting twice."""
    thread = _thread(request.link) if request.conversation is not None else None
    channel, thread_ts = thread if thread is not None else (params.channel, None)
    posted = None
    if request.attempt > 1:
        posted = await api.find(channel, request.idempotency_key, since(request.event), thread_ts)
    found = posted is not None
    if posted is None:
        arguments: dict[str, Any] = {"channel": channel, **_content(params)}
        arguments["metadata"] = metadata(request.idempotency_key)
        if thread_ts is not None:
            arguments["thread_ts"] = thread_ts
        answer = await api.write("chat.postMessage", arguments)
        posted, channel = str(answer["ts"]), str(answer.get("channel") or channel)
    again = " (found again: an earlier attempt had posted it)" if found else ""
    if thread_ts is not None:
        return DeliveryResult(
            response=f"replied {posted} in thread {thread_ts} of {channel}{again}"
        )
    link = {"channel": channel, "ts": posted} if request.conversation is not None else None
    return DeliveryResult(response=f"posted {posted} in {channel}{again}", link=link)


async def _update(api: WebApi, request: DeliveryRequest, params: TokenUpdate) -> DeliveryResult:
    """Edit the conversation's parent message (idempotent: a retry edits it the same)."""
    thread = _thread(request.link)
    if thread is None:
        raise DeliveryFailed(
            "no Slack message to update: this conversation has no parent message yet (a post"
            " to this sink starts it)",
            permanent=True,
        )
    channel, ts = thread
    # Without blocks, chat.update would keep the old ones under the new text.
    arguments = {"channel": channel, "ts": ts, "blocks": [], **_content(params)}
    await api.write("chat.update", arguments)
    return DeliveryResult(response=f"updated {ts} in {channel}")


def _params(cls: type[_Params], given: Any) -> _Params:
    """``given`` as the action's class: the host hands an instance, a direct caller may
    hand a mapping."""
    if isinstance(given, cls):
        return given
    try:
        return cls(**dict(given))
    except (TypeError, ValueError) as exc:
        raise DeliveryFailed(f"with: {exc}", permanent=True) from None


def _thread(link: Mapping[str, Any]) -> tuple[str, str] | None:
    channel, ts = link.get("channel"), link.get("ts")
    if isinstance(channel, str) and isinstance(ts, str) and channel and ts:
        return channel, ts
    return None


def _content(params: WebhookPost | TokenPost | TokenUpdate) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if params.text:
        content["text"] = params.text
    if params.blocks:
        content["blocks"] = params.blocks
    return content
