"""Requests to HubSpot's CRM API and what each failed answer means for the delivery.

Every non-2xx answer becomes a :class:`~hookyard.DeliveryFailed` with HubSpot's own
``category`` and ``message`` and the HTTP status, so hookyard's status policy decides:
5xx, 409 and 429 are retried, other 4xx end the delivery dead. A 429 carries the wait
its limit policy calls for (:func:`wait_for_limit`).
"""

from __future__ import annotations

import importlib.metadata
import logging
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx

from hookyard import DeliveryFailed, parse_retry_after, redact

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hookyard_hubspot._config import HubSpotConfig

__all__ = [
    "EXCERPT_CHARS",
    "HubSpotClient",
    "association_type",
    "daily_reset_in",
    "wait_for_limit",
]

#: How much of a failed answer's body is kept with the delivery.
EXCERPT_CHARS = 500
REASON_CHARS = 300
#: Waited past midnight before the daily limit is tried again: the clocks may differ.
RESET_MARGIN = 30.0
#: The rolling windows' lengths when an answer says nothing of its own.
WINDOWS = {"SECONDLY": 1.0, "TEN_SECONDLY_ROLLING": 10.0}


def daily_reset_in(time_zone: str, now: datetime | None = None) -> float:
    """Seconds from ``now`` until the next midnight in ``time_zone``, plus a small margin."""
    zone = ZoneInfo(time_zone)
    local = (now or datetime.now(UTC)).astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=zone)
    # Subtracted in UTC: across a DST change the local day is 23 or 25 hours long.
    return (midnight.astimezone(UTC) - local.astimezone(UTC)).total_seconds() + RESET_MARGIN


def wait_for_limit(body: Mapping[str, Any], headers: Mapping[str, str], time_zone: str) -> float:
    """Seconds a 429 asks to wait: until midnight for the ``DAILY`` policy, else
    ``Retry-After``, else the window (``X-HubSpot-RateLimit-Interval-Milliseconds``)."""
    asked = parse_retry_after(headers.get("retry-after"))
    if body.get("policyName") == "DAILY":
        return max(asked or 0.0, daily_reset_in(time_zone))
    if asked is not None:
        return asked
    if body.get("policyName") in WINDOWS:
        return WINDOWS[str(body["policyName"])]
    try:
        return int(headers["x-hubspot-ratelimit-interval-milliseconds"]) / 1000
    except (KeyError, ValueError):
        return WINDOWS["TEN_SECONDLY_ROLLING"]


class _RedactTokens(logging.Filter):
    """Removes the tokens from httpcore's DEBUG lines, which show the answers' headers
    (a target that echoes the token there would otherwise have it logged)."""

    def __init__(self) -> None:
        super().__init__()
        self.tokens: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(token in message for token in self.tokens):
            record.msg, record.args = redact(message, self.tokens), ()
        return True


_REDACT = _RedactTokens()
#: The loggers httpcore writes each request's and answer's details to.
HTTP_LOGGERS = ("httpcore.http11", "httpcore.http2", "httpcore.connection", "httpx")


def _hide_in_http_logs(token: str) -> None:
    _REDACT.tokens.add(token)
    for name in HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if _REDACT not in logger.filters:
            logger.addFilter(_REDACT)


class HubSpotClient:
    """One connection pool to HubSpot (made at the first request, on the workers' loop)."""

    def __init__(self, config: HubSpotConfig) -> None:
        self.config = config
        self._base = config.api_url.rstrip("/")
        self._host = urlsplit(config.api_url).hostname or "HubSpot"
        self._http: httpx.AsyncClient | None = None
        _hide_in_http_logs(config.token)

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        query: Mapping[str, str] | None = None,
    ) -> Any:
        """The JSON of a 2xx answer; raises DeliveryFailed for anything else."""
        try:
            answer = await self._open().request(method, path, json=body, params=query)
        except httpx.TimeoutException:
            raise DeliveryFailed(f"timed out after {self.config.timeout:g}s") from None
        except httpx.HTTPError as exc:
            detail = self.redact(str(exc) or type(exc).__name__)
            raise DeliveryFailed(f"connection to {self._host} failed: {detail}") from None
        if not answer.is_success:
            raise self.failure(answer)
        try:
            found = answer.json()
        except ValueError:
            found = None
        if not isinstance(found, dict):  # not JSON, or a list: not an answer HubSpot gives
            raise DeliveryFailed(
                f"HubSpot answered HTTP {answer.status_code} with a body that is not a JSON object",
                status_code=answer.status_code,
                response=self.excerpt(answer.text),
            )
        return found

    async def upsert(
        self, kind: str, id_property: str, value: str, properties: Mapping[str, str]
    ) -> tuple[str, bool]:
        """Make or update one object keyed on a unique property: (its id, whether new)."""
        item = {"id": value, "idProperty": id_property, "properties": dict(properties)}
        answer = await self.call("POST", f"/crm/v3/objects/{kind}/batch/upsert", {"inputs": [item]})
        results = answer.get("results") or []
        if answer.get("errors") or not results:
            # A 207: HubSpot refused this input (its own inputs are checked, not retried).
            [error, *_] = answer.get("errors") or [{"message": "no result for the input"}]
            raise DeliveryFailed(
                self.redact(_reason(f"HubSpot refused the {kind} upsert", error)),
                permanent=True,
                response=self.excerpt(str(answer)),
            )
        return str(results[0]["id"]), bool(results[0].get("new"))

    def failure(self, answer: httpx.Response) -> DeliveryFailed:
        """What a non-2xx answer means, with HubSpot's own message."""
        try:
            body = answer.json()
        except ValueError:
            body = None
        body = body if isinstance(body, dict) else {}
        status = answer.status_code
        wait: float | None
        if status == 429:
            wait = wait_for_limit(body, answer.headers, self.config.time_zone)
            policy = body.get("policyName")
            note = f" ({policy} limit)" if policy else ""
            if policy == "DAILY":
                zone = self.config.time_zone
                note = f" (DAILY limit: resets at midnight {zone}, in {wait / 3600:.1f} h)"
        else:
            wait = parse_retry_after(answer.headers.get("retry-after"))
            note = ""
        return DeliveryFailed(
            self.redact(_reason(f"HubSpot HTTP {status}", body) + note),
            status_code=status,
            retry_after=wait,
            response=self.excerpt(answer.text),
        )

    def redact(self, text: str) -> str:
        """``text`` without the token (an error that echoes it stays shown and stored)."""
        return redact(text, [self.config.token])

    def excerpt(self, text: str) -> str:
        return self.redact(text)[:EXCERPT_CHARS]

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _open(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(
                base_url=self._base,
                headers={
                    "authorization": f"Bearer {self.config.token}",
                    "user-agent": _user_agent(),
                },
                timeout=httpx.Timeout(self.config.timeout),
                follow_redirects=False,
            )
        return self._http


def association_type(type_id: int) -> dict[str, Any]:
    """One of HubSpot's own association types (``HUBSPOT_DEFINED``), by its id."""
    return {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}


def _reason(prefix: str, error: Mapping[str, Any]) -> str:
    """One line: the prefix, HubSpot's category and message."""
    category = error.get("category") or error.get("errorType")
    message = error.get("message")
    text = prefix + (f" {category}" if category else "") + (f": {message}" if message else "")
    text = " ".join(text.split())
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"


def _user_agent() -> str:
    try:
        return f"hookyard-hubspot/{importlib.metadata.version('hookyard-hubspot')}"
    except importlib.metadata.PackageNotFoundError:
        return "hookyard-hubspot"
