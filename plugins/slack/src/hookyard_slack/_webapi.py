"""The few Web API methods the ``slack`` sink calls, and how it finds a post again."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from hookyard import DeliveryFailed, parse_retry_after
from hookyard_slack._answers import excerpt, failure_of, rate_limited

if TYPE_CHECKING:
    from collections.abc import Mapping

    import httpx

__all__ = ["EVENT_TYPE", "LOOKUP_MARGIN", "WebApi", "metadata", "since"]

#: ``metadata.event_type`` of every message the sink posts with a token.
EVENT_TYPE = "hookyard_delivery"
#: Seconds before the event was received that a lookup starts at (clocks differ).
LOOKUP_MARGIN = 60.0
#: Messages per page of a lookup, and the pages read at most.
PAGE_SIZE = 200
MAX_PAGES = 5


def metadata(key: str) -> dict[str, Any]:
    """The metadata that marks a post as the delivery's with this idempotency ``key``."""
    return {"event_type": EVENT_TYPE, "event_payload": {"hookyard_key": key}}


def since(event: Mapping[str, Any]) -> str | None:
    """``oldest`` for a lookup: a minute before hookyard received the event (no delivery
    of it was attempted earlier); ``None`` when the event says no time."""
    for name in ("received_at", "occurred_at"):
        try:
            when = datetime.fromisoformat(str(event.get(name)))
        except ValueError:
            continue
        if when.tzinfo is not None:
            return f"{when.timestamp() - LOOKUP_MARGIN:.6f}"
    return None


class WebApi:
    """Calls Web API methods with the bot token, raising :class:`DeliveryFailed` for
    every answer but ``ok: true``."""

    def __init__(self, client: httpx.AsyncClient, base_url: str, token: str) -> None:
        self._client = client
        self._base_url = base_url
        self._auth = {"authorization": f"Bearer {token}"}
        self._secrets = (token,)

    async def write(self, method: str, arguments: Mapping[str, Any]) -> dict[str, Any]:
        """A write method (``chat.postMessage``, ``chat.update``), with a JSON body."""
        body = json.dumps(arguments, ensure_ascii=False).encode()
        headers = {**self._auth, "content-type": "application/json; charset=utf-8"}
        response = await self._client.post(
            f"{self._base_url}/{method}", content=body, headers=headers
        )
        return self._answer(method, response)

    async def read(self, method: str, arguments: Mapping[str, str]) -> dict[str, Any]:
        """A read method (``conversations.*``): they take form bodies, not JSON."""
        url = f"{self._base_url}/{method}"
        response = await self._client.post(url, data=dict(arguments), headers=self._auth)
        return self._answer(method, response)

    async def find(
        self, channel: str, key: str, oldest: str | None, thread_ts: str | None
    ) -> str | None:
        """The ``ts`` of the message posted with :func:`metadata` of ``key``: among the
        channel's messages (or the thread's replies) since ``oldest``, newest pages first."""
        method = "conversations.history" if thread_ts is None else "conversations.replies"
        arguments = {"channel": channel, "limit": str(PAGE_SIZE), "include_all_metadata": "true"}
        if thread_ts is not None:
            arguments["ts"] = thread_ts
        if oldest is not None:
            arguments["oldest"] = oldest
        for _page in range(MAX_PAGES):
            answer = await self.read(method, arguments)
            for message in answer.get("messages") or []:
                if _marked(message, key):
                    return str(message["ts"])
            cursor = (answer.get("response_metadata") or {}).get("next_cursor")
            if not answer.get("has_more") or not cursor:
                return None
            arguments["cursor"] = str(cursor)
        return None

    def _answer(self, method: str, response: httpx.Response) -> dict[str, Any]:
        what = f"Slack {method}"
        if response.status_code == 429:
            raise rate_limited(response, what, self._secrets)
        if response.status_code != 200:
            said = " ".join(excerpt(response.text, self._secrets).split())[:160]
            raise DeliveryFailed(
                f"{what}: HTTP {response.status_code}" + (f": {said}" if said else ""),
                status_code=response.status_code,
                retry_after=parse_retry_after(response.headers.get("retry-after")),
                response=excerpt(response.text, self._secrets),
            )
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise DeliveryFailed(
                f"{what}: HTTP 200 with an answer that is not a JSON object",
                status_code=200,
                response=excerpt(response.text, self._secrets),
                permanent=False,
            )
        if answer.get("ok") is not True:
            raise failure_of(method, answer, response.text, self._secrets)
        return answer


def _marked(message: Any, key: str) -> bool:
    if not isinstance(message, dict):
        return False
    found = message.get("metadata") or {}
    payload = found.get("event_payload") if isinstance(found, dict) else None
    return (
        found.get("event_type") == EVENT_TYPE
        and isinstance(payload, dict)
        and payload.get("hookyard_key") == key
    )
