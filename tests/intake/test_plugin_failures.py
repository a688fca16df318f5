"""A vendor plugin that raises where it should not: the sender never reads it as 503."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import pytest
import sentry_sdk
import sentry_sdk.envelope
import sentry_sdk.transport
from attrs import frozen
from litestar.testing import AsyncTestClient

from hookyard import AuthenticationFailed, Event, VendorSpec, WebhookRequest, hookimpl
from hookyard.config import SentryConfig
from hookyard.host import Host, load_setup
from hookyard.observability.sentry import init_sentry
from hookyard.store import Store
from hookyard.web.app import create_app

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable, Iterator, Sequence
    from pathlib import Path

SECRET = "fragile-secret-Wq93"
CONFIG = """\
database: "{database}"
sources:
  frag: {{vendor: fragile, secret: "{secret}"}}
"""


@frozen
class FragileConfig:
    secret: str | None = None


def _verify(config: FragileConfig, request: WebhookRequest) -> None:
    """A buggy check: a missing header raises KeyError (and its message holds the secret)."""
    if request.headers["x-token"] != config.secret:
        raise AuthenticationFailed("wrong token")
    if request.headers.get("x-crash"):
        raise KeyError(f"no key {config.secret}\nsecond line")


def _nested_tuple(depth: int) -> tuple[Any, ...]:
    value: tuple[Any, ...] = ()
    for _ in range(depth):
        value = (value,)
    return value


def _parse(_config: FragileConfig, request: WebhookRequest) -> Sequence[Event]:
    """One event whose data is too deep for the converter (a tuple, walked recursively).

    A body that is not a JSON object makes it raise, quoting the body.
    """
    if not request.body.startswith(b"{"):
        raise ValueError(f"cannot read {request.body.decode()!r}")
    return [
        Event(
            id="e1",
            source=request.source,
            vendor="fragile",
            type="unknown",
            vendor_type="x",
            occurred_at=request.received_at,
            received_at=request.received_at,
            data={"deep": _nested_tuple(5000)},
        )
    ]


class FragilePlugin:
    @hookimpl
    def hookyard_register_vendors(self, register: Callable[[VendorSpec], None]) -> None:
        spec = VendorSpec("fragile", FragileConfig, _verify, _parse, auth_fields=("secret",))
        register(spec)


@pytest.fixture
async def fragile(tmp_path: Path, database_url: str) -> AsyncIterator[AsyncTestClient[Any]]:
    path = tmp_path / "hookyard.yaml"
    path.write_text(CONFIG.format(database=database_url, secret=SECRET))
    host = Host(load_setup(path, plugins={"fragile-plugin": FragilePlugin()}))
    async with AsyncTestClient(app=create_app(host, workers=False)) as client:
        yield client


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-token": SECRET, "x-crash": "1"}],
    ids=["KeyError", "KeyError with the secret"],
)
async def test_verify_raising_anything_is_401_counted_and_logged_in_one_line(
    fragile: AsyncTestClient[Any],
    database_url: str,
    caplog: pytest.LogCaptureFixture,
    headers: dict[str, str],
) -> None:
    with caplog.at_level(logging.WARNING, logger="hookyard"):
        response = await fragile.post("/hooks/frag", content=b"{}", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"error": "authentication failed"}
    assert (await fragile.get("/health")).json()["intake"] == {"unauthenticated": 1}
    [record] = [r for r in caplog.records if r.name.startswith("hookyard")]
    message = record.getMessage()
    assert (record.levelname, record.exc_info) == ("ERROR", None)
    assert message.startswith("source frag: authentication failed: plugin 'fragile-plugin'")
    assert "KeyError" in message and "\n" not in message and SECRET not in message
    reader = Store(database_url)
    assert await reader.events() == []
    await reader.engine.dispose()


async def test_an_event_whose_json_form_cannot_be_built_is_kept_as_unparsed(
    fragile: AsyncTestClient[Any], database_url: str
) -> None:
    response = await fragile.post("/hooks/frag", content=b"{}", headers={"x-token": SECRET})
    assert response.status_code == 200, response.text
    unparsed = response.json()["unparsed"]
    reader = Store(database_url)
    [row] = await reader.events()
    await reader.engine.dispose()
    assert (row["event_id"], row["status"]) == (unparsed, "unparsed")
    assert row["error"].startswith("RecursionError")
    assert (await fragile.get("/health")).json()["intake"] == {"unparsed": 1}


async def test_an_unparsed_body_that_is_not_json_keeps_no_credential(
    fragile: AsyncTestClient[Any], database_url: str
) -> None:
    body = f"token={SECRET}&again={SECRET}".encode()
    headers = {"x-token": SECRET, "x-echo": f"echo {SECRET}"}
    response = await fragile.post("/hooks/frag", content=body, headers=headers)
    assert response.status_code == 200, response.text
    reader = Store(database_url)
    [row] = await reader.events()
    await reader.engine.dispose()
    assert row["payload"] == b"token=[redacted]&again=[redacted]"
    assert json.loads(row["headers"])["x-echo"] == "echo [redacted]"
    assert SECRET not in row["headers"] and SECRET not in row["error"]
    assert row["error"].startswith("ValueError: cannot read 'token=[redacted]")


class _CapturingTransport(sentry_sdk.transport.Transport):
    """sentry-sdk's transport interface, keeping envelopes instead of sending them."""

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        self.envelopes: list[bytes] = []

    def capture_envelope(self, envelope: sentry_sdk.envelope.Envelope) -> None:
        self.envelopes.append(envelope.serialize())


@pytest.fixture
def sentry_capture() -> Iterator[_CapturingTransport]:
    transport = _CapturingTransport()
    config = SentryConfig(dsn="http://key@127.0.0.1:9/1")
    assert init_sentry(config, with_litestar=False, transport=transport)
    yield transport
    sentry_sdk.init()  # no DSN: reporting off again for the tests after this one


async def test_the_sentry_report_of_an_unparsed_payload_keeps_no_credential(
    fragile: AsyncTestClient[Any], sentry_capture: _CapturingTransport
) -> None:
    body = f"token={SECRET}".encode()
    response = await fragile.post("/hooks/frag", content=body, headers={"x-token": SECRET})
    assert response.status_code == 200, response.text
    sentry_sdk.flush(2)
    [report] = [e for e in sentry_capture.envelopes if b'"exception"' in e]
    assert b"ValueError" in report and b"cannot read 'token=[redacted]'" in report
    leaks = [e for e in sentry_capture.envelopes if SECRET.encode() in e]
    assert leaks == []
