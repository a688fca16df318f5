"""Jira Cloud's REST API v3 over one httpx connection pool, its answers made into
:class:`~hookyard.DeliveryFailed` with Jira's own messages and no secret in them."""

from __future__ import annotations

import base64
import importlib.metadata
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from hookyard import DeliveryFailed, parse_retry_after, redact

if TYPE_CHECKING:
    import ssl

    from hookyard_jira._config import JiraConfig

__all__ = ["EXCERPT_CHARS", "JiraClient", "error_message"]

#: How much of a failed answer's body is kept with the delivery.
EXCERPT_CHARS = 500
#: How much of Jira's message goes into the one-line reason.
MESSAGE_CHARS = 300
_TITLE = re.compile(r"<title>\s*(.*?)\s*</title>", re.IGNORECASE | re.DOTALL)


class JiraClient:
    """Requests to one Jira site, authenticated as ``email:token``.

    The pool is made when the sink is opened (its TLS settings loaded then, not within the
    first attempt's time), and connects at the first request.
    """

    def __init__(self, config: JiraConfig) -> None:
        self.config = config
        pair = f"{config.email}:{config.token}"
        # The token as given, and as the Authorization header carries it.
        self._secrets = (config.token, pair, base64.b64encode(pair.encode()).decode())
        self._client = httpx.AsyncClient(
            base_url=config.url.rstrip("/"),
            auth=httpx.BasicAuth(config.email, config.token),
            headers={"accept": "application/json", "user-agent": _user_agent()},
            # The attempt's own deadline bounds it; this is a second fence.
            timeout=httpx.Timeout(config.timeout),
            follow_redirects=False,
            verify=_ssl_context(),
        )

    async def call(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        """The JSON of a 2xx answer to ``method path``; else DeliveryFailed naming ``what``."""
        try:
            answer = await self._client.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise DeliveryFailed(f"{what}: Jira did not answer in time") from None
        except httpx.HTTPError as exc:
            raise DeliveryFailed(
                f"{what}: connection failed: {self.redact(_describe(exc))}"
            ) from None
        if not answer.is_success:
            raise self._failure(answer, what)
        try:
            return answer.json()
        except ValueError:
            # 2xx but not Jira's JSON (a proxy's page): the write may have happened, and the
            # next attempt looks for it before writing again.
            raise DeliveryFailed(
                f"{what}: HTTP {answer.status_code} but the answer is not JSON",
                response=self.redact(answer.text[:EXCERPT_CHARS]),
                permanent=False,
            ) from None

    async def aclose(self) -> None:
        """Close the pool."""
        await self._client.aclose()

    def redact(self, text: str) -> str:
        """``text`` without the token or the credentials in any form Jira may echo."""
        return redact(text, self._secrets)

    def _failure(self, answer: httpx.Response, what: str) -> DeliveryFailed:
        status = answer.status_code
        message = self.redact(error_message(answer))
        if len(message) > MESSAGE_CHARS:
            message = message[: MESSAGE_CHARS - 1] + "…"
        redirected = 300 <= status < 400
        if redirected:  # a wrong url: retrying would not mend it
            where = self.redact(answer.headers.get("location", "elsewhere"))
            message = f"redirected to {where} (url must be the site's own address)"
        reason = f"{what}: Jira answered {status}"
        return DeliveryFailed(
            f"{reason}: {message}" if message else reason,
            status_code=status,
            retry_after=_retry_after(answer),
            response=self.redact(answer.text[:EXCERPT_CHARS]),
            permanent=True if redirected else None,
        )


def error_message(answer: httpx.Response) -> str:
    """Jira's message in one line: ``errorMessages`` and ``errors`` (``field: message``),
    a ``message`` member, an HTML page's title, or the text."""
    try:
        body = answer.json()
    except ValueError:
        body = None
    parts: list[str] = []
    if isinstance(body, dict):
        parts += [str(m) for m in body.get("errorMessages") or [] if m]
        errors = body.get("errors")
        if isinstance(errors, dict):
            parts += [f"{name}: {text}" for name, text in errors.items()]
        if not parts and body.get("message"):
            parts.append(str(body["message"]))
    if not parts and body is None:
        text = answer.text
        title = _TITLE.search(text)
        parts.append(title[1] if title else text[:EXCERPT_CHARS])
    return " ".join("; ".join(parts).split())


def _retry_after(answer: httpx.Response) -> float | None:
    """``Retry-After``, else ``X-RateLimit-Reset`` (``yyyy-MM-ddTHH:mmZ``), in seconds."""
    given = parse_retry_after(answer.headers.get("retry-after"))
    if given is not None or answer.status_code not in (429, 503):
        return given
    reset = answer.headers.get("x-ratelimit-reset")
    try:
        when = datetime.strptime(reset or "", "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


_SSL: ssl.SSLContext | None = None


def _ssl_context() -> ssl.SSLContext:
    """TLS verified against ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` if set, else certifi's CAs;
    loaded once per process (it takes about 100 ms)."""
    global _SSL
    if _SSL is None:
        _SSL = httpx.create_ssl_context(trust_env=True)
    return _SSL


def _describe(exc: httpx.HTTPError) -> str:
    return " ".join((str(exc) or type(exc).__name__).split())


def _user_agent() -> str:
    try:
        return f"hookyard-jira/{importlib.metadata.version('hookyard-jira')}"
    except importlib.metadata.PackageNotFoundError:
        return "hookyard-jira"
