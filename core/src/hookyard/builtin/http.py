"""The ``http`` sink: POST each delivery as JSON, signed the Standard Webhooks way.

It posts with aiohttp: bench/stacks.py measured this sink at 120–150 µs of CPU per POST on
aiohttp against 1,200–1,400 µs on httpx (docs/benchmarks.md, "Server stack and HTTP client").
"""

from __future__ import annotations

import asyncio
import codecs
import importlib.metadata
import json
import os
import ssl
import urllib.request
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp
import certifi
from attrs import field, frozen
from attrs.validators import optional
from yarl import URL

from hookyard import (
    DeliveryFailed,
    DeliveryResult,
    Seconds,
    SinkSpec,
    hookimpl,
    http_url,
    parse_retry_after,
    positive_seconds,
    redact,
    signing,
)
from hookyard._json import dumps

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard import DeliveryRequest

__all__ = [
    "HttpSink",
    "HttpSinkConfig",
    "hookyard_register_sinks",
    "render_body",
]

#: How much of a failed answer's body is kept with the delivery.
EXCERPT_CHARS = 500
JSON_TYPE = "application/json"
TEXT_TYPE = "text/plain; charset=utf-8"


@frozen
class HttpSinkConfig:
    """Options of the ``http`` sink, which POSTs every delivery to one URL.

    :param url: where to POST; an ``http://`` or ``https://`` URL. Redirects are not
        followed: a 3xx answer is a failed attempt.
    :param secret: signs every request the Standard Webhooks way (``webhook-signature:
        v1,<base64 HMAC-SHA256>``). The secret is the base64 of the key after an optional
        ``whsec_`` prefix, as the Standard Webhooks reference library reads it
        (:func:`hookyard.signing.signing_key`). Without a secret, requests carry
        ``webhook-id`` and ``webhook-timestamp`` but no signature.
    :param timeout: how long one attempt may take in all, connecting included: seconds or
        a duration such as ``2s`` or ``500ms`` (default 10 seconds). An attempt that runs
        out of time is retried.
    :param headers: extra request headers, e.g. ``Authorization``. A route's
        ``with: {headers: ...}`` adds to them; the ``webhook-*`` headers cannot be replaced.
    """

    url: str = field(validator=http_url())
    secret: str | None = field(default=None, repr=False, validator=optional(signing.check_secret))
    timeout: Seconds = field(default=Seconds(10.0), validator=positive_seconds)
    headers: dict[str, str] = field(factory=dict, repr=False)


class HttpSink:
    """An open ``http`` sink: one connection pool shared by all its deliveries.

    The pool (an :class:`aiohttp.ClientSession`) is made at the first delivery, on the
    event loop that runs the deliveries; its TLS settings when the sink is opened.
    """

    def __init__(self, config: HttpSinkConfig) -> None:
        self.config = config
        self._host = urlsplit(config.url).hostname or "the target"
        self._url = URL(config.url)  # parsed once, not at every POST
        self._session: aiohttp.ClientSession | None = None
        self._closed = False
        self._proxy = _env_proxy(config.url)
        # Loading the CA bundle takes ~100 ms: here, when the workers start, not in the
        # middle of the first deliveries (it would hold up every other one meanwhile).
        self._ssl = _ssl_context()

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        """POST the event (or the route's ``body``); raise DeliveryFailed unless 2xx."""
        body, content_type = render_body(request.params, request.event)
        headers = self._headers(request, body, content_type)
        try:
            async with asyncio.timeout(self.config.timeout):
                status = await self._post(body, headers)
        except TimeoutError:  # aiohttp's own timeouts are TimeoutErrors too
            raise DeliveryFailed(f"timed out after {self.config.timeout:g}s") from None
        except aiohttp.ClientError as exc:
            raise DeliveryFailed(f"connection failed: {_describe(exc)}") from None
        except DeliveryFailed as failure:  # the target may echo the headers it was sent
            secrets = [
                self.config.secret,
                *self.config.headers.values(),
                *_param_headers(request.params).values(),
            ]
            failure.reason = redact(failure.reason, secrets)
            failure.response = failure.response and redact(failure.response, secrets)
            failure.args = (failure.reason,)
            raise
        return DeliveryResult(response=f"HTTP {status}")

    async def aclose(self) -> None:
        """Close the connection pool."""
        self._closed = True
        if self._session is not None:
            await self._session.close()

    def _headers(self, request: DeliveryRequest, body: bytes, content_type: str) -> dict[str, str]:
        # Names compare without case; the last one given wins, written as it was given.
        given: dict[str, tuple[str, str]] = {"content-type": ("content-type", content_type)}
        for name, value in (*self.config.headers.items(), *_param_headers(request.params).items()):
            given[name.lower()] = (name, value)
        headers = dict(pair for lower, pair in given.items() if not lower.startswith("webhook-"))
        if any("\n" in text or "\r" in text for item in headers.items() for text in item):
            raise DeliveryFailed("headers has a line break in a name or value", permanent=True)
        key = request.idempotency_key
        headers.update(signing.signature_headers(self.config.secret, key, body))
        return headers

    def _open(self) -> aiohttp.ClientSession:
        if self._closed:
            raise RuntimeError("the http sink is closed")
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=self._ssl),
                headers={"user-agent": _user_agent()},
                # The attempt's own asyncio.timeout bounds it: no second timer per POST.
                timeout=aiohttp.ClientTimeout(),
                cookie_jar=aiohttp.DummyCookieJar(),  # every delivery stands alone
            )
        return self._session

    async def _post(self, body: bytes, headers: dict[str, str]) -> int:
        session = self._open()
        async with session.post(
            self._url,
            data=body,
            headers=headers,
            allow_redirects=False,
            proxy=self._proxy,
        ) as answer:
            if 200 <= answer.status < 300:
                return answer.status
            raise DeliveryFailed(
                f"HTTP {answer.status} from {self._host}",
                status_code=answer.status,
                retry_after=parse_retry_after(answer.headers.get("retry-after")),
                response=await _excerpt(answer),
            )


