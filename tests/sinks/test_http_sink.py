"""The http sink against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import TYPE_CHECKING, Any

import pytest
from standardwebhooks.webhooks import Webhook

from hookyard import parse_retry_after
from hookyard.builtin import http as http_plugin
from hookyard.builtin.http import HttpSinkConfig
from hookyard.config.converter import make_converter
from hookyard.plugins import collect_registry, get_plugin_manager
from hookyard.sinks import DeliveryFailed, Sink, SinkSpec
from hookyard.testing import Reply, assert_sink_contract, delivery_request

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    from conftest import MakeRequest
    from hookyard.testing import RecordingServer


def _registered() -> SinkSpec:
    specs: list[SinkSpec] = []
    http_plugin.hookyard_register_sinks(register=specs.append)
    assert len(specs) == 1
    return specs[0]


@pytest.fixture
async def open_sink() -> AsyncIterator[Callable[..., Sink]]:
    """Open http sinks through the registered spec; close them after the test."""
    spec = _registered()
    opened: list[Sink] = []

    def open_(**options: Any) -> Sink:
        sink = spec.open(spec.config_type(**options))
        opened.append(sink)
        return sink

    yield open_
    for sink in opened:
        await sink.aclose()


def _expected_signature(key: bytes, msg_id: str, timestamp: str, body: bytes) -> str:
    """Standard Webhooks v1, computed here independently of the code under test."""
    content = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


# --- registration and configuration -------------------------------------------------


def test_registered_through_the_plugin_manager() -> None:
    spec = collect_registry(get_plugin_manager(disabled=())).sinks["http"]
    assert spec.config_type is HttpSinkConfig
    assert spec.actions == ("post",)
    assert spec.params == {"post": frozenset({"body", "headers"})}


def test_config_is_structured_by_the_host_converter() -> None:
    raw = {"url": "https://example.com/in", "secret": "s3", "timeout": 2, "headers": {"A": "b"}}
    config = make_converter().structure(raw, HttpSinkConfig)
    assert config == HttpSinkConfig("https://example.com/in", "s3", 2.0, {"A": "b"})
    assert HttpSinkConfig("https://example.com").timeout == 10.0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"url": "ftp://example.com/x"}, "url must start with http:// or https:// (got scheme"),
        ({"url": "example.com/in"}, "url must start with http:// or https:// (got no scheme)"),
        ({"url": "https:///path"}, "url has no host name"),
        ({"url": "https://x.example", "timeout": 0}, "timeout must be more than 0 seconds"),
        ({"url": "https://x.example", "secret": "whsec_!!!"}, "must hold a key; this one is empty"),
        (
            {"url": "https://x.example", "secret": "whsec_c2hvcnQ="},
            "at least 24 bytes, this one holds 5",
        ),
        ({"url": "https://x.example", "secret": "plain ü"}, "this one is not base64"),
    ],
)
def test_config_errors_are_clear(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as caught:
        HttpSinkConfig(**options)
    assert message in str(caught.value)
    assert "!!!" not in str(caught.value)


def test_config_repr_hides_secret_and_headers() -> None:
    config = HttpSinkConfig("https://x.example", secret="hush", headers={"Authorization": "tok"})
    assert "hush" not in repr(config)
    assert "tok" not in repr(config)


# --- what arrives ---------------------------------------------------------------------


async def test_posts_the_event_json(
    recording_server: RecordingServer, open_sink: Callable[..., Sink], make_request: MakeRequest
) -> None:
    sink = open_sink(url=recording_server.url + "/in?x=1")
    request = make_request()
    result = await sink.deliver(request)
    assert result.response == "HTTP 200"
    [got] = recording_server.requests
    assert (got.method, got.path) == ("POST", "/in?x=1")
    assert got.headers["content-type"] == "application/json"
    assert got.json() == request.event
    expected = json.dumps(request.event, separators=(",", ":"), ensure_ascii=False).encode()
    assert got.body == expected
    assert "Zoë Ångström".encode() in got.body
    assert got.headers["user-agent"].startswith("hookyard")


@pytest.mark.parametrize(
    ("body", "sent", "content_type"),
    [
        ("New chat from Zoë", "New chat from Zoë".encode(), "text/plain; charset=utf-8"),
        ('{"text": "hi"}', b'{"text": "hi"}', "application/json"),
        ({"text": "hi", "n": [1, 2]}, b'{"text":"hi","n":[1,2]}', "application/json"),
        (["a", "ü"], '["a","ü"]'.encode(), "application/json"),
    ],
)
async def test_posts_the_rendered_body(
    recording_server: RecordingServer,
    open_sink: Callable[..., Sink],
    make_request: MakeRequest,
    body: Any,
    sent: bytes,
    content_type: str,
) -> None:
    sink = open_sink(url=recording_server.url)
    await sink.deliver(make_request(params={"body": body}))
    [got] = recording_server.requests
    assert got.body == sent
    assert got.headers["content-type"] == content_type


async def test_sends_config_and_route_headers(
    recording_server: RecordingServer, open_sink: Callable[..., Sink], make_request: MakeRequest
) -> None:
    sink = open_sink(url=recording_server.url, headers={"Authorization": "Bearer a", "X-A": "1"})
    params = {"headers": {"x-a": "2", "X-Route": 3, "webhook-id": "forged"}}
    await sink.deliver(make_request(params=params))
    [got] = recording_server.requests
    assert got.headers["authorization"] == "Bearer a"
    assert got.headers["x-a"] == "2"
    assert got.headers["x-route"] == "3"
    assert got.headers["webhook-id"] == "evt-0001:route-a:post"


async def test_bad_route_headers_fail_permanently_without_a_request(
    recording_server: RecordingServer, open_sink: Callable[..., Sink], make_request: MakeRequest
) -> None:
    sink = open_sink(url=recording_server.url)
    with pytest.raises(DeliveryFailed) as caught:
        await sink.deliver(make_request(params={"headers": "X-A: 1"}))
    assert caught.value.permanent is True
    assert recording_server.requests == []


async def test_webhook_id_is_the_idempotency_key(
    recording_server: RecordingServer, open_sink: Callable[..., Sink], make_request: MakeRequest
) -> None:
    sink = open_sink(url=recording_server.url)
    await sink.deliver(make_request(idempotency_key="key-1", attempt=1))
    await sink.deliver(make_request(idempotency_key="key-1", attempt=2))
    assert [r.headers["webhook-id"] for r in recording_server.requests] == ["key-1", "key-1"]
    stamp = recording_server.requests[0].headers["webhook-timestamp"]
    assert stamp.isdigit()
    assert abs(int(stamp) - time.time()) < 5


BARE_KEY = b"a key given without the prefix"


@pytest.mark.parametrize(
    ("secret", "key"),
    [
        ("whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode(), None),
        (
            base64.b64encode(b"a key given without the prefix").decode(),
            b"a key given without the prefix",
        ),
    ],
)
async def test_signature_verifies_independently(
    recording_server: RecordingServer,
    open_sink: Callable[..., Sink],
    make_request: MakeRequest,
    secret: str,
    key: bytes | None,
) -> None:
    key = key or b"0123456789abcdef0123456789abcdef"
    sink = open_sink(url=recording_server.url, secret=secret)
    await sink.deliver(make_request(params={"body": {"text": "hi"}}))
    [got] = recording_server.requests
    headers = got.headers
    expected = _expected_signature(
        key, headers["webhook-id"], headers["webhook-timestamp"], got.body
    )
    assert headers["webhook-signature"] == expected
    assert secret not in json.dumps(headers)
    Webhook(secret).verify(got.body, headers, json_parse=False)  # the reference library agrees


async def test_no_signature_without_secret(
    recording_server: RecordingServer, open_sink: Callable[..., Sink], make_request: MakeRequest
) -> None:
    sink = open_sink(url=recording_server.url)
    await sink.deliver(make_request())
    [got] = recording_server.requests
    assert "webhook-signature" not in got.headers
    assert got.headers["webhook-id"] == "evt-0001:route-a:post"


# --- failures -----------------------------------------------------------------------


async def test_server_error_fails_with_status_and_excerpt(
    recording_server: RecordingServer, open_sink: Callable[..., Sink], make_request: MakeRequest
) -> None:
    recording_server.script(Reply(500, b"boom " * 300))
    sink = open_sink(url=recording_server.url, secret="hush")
    with pytest.raises(DeliveryFailed) as caught:
        await sink.deliver(make_request())
    failed = caught.value
    assert failed.status_code == 500
    assert failed.reason == "HTTP 500 from 127.0.0.1"
    assert failed.response == ("boom " * 300)[:500]
    assert failed.retry_after is None
    assert failed.permanent is None
    assert "hush" not in f"{failed.reason} {failed.response}"


async def test_client_error_is_left_to_the_host(
    recording_server: RecordingServer, open_sink: Callable[..., Sink], make_request: MakeRequest
) -> None:
    recording_server.script(Reply(404, b"no such hook"))
    sink = open_sink(url=recording_server.url)
    with pytest.raises(DeliveryFailed) as caught:
        await sink.deliver(make_request())
    assert (caught.value.status_code, caught.value.permanent) == (404, None)
    assert caught.value.response == "no such hook"


async def test_redirects_are_not_followed(
    recording_server: RecordingServer, open_sink: Callable[..., Sink], make_request: MakeRequest
) -> None:
    recording_server.script(Reply(302, headers={"Location": "/elsewhere"}))
    sink = open_sink(url=recording_server.url + "/in")
    with pytest.raises(DeliveryFailed) as caught:
        await sink.deliver(make_request())
    assert caught.value.status_code == 302
    assert [r.path for r in recording_server.requests] == ["/in"]


async def test_retry_after_seconds(
    recording_server: RecordingServer, open_sink: Callable[..., Sink], make_request: MakeRequest
) -> None:
    recording_server.script(Reply(429, b"slow down", {"Retry-After": "7"}))
    sink = open_sink(url=recording_server.url)
    with pytest.raises(DeliveryFailed) as caught:
        await sink.deliver(make_request())
    assert (caught.value.status_code, caught.value.retry_after) == (429, 7)


async def test_retry_after_http_date(
    recording_server: RecordingServer, open_sink: Callable[..., Sink], make_request: MakeRequest
) -> None:
    when = datetime.now(UTC) + timedelta(seconds=30)
    recording_server.script(Reply(503, headers={"Retry-After": format_datetime(when, usegmt=True)}))
    sink = open_sink(url=recording_server.url)
    with pytest.raises(DeliveryFailed) as caught:
        await sink.deliver(make_request())
    assert caught.value.status_code == 503
    assert caught.value.retry_after is not None
    assert 27 <= caught.value.retry_after <= 31


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # in the past: no wait, never negative
        ("Thu, 01 Jan 2099 00:00:10 GMT", 10.0),
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    now = datetime(2099, 1, 1, tzinfo=UTC)
    assert parse_retry_after(header, now=now) == seconds


async def test_timeout_fails_without_status_after_the_timeout(
    recording_server: RecordingServer, open_sink: Callable[..., Sink], make_request: MakeRequest
) -> None:
    recording_server.script(Reply(200, delay=3))
    sink = open_sink(url=recording_server.url, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(DeliveryFailed) as caught:
        await sink.deliver(make_request())
    elapsed = time.monotonic() - started
    assert 0.25 <= elapsed < 1.5
    assert caught.value.status_code is None
    assert caught.value.reason == "timed out after 0.3s"
    assert len(recording_server.requests) == 1


async def test_timeout_bounds_the_whole_attempt(
    recording_server: RecordingServer, open_sink: Callable[..., Sink], make_request: MakeRequest
) -> None:
    recording_server.script(Reply(200, drip=0.1))  # every read is quick, the whole answer is not
    sink = open_sink(url=recording_server.url, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(DeliveryFailed, match="timed out after 0.3s"):
        await sink.deliver(make_request())
    assert 0.25 <= time.monotonic() - started < 1.5


async def test_connection_refused(
    refused_url: str, open_sink: Callable[..., Sink], make_request: MakeRequest
) -> None:
    sink = open_sink(url=refused_url, timeout=2)
    with pytest.raises(DeliveryFailed) as caught:
        await sink.deliver(make_request())
    assert caught.value.status_code is None
    assert caught.value.reason.startswith("connection failed: ")
    assert caught.value.permanent is None


async def test_closed_sink_sends_nothing(
    recording_server: RecordingServer, make_request: MakeRequest
) -> None:
    spec = _registered()
    sink = spec.open(HttpSinkConfig(recording_server.url))
    await sink.deliver(make_request())
    await sink.aclose()
    with pytest.raises(RuntimeError):
        await sink.deliver(make_request())
    assert len(recording_server.requests) == 1


async def test_bad_config_headers_fail_permanently_without_a_request(
    recording_server: RecordingServer, open_sink: Callable[..., Sink], make_request: MakeRequest
) -> None:
    sink = open_sink(url=recording_server.url, headers={"X-A": "1\r\nX-Injected: 2"})
    with pytest.raises(DeliveryFailed) as caught:
        await sink.deliver(make_request())
    assert caught.value.permanent is True
    assert recording_server.requests == []


# --- proxies from the environment -----------------------------------------------------

PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


async def test_posts_through_the_proxy_the_environment_names(
    recording_server: RecordingServer,
    open_sink: Callable[..., Sink],
    make_request: MakeRequest,
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    proxy = recording_server.url.replace("http://", "http://user:p%40ss@")
    no_proxy_env.setenv("HTTP_PROXY", proxy)
    sink = open_sink(url="http://hooks.example.invalid/in")
    await sink.deliver(make_request())
    [got] = recording_server.requests
    assert got.path == "http://hooks.example.invalid/in"  # the absolute form a proxy gets
    expected = "Basic " + base64.b64encode(b"user:p@ss").decode()
    assert got.headers["proxy-authorization"] == expected
    assert got.json()["id"] == "evt-0001"


async def test_no_proxy_exempts_the_target(
    recording_server: RecordingServer,
    refused_url: str,
    open_sink: Callable[..., Sink],
    make_request: MakeRequest,
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    no_proxy_env.setenv("HTTP_PROXY", refused_url.rsplit("/", 1)[0])
    no_proxy_env.setenv("NO_PROXY", "127.0.0.1")
    sink = open_sink(url=recording_server.url + "/in")
    await sink.deliver(make_request())
    assert [r.path for r in recording_server.requests] == ["/in"]


async def test_the_http_sink_keeps_the_sink_contract() -> None:
    token = "Bearer 7f3c2a9e41d0b5c8e6a1"
    secret = "whsec_" + base64.b64encode(b"signing-key-for-the-contract").decode()
    await assert_sink_contract(
        lambda url: http_plugin.HttpSink(
            HttpSinkConfig(
                url=url + "/in", headers={"Authorization": token}, secret=secret, timeout=0.5
            )
        ),
        delivery_request("post", {}),
        secrets=[token, secret],
        timeout=0.5,
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"site_only": True}, "api is the site's address alone (not '/x')"),
        (
            {"site_only": True, "example": "https://a.example", "credentials": "use token"},
            "api is the site's address alone, such as https://a.example (not '/x')",
        ),
    ],
)
def test_http_url_says_what_a_site_address_is(options: dict[str, Any], message: str) -> None:
    from attrs import field, frozen

    from hookyard import http_url

    @frozen
    class Options:
        api: str | None = field(default=None, validator=http_url(**options))

    assert Options().api is None
    with pytest.raises(ValueError) as raised:
        Options(api="https://a.example/x")
    assert str(raised.value) == message
    with pytest.raises(ValueError, match=r"api must not hold credentials \(user:password@\)"):
        Options(api="https://me:pw@a.example")


def test_hide_in_logs_keeps_a_url_out_of_the_http_clients_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    from hookyard import hide_in_logs

    url = "https://hooks.example/services/T0/B0/s3cr3tpath"
    hide_in_logs(url, "https://hooks.example/[redacted]")
    with caplog.at_level(logging.INFO):
        logging.getLogger("httpx").info('HTTP Request: POST %s "HTTP/1.1 200 OK"', url)
    assert caplog.messages == [
        'HTTP Request: POST https://hooks.example/[redacted] "HTTP/1.1 200 OK"'
    ]


@pytest.mark.parametrize(
    ("url", "options", "message"),
    [
        ("http://api.example.com", {"secure": True}, "api must start with https://"),
        ("https://api.example.com:99999", {}, "api has a port that is not 1 to 65535"),
        ("https://api.example.com:0", {}, "api has a port that is not 1 to 65535"),
        ("https://api.example.com/x?a=1", {"query": False}, "api must not have a query"),
        ("https://api.example.com/#top", {}, "api must not have a fragment"),
        ("https://api.example.com/a\x00b", {}, "api must not contain spaces or control"),
    ],
)
def test_http_url_refuses_what_no_delivery_could_use(
    url: str, options: dict[str, Any], message: str
) -> None:
    from attrs import field, frozen

    from hookyard import http_url

    @frozen
    class Options:
        api: str = field(validator=http_url(**options))

    with pytest.raises(ValueError, match=re.escape(message)):
        Options(api=url)
    Options(api="http://127.0.0.1:8080/api")  # a local server is fine, even with secure


def test_url_secrets_cover_the_forms_a_client_logs() -> None:
    from hookyard import url_secrets

    url = "https://Prod-12.WestUS.logic.azure.com:443/workflows/abc/triggers/run?api-version=1&sig=S1g-Value-123"
    found = url_secrets(url)
    assert url in found
    assert (
        "https://prod-12.westus.logic.azure.com/workflows/abc/triggers/run?api-version=1&sig=S1g-Value-123"
        in found
    )
    assert "S1g-Value-123" in found and "/workflows/abc/triggers/run" in found


@pytest.mark.parametrize("token", ["", "to ken", "tok\nen", "tok\x00en", "tökén"])
def test_header_text_refuses_what_a_header_cannot_carry(token: str) -> None:
    from attrs import field, frozen

    from hookyard import header_text

    @frozen
    class Options:
        token: str = field(validator=header_text)

    with pytest.raises(ValueError, match="token must"):
        Options(token=token)
