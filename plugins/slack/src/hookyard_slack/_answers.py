"""How the ``slack`` sink reads Slack's answers: which errors are retried, which are dead,
and what of an answer may be kept (excerpts without secrets)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hookyard import DeliveryFailed, parse_retry_after

if TYPE_CHECKING:
    import httpx

__all__ = [
    "EXCERPT_CHARS",
    "RETRIED",
    "excerpt",
    "failure_of",
    "rate_limited",
]

#: How much of a failed answer's body is kept with the delivery.
EXCERPT_CHARS = 500
#: Web API errors that say nothing about the request: tried again. Every other error
#: (``channel_not_found``, ``invalid_auth``, ``msg_too_long``, and any Slack adds) is dead.
RETRIED = frozenset(
    {"internal_error", "fatal_error", "request_timeout", "service_unavailable", "team_added_to_org"}
)
_RATE_LIMITED = frozenset({"ratelimited", "rate_limited", "message_limit_exceeded"})
REDACTED = "[redacted]"


def excerpt(text: str, secrets: tuple[str, ...]) -> str:
    """At most :data:`EXCERPT_CHARS` of ``text``, every secret in it replaced."""
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text[:EXCERPT_CHARS]


def rate_limited(response: httpx.Response, what: str, secrets: tuple[str, ...]) -> DeliveryFailed:
    """A 429: retried, and with ``Retry-After`` the whole sink pauses that long."""
    wait = parse_retry_after(response.headers.get("retry-after"))
    after = f", retry after {wait:g}s" if wait is not None else ""
    return DeliveryFailed(
        f"{what}: rate limited (HTTP 429{after})",
        status_code=429,
        retry_after=wait,
        response=excerpt(response.text, secrets),
    )


def failure_of(
    method: str, answer: dict[str, Any], body: str, secrets: tuple[str, ...]
) -> DeliveryFailed:
    """The failure for a Web API answer ``{"ok": false, "error": ...}`` (HTTP 200)."""
    error = str(answer.get("error") or "unknown error")
    reason = f"Slack {method}: {error}"
    if answer.get("needed"):
        reason += f" (the token needs the scope {answer['needed']})"
    details = (answer.get("response_metadata") or {}).get("messages")
    if isinstance(details, list) and details:
        reason += f": {'; '.join(str(d) for d in details[:3])}"
    reason = excerpt(" ".join(reason.split()), secrets)
    kept = excerpt(body, secrets)
    if error in _RATE_LIMITED:
        return DeliveryFailed(reason, status_code=429, response=kept)
    return DeliveryFailed(reason, status_code=200, response=kept, permanent=error not in RETRIED)