def render_body(params: Mapping[str, Any], event: Mapping[str, Any]) -> tuple[bytes, str]:
    """The request body and its content type.

    The event's JSON form, unless the route gives ``body``: a string is sent as is (as JSON
    when it parses as JSON, else as UTF-8 text), anything else as JSON.
    """
    body = params.get("body")
    if body is None:
        return dumps(event).encode(), JSON_TYPE
    if isinstance(body, str):
        return body.encode(), JSON_TYPE if _is_json(body) else TEXT_TYPE
    return dumps(body).encode(), JSON_TYPE


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _param_headers(params: Mapping[str, Any]) -> dict[str, str]:
    given = params.get("headers")
    if given is None:
        return {}
    if not isinstance(given, Mapping):
        raise DeliveryFailed("with.headers must be a mapping of names to values", permanent=True)
    headers = {str(name): str(value) for name, value in given.items()}
    if any("\n" in text or "\r" in text for item in headers.items() for text in item):
        raise DeliveryFailed("with.headers has a line break in a name or value", permanent=True)
    return headers


async def _excerpt(answer: aiohttp.ClientResponse) -> str:
    """The start of the answer's body, without reading more than needed."""
    data = b""
    try:
        async for chunk in answer.content.iter_any():
            data += chunk
            if len(data) >= 4 * EXCERPT_CHARS:
                break
    except aiohttp.ClientError:
        pass  # keep what arrived; the status code says enough
    return data.decode(_encoding(answer), errors="replace")[:EXCERPT_CHARS]


def _encoding(answer: aiohttp.ClientResponse) -> str:
    try:
        return codecs.lookup(answer.charset or "utf-8").name
    except LookupError:
        return "utf-8"


def _describe(exc: aiohttp.ClientError) -> str:
    return str(exc) or type(exc).__name__


def _env_proxy(url: str) -> str | None:
    """The proxy ``HTTP_PROXY``, ``HTTPS_PROXY`` or ``ALL_PROXY`` names for ``url``.

    ``None`` when there is none or ``NO_PROXY`` exempts the host; credentials in the proxy's
    URL are sent as ``Proxy-Authorization``. Looked up once per sink: aiohttp's ``trust_env``
    would look it up (and read ``~/.netrc``) in a thread on every request, which tripled
    the CPU per POST (bench/stacks.py).
    """
    parts = urlsplit(url)
    if urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy:
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


_SSL: ssl.SSLContext | None = None


def _ssl_context() -> ssl.SSLContext:
    """TLS verified against ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` if set, else certifi's CAs."""
    global _SSL
    if _SSL is None:
        if os.environ.get("SSL_CERT_FILE"):
            _SSL = ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
        elif os.environ.get("SSL_CERT_DIR"):
            _SSL = ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
        else:
            _SSL = ssl.create_default_context(cafile=certifi.where())
    return _SSL


def _user_agent() -> str:
    try:
        return f"hookyard/{importlib.metadata.version('hookyard')}"
    except importlib.metadata.PackageNotFoundError:
        return "hookyard"


@hookimpl
def hookyard_register_sinks(register: Callable[[SinkSpec], None]) -> None:
    """Register the ``http`` sink."""
    register(
        SinkSpec(
            name="http",
            config_type=HttpSinkConfig,
            open=HttpSink,
            actions=("post",),
            params={"post": frozenset({"body", "headers"})},
        )
    )
