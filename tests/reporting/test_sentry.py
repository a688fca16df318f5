"""Sentry reports from a real ``hookyard serve``: tagged, and never carrying a secret.

A local HTTP server stands in for Sentry: the DSN points at it, so sentry-sdk's own
transport POSTs its envelopes there, from its background thread, as in production.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from sentry_envelopes import decoded, sentry_events

from hookyard.host import Host
from hookyard.testing import RecordingServer, Reply
from serve_process import ServeProcess, free_port, wait_until

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

LIVECHAT_SECRET = "lc-sentry-secret-Vb71Kx"
FRAGILE_SECRET = "fragile-sentry-secret-Qz81"
SINK_SECRET = "whsec_c2luay1zZWNyZXQtSmQzOVFwLWZvci10aGUtdGVzdHM="

CONFIG = """\
database: "sqlite:///{folder}/hookyard.db"
sources:
  livechat-main: {{vendor: livechat, secret: "{livechat}"}}
  fragile-main: {{vendor: sentry_fragile, secret: "{fragile}"}}
sinks:
  refusing:
    plugin: http
    url: "{refusing}/in"
    secret: "{sink_secret}"
    retry: {{max_attempts: 3, initial_delay: 0.2s}}
routes:
  - name: new chats to a refusing server
    match: {{type: chat.started}}
    to: refusing
sentry: {{dsn: "http://publickey@127.0.0.1:{sentry_port}/1", environment: test}}
workers: {{poll_interval: 0.1s}}
"""


class Served:
    """The running hookyard, the fake Sentry, and the sink target that answers 400."""

    def __init__(self, folder: Path, sentry: RecordingServer, refusing: RecordingServer) -> None:
        self.sentry = sentry
        self.refusing = refusing
        self.config = folder / "hookyard.yaml"
        sentry_port = sentry.url.rpartition(":")[2]
        self.config.write_text(
            CONFIG.format(
                folder=folder,
                livechat=LIVECHAT_SECRET,
                fragile=FRAGILE_SECRET,
                refusing=refusing.url,
                sink_secret=SINK_SECRET,
                sentry_port=sentry_port,
            )
        )
        self.host = Host.from_file(self.config)
        self.process = ServeProcess(self.config, free_port(), folder / "serve.log")

    def livechat(self, action: str) -> dict[str, Any]:
        options = self.host.config.sources["livechat-main"].options
        sample = self.host.registry.vendors["livechat"].simulate(options, action)
        return dict(json.loads(sample.body))

    def post(self, body: dict[str, Any], source: str = "livechat-main") -> httpx.Response:
        url = f"{self.process.url}/hooks/{source}"
        return httpx.post(url, content=json.dumps(body), timeout=10)

    def reported(self, kind: str, timeout: float = 15) -> list[dict[str, Any]]:
        """Sentry events tagged ``hookyard.kind=kind``, once at least one arrived."""

        def found() -> list[dict[str, Any]]:
            events = sentry_events(list(self.sentry.requests))
            return [e for e in events if e.get("tags", {}).get("hookyard.kind") == kind]

        wait_until(lambda: bool(found()), timeout, f"a {kind} report at the fake Sentry")
        return found()

    def about(self, event_id: str) -> list[dict[str, Any]]:
        """Sentry events mentioning ``event_id`` outside their breadcrumbs."""
        events = sentry_events(list(self.sentry.requests))
        return [e for e in events if event_id in json.dumps({**e, "breadcrumbs": None})]

    def envelope_bytes(self) -> bytes:
        return b"\n".join(decoded(r) for r in list(self.sentry.requests))


#: A vendor whose parser fails on an authentic delivery (every first-party parser refuses
#: what it cannot read with 400, so only a plugin bug makes an unparsed payload).
FRAGILE_PLUGIN = """\
from attrs import frozen
from hookyard import AuthenticationFailed, VendorSpec, hookimpl

@frozen
class Config:
    secret: str | None = None

def verify(config, request):
    if request.json().get("secret_key") != config.secret:
        raise AuthenticationFailed("wrong secret_key")

def parse(config, request):
    raise ValueError(f"cannot read {request.json().get('secret_key')} at created_at")

@hookimpl
def hookyard_register_vendors(register):
    register(VendorSpec("sentry_fragile", Config, verify, parse, auth_fields=("secret",)))
"""


def _install_fragile_vendor(site: Path) -> None:
    """``sentry_fragile`` in ``site``, found through its entry point like an installed one."""
    info = site / "hookyard_sentry_fragile-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: hookyard-sentry-fragile\n")
    (info / "entry_points.txt").write_text("[hookyard]\nsentry_fragile = sentry_fragile\n")
    (site / "sentry_fragile.py").write_text(FRAGILE_PLUGIN)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("sentry")
    _install_fragile_vendor(folder / "site")
    with (
        pytest.MonkeyPatch.context() as patch,
        RecordingServer() as sentry,
        RecordingServer(default=Reply(400, b'{"error": "no such customer"}')) as refusing,
    ):
        patch.syspath_prepend(str(folder / "site"))
        patch.setenv("PYTHONPATH", str(folder / "site"))
        served = Served(folder, sentry, refusing)
        served.process.start()
        try:
            yield served
        finally:
            served.process.stop()


def assert_no_secrets(served: Served) -> None:
    everything = served.envelope_bytes()
    assert LIVECHAT_SECRET.encode() not in everything
    assert FRAGILE_SECRET.encode() not in everything
    assert SINK_SECRET.encode() not in everything


def test_unparsed_payload_is_reported_with_tags_and_without_the_secret(served: Served) -> None:
    response = served.post({"secret_key": FRAGILE_SECRET, "chat": 1}, source="fragile-main")
    assert response.status_code == 200
    event_id = response.json()["unparsed"]
    [report] = served.reported("unparsed")
    assert report["tags"] == {
        "hookyard.kind": "unparsed",
        "hookyard.vendor": "sentry_fragile",
        "hookyard.source": "fragile-main",
        "hookyard.event_id": event_id,
    }
    assert report["exception"]["values"][-1]["type"] == "ValueError"
    assert report["environment"] == "test"
    assert served.about(event_id) == [report]  # one Sentry issue, not one per log record too
    assert_no_secrets(served)


def test_dead_delivery_is_reported_with_tags_and_without_secrets(served: Served) -> None:
    body = served.livechat("incoming_chat")
    response = served.post(body)
    assert response.status_code == 200
    served.refusing.wait_for(1)
    [report] = served.reported("dead_delivery")
    tags = report["tags"]
    assert tags["hookyard.sink"] == "refusing"
    assert tags["hookyard.route"] == "new chats to a refusing server"
    assert tags["hookyard.source"] == "livechat-main"
    assert tags["hookyard.vendor"] == "livechat"
    assert tags["hookyard.event_id"] == body_event_id(served, body)
    assert "HTTP 400" in report["message"]
    assert served.about(tags["hookyard.event_id"]) == [report]
    assert len(served.refusing.requests) == 1  # a 400 is permanent: no retries
    assert_no_secrets(served)


def body_event_id(served: Served, body: dict[str, Any]) -> str:
    from datetime import UTC, datetime

    from hookyard.vendors import WebhookRequest

    options = served.host.config.sources["livechat-main"].options
    request = WebhookRequest("livechat-main", json.dumps(body).encode(), {}, datetime.now(UTC))
    return served.host.registry.vendors["livechat"].parse(options, request)[0].id
