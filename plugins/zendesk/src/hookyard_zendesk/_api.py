"""The Zendesk Support API as the sink uses it: authenticated requests, errors as one line.

Every answer that is not 2xx becomes a :class:`~hookyard.DeliveryFailed` carrying the HTTP
status (hookyard's status policy decides: 5xx, 408, 409, 429 retried, other 4xx dead),
``Retry-After`` (a 429 or 503 pauses the sink) and Zendesk's own message
(``error``/``description``/``details``, or the text of a text/plain answer). The API token
is never part of a reason or response: an answer that echoes it has it replaced.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from hookyard import DeliveryFailed, parse_retry_after, redact

if TYPE_CHECKING:
    from hookyard_zendesk._config import ZendeskConfig

__all__ = ["EXCERPT_CHARS", "MARKER", "ZendeskApi"]

#: How much of a failed answer's body is kept with the delivery.
EXCERPT_CHARS = 500
#: How much of Zendesk's message a reason quotes.
REASON_CHARS = 300
#: The audit metadata key holding the idempotency key of the delivery that made the update.
MARKER = "hookyard_delivery"


class ZendeskApi:
    """One account's API: an :class:`httpx.AsyncClient` made at the first request."""

    def __init__(self, config: ZendeskConfig) -> None:
        self.config = config
        self.host = urlsplit(config.url).netloc
        credentials = f"{config.email}/token:{config.token}".encode()
        basic = base64.b64encode(credentials).decode()
        self._secrets = (config.token, basic, f"Basic {basic}")
        self._client: httpx.AsyncClient | None = None

    def _open(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                base_url=self.config.url,
                auth=httpx.BasicAuth(f"{self.config.email}/token", self.config.token),
                headers={"accept": "application/json", "user-agent": "hookyard-zendesk"},
                timeout=self.config.timeout,
                follow_redirects=False,
            )
        return self._client

    async def aclose(self) -> None:
        """Close the connection pool."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        body: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """The 2xx answer to one request; anything else raises DeliveryFailed.

        :param what: what the request does, for the reason (``creating the ticket``).
        """
        try:
            answer = await self._open().request(
                method, path, json=body, params=params, headers=headers
            )
        except httpx.TimeoutException:
            raise DeliveryFailed(f"{what}: timed out after {self.config.timeout:g}s") from None
        except httpx.HTTPError as exc:
            reason = self.redact(str(exc) or type(exc).__name__)
            raise DeliveryFailed(f"{what}: connection to {self.host} failed: {reason}") from None
        if not answer.is_success:
            raise self.failure(answer, what)
        return answer

    async def json(self, method: str, path: str, what: str, **given: Any) -> dict[str, Any]:
        """The JSON object of the 2xx answer to one request."""
        return self.parsed(await self.call(method, path, what, **given), what)

    def parsed(self, answer: httpx.Response, what: str) -> dict[str, Any]:
        """The JSON object of a 2xx answer; one that is not JSON fails the attempt."""
        try:
            data = answer.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise DeliveryFailed(
                f"{what}: HTTP {answer.status_code} from {self.host} is not a JSON object",
                response=self.excerpt(answer),
            )
        return data

    def failure(self, answer: httpx.Response, what: str) -> DeliveryFailed:
        """The failed attempt an answer that is not 2xx makes."""
        message = " ".join(self.redact(_message(answer)).split())[:REASON_CHARS]
        reason = f"{what}: HTTP {answer.status_code} from {self.host}"
        return DeliveryFailed(
            f"{reason}: {message}" if message else reason,
            status_code=answer.status_code,
            retry_after=parse_retry_after(answer.headers.get("retry-after")),
            response=self.excerpt(answer),
        )

    def excerpt(self, answer: httpx.Response) -> str:
        """The start of the answer's body, secrets removed."""
        return self.redact(answer.text)[:EXCERPT_CHARS]

    def redact(self, text: str) -> str:
        """``text`` without the API token (or the basic-auth value made from it)."""
        return redact(text, self._secrets)

    async def find_ticket(self, external_id: str) -> int | None:
        """The newest ticket whose ``external_id`` is this (the exact lookup, not search)."""
        data = await self.json(
            "GET",
            "/api/v2/tickets.json",
            "looking the ticket up by external_id",
            params={"external_id": external_id},
        )
        found = [t.get("id") for t in data.get("tickets") or [] if isinstance(t, dict)]
        ids = [i for i in found if isinstance(i, int)]
        return max(ids) if ids else None

    async def status_of(self, ticket_id: int) -> str | None:
        """The ticket's status."""
        what = f"reading ticket {ticket_id}"
        data = await self.json("GET", f"/api/v2/tickets/{ticket_id}.json", what)
        ticket = data.get("ticket")
        return ticket.get("status") if isinstance(ticket, dict) else None

    async def was_updated_by(self, ticket_id: int, key: str) -> bool:
        """Whether an audit of the ticket carries ``key`` in its custom metadata.

        Reads every page of the ticket's audits (cursor pagination; offset pagination's
        ``next_page`` too), always from the configured account, whatever host a next link
        names.
        """
        what = f"reading the audits of ticket {ticket_id}"
        target = f"/api/v2/tickets/{ticket_id}/audits.json?page%5Bsize%5D=100"
        seen: set[str] = set()
        while target not in seen:
            seen.add(target)
            data = await self.json("GET", target, what)
            for audit in data.get("audits") or []:
                custom = ((audit or {}).get("metadata") or {}).get("custom") or {}
                if isinstance(custom, dict) and custom.get(MARKER) == key:
                    return True
            following = _next_page(data)
            if following is None:
                return False
            parts = urlsplit(following)
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        return False


def _next_page(data: dict[str, Any]) -> str | None:
    meta = data.get("meta")
    if isinstance(meta, dict):
        links = data.get("links") or {}
        following = links.get("next") if meta.get("has_more") else None
    else:
        following = data.get("next_page")
    return following if isinstance(following, str) and following else None


def _message(answer: httpx.Response) -> str:
    """Zendesk's own words: ``error: description (field: what, ...)``, or the text."""
    try:
        data = answer.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return answer.text
    error = data.get("error")
    if isinstance(error, dict):  # {"error": {"title": "Forbidden", "message": "..."}}
        error = ": ".join(str(error[k]) for k in ("title", "message") if error.get(k))
    parts = [str(p) for p in (error, data.get("description")) if p]
    details = _details(data.get("details"))
    message = ": ".join(parts)
    return f"{message} ({details})" if details else message


def _details(details: Any) -> str:
    """``details``: ``{"requester": [{"description": "..."}]}`` as ``requester: ...``."""
    if not isinstance(details, dict):
        return ""
    found = []
    for field, problems in details.items():
        for problem in problems if isinstance(problems, list) else [problems]:
            text = problem.get("description") if isinstance(problem, dict) else problem
            if text:
                found.append(f"{field}: {text}")
    return "; ".join(found)
