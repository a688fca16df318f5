"""All six vendors through one running ``hookyard serve`` to an http sink.

``generic`` twice: in hookyard's JSON form signed the Standard Webhooks way, and mapping
another platform's JSON, signed with an HMAC header of its own.

Each vendor's own delivery (a plugin fixture, signed as that vendor signs) goes over HTTP
to a real hookyard process; what arrives at the sink is the normalized event JSON
(docs/events.md), checked field by field. Comm100 signs nothing: its source takes a
``?token=`` and a caller address, which only a real server can show are read right.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from standardwebhooks import Webhook

from hookyard.testing import RecordingServer
from serve_process import ServeProcess, free_port

if TYPE_CHECKING:
    from collections.abc import Iterator

PLUGINS = Path(__file__).parents[2] / "plugins"
LIVECHAT_SECRET = "lc-secret-e2e"
HELPCRUNCH_SECRET = "hc-signing-key-e2e"
SUPEROFFICE_SECRET = "so-secret-e2e"
DESKDIRECTOR_SECRET = "kfA18wgZKW30F7dL1JtlHq2judcJ0uoB"
COMM100_TOKEN = "comm100-token-e2e-0123456789"
ACME_SECRET = "acme-e2e-secret"
GENERIC_SECRET = "whsec_" + base64.b64encode(b"generic-e2e-key-of-32-bytes!!!!!").decode()

CONFIG = f"""\
database: "sqlite:///{{database}}"
sources:
  livechat: {{{{vendor: livechat, secret: {LIVECHAT_SECRET}}}}}
  helpcrunch: {{{{vendor: helpcrunch, secret: {HELPCRUNCH_SECRET}}}}}
  superoffice: {{{{vendor: superoffice, secret: {SUPEROFFICE_SECRET}}}}}
  deskdirector: {{{{vendor: deskdirector, secret: {DESKDIRECTOR_SECRET}}}}}
  comm100: {{{{vendor: comm100, token: {COMM100_TOKEN}, allow_ips: [127.0.0.1]}}}}
  comm100-elsewhere: {{{{vendor: comm100, token: {COMM100_TOKEN}, allow_ips: [203.0.113.0/24]}}}}
  generic: {{{{vendor: generic, secret: "{GENERIC_SECRET}"}}}}
  acme:
    vendor: generic
    secret: {ACME_SECRET}
    signature: {{{{header: X-Acme-Signature, algorithm: sha512, encoding: base64, prefix: "v1="}}}}
    mapping:
      type: {{{{path: kind, values: {{{{conversation.opened: chat.started, "*": unknown}}}}}}}}
      id: delivery.id
      occurred_at: delivery.at
      chat.id: conversation.id
      customer.email: conversation.contact.email
      data: {{{{plan: account.plan}}}}
sinks:
  collector: {{{{plugin: http, url: "{{sink}}/events", retry: {{{{initial_delay: 0.1s}}}}}}}}
routes:
  - name: everything
    to: collector
workers: {{{{poll_interval: 0.1s}}}}
"""


def _fixture(vendor: str, name: str) -> bytes:
    return (PLUGINS / vendor / "tests" / "fixtures" / f"{name}.json").read_bytes()


def _hmac(secret: str, body: bytes, algorithm: str) -> bytes:
    return hmac.new(secret.encode(), body, getattr(hashlib, algorithm)).digest()


def _deliveries() -> list[tuple[str, bytes, dict[str, str], str]]:
    """(source, body, headers, query) of one delivery per vendor, signed as it signs."""
    livechat = json.loads(_fixture("livechat", "incoming_event"))
    livechat["secret_key"] = LIVECHAT_SECRET
    helpcrunch = _fixture("helpcrunch", "message_chat_customer")
    superoffice = _fixture("superoffice", "chatsession_created")
    deskdirector = _fixture("deskdirector", "created")
    generic = json.dumps(
        {
            "id": "order-42-chat",
            "type": "chat.started",
            "occurred_at": "2026-11-30T09:00:00Z",
            "chat": {"id": "chat-42"},
            "customer": {"email": "ann@example.com", "name": "Ann"},
        }
    )
    acme = json.dumps(
        {
            "kind": "conversation.opened",
            "delivery": {"id": "dlv-7", "at": "2026-11-30T10:15:00+01:00"},
            "conversation": {"id": 9001, "contact": {"email": "bo@example.com"}},
            "account": {"plan": "pro"},
        }
    ).encode()
    acme_signature = "v1=" + base64.b64encode(_hmac(ACME_SECRET, acme, "sha512")).decode()
    stamp = datetime.now(UTC)
    return [
        ("acme", acme, {"X-Acme-Signature": acme_signature}, ""),
        ("livechat", json.dumps(livechat).encode(), {}, ""),
        (
            "helpcrunch",
            helpcrunch,
            {"X-HelpCrunch-Signature": _hmac(HELPCRUNCH_SECRET, helpcrunch, "sha1").hex()},
            "",
        ),
        (
            "superoffice",
            superoffice,
            {
                "X-Superoffice-Signature": base64.b64encode(
                    _hmac(SUPEROFFICE_SECRET, superoffice, "sha256")
                ).decode(),
                "X-SuperOffice-Event": "chatsession.created",
            },
            "",
        ),
        (
            "deskdirector",
            deskdirector,
            {
                "x-dd-signature": "sha256="
                + _hmac(DESKDIRECTOR_SECRET, deskdirector, "sha256").hex()
            },
            "",
        ),
        ("comm100", _fixture("comm100", "offline_message_submitted"), {}, f"token={COMM100_TOKEN}"),
        (
            "generic",
            generic.encode(),
            {
                "webhook-id": "msg_e2e_1",
                "webhook-timestamp": str(int(stamp.timestamp())),
                "webhook-signature": Webhook(GENERIC_SECRET).sign("msg_e2e_1", stamp, generic),
            },
            "",
        ),
    ]


#: Per source, fields of the normalized event that must arrive exactly so.
EXPECTED: dict[str, dict[str, Any]] = {
    "livechat": {
        "id": "event:K600PKZON8_3",
        "vendor": "livechat",
        "type": "chat.message",
        "vendor_type": "incoming_event",
        "occurred_at": "2017-10-12T15:21:07.347100Z",
        "chat.id": "PJ0MRSHTDG",
        "chat.thread_id": "K600PKZON8",
        "message.text": "Could you check where my parcel is?",
        "message.author_id": "b7eff798-f8df-4364-8059-649c35c9ed0c",
    },
    "helpcrunch": {
        "id": "f6a7b8c9-d0e1-4f2a-9b3c-4d5e6f708192",
        "vendor": "helpcrunch",
        "type": "chat.message",
        "vendor_type": "message.chat.customer",
        "occurred_at": "2020-12-09T19:06:07Z",
        "chat.id": "5224081",
        "customer.email": "paul@example.com",
        "message.author_role": "customer",
        "message.text": "Hi! Where is my order https://shop.example.com/orders/A-10023 ?",
    },
    "superoffice": {
        "id": "e87ac619-c864-4881-89eb-07ca5521ee2c",
        "vendor": "superoffice",
        "type": "chat.started",
        "vendor_type": "chatsession.created",
        "occurred_at": "2018-04-24T08:18:42.089895Z",
        "chat.id": "178105",
    },
    "deskdirector": {
        "vendor": "deskdirector",
        "type": "chat.started",
        "vendor_type": "created",
        "occurred_at": "2018-06-28T05:15:45.782413Z",
        "chat.id": "1530162945-9852",
        "customer.name": "Liam Tait",
        "customer.company": "DeskDirector",
    },
    "comm100": {
        "vendor": "comm100",
        "type": "offline_message.received",
        "vendor_type": "offline_message_submitted",
        "occurred_at": "2020-03-17T05:33:23.253000Z",
        "customer.email": "test@email.com",
        "customer.name": "TestName",
        "message.text": "This is an offline message.",
    },
    "acme": {
        "id": "dlv-7",
        "vendor": "generic",
        "type": "chat.started",
        "vendor_type": "conversation.opened",
        "occurred_at": "2026-11-30T09:15:00Z",
        "chat.id": "9001",
        "customer.email": "bo@example.com",
        "data.plan": "pro",
    },
    "generic": {
        "id": "order-42-chat",
        "vendor": "generic",
        "type": "chat.started",
        "occurred_at": "2026-11-30T09:00:00Z",
        "chat.id": "chat-42",
        "customer.email": "ann@example.com",
    },
}


def _at(event: dict[str, Any], dotted: str) -> Any:
    value: Any = event
    for part in dotted.split("."):
        value = value[part]
    return value


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[ServeProcess, RecordingServer]]:
    with RecordingServer() as sink:
        config = tmp_path / "hookyard.yaml"
        config.write_text(CONFIG.format(database=tmp_path / "e2e.db", sink=sink.url))
        server = ServeProcess(config, free_port(), tmp_path / "serve.log").start()
        try:
            yield server, sink
        finally:
            server.stop()


def test_every_vendor_arrives_normalized_at_the_http_sink(
    running: tuple[ServeProcess, RecordingServer],
) -> None:
    server, sink = running
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for source, body, headers, query in _deliveries():
            url = f"/hooks/{source}" + (f"?{query}" if query else "")
            answer = client.post(url, content=body, headers=headers)
            assert (answer.status_code, answer.json()) == (200, {"stored": 1, "duplicates": 0}), (
                source
            )
            again = client.post(url, content=body, headers=headers)  # the vendor's retry
            assert again.json() == {"stored": 0, "duplicates": 1}, source

    arrived = {r.json()["source"]: r.json() for r in sink.wait_for(len(EXPECTED), timeout=20)}
    assert sorted(arrived) == sorted(EXPECTED)
    for source, fields in EXPECTED.items():
        event = arrived[source]
        assert {name: _at(event, name) for name in fields} == fields, source
        assert event["received_at"].endswith("Z")
        assert "secret_key" not in json.dumps(event["raw"])


def test_source_rules_see_the_real_caller_and_query(
    running: tuple[ServeProcess, RecordingServer],
) -> None:
    server, sink = running
    body = _fixture("comm100", "offline_message_submitted")
    with httpx.Client(base_url=server.url, timeout=10) as client:
        answers = [
            client.post("/hooks/comm100", content=body).status_code,  # no token
            client.post("/hooks/comm100?token=wrong-token-0123456789", content=body).status_code,
            # 127.0.0.1 is not in this source's allow_ips, and X-Forwarded-For from a peer
            # that is not server.trusted_proxy is not believed:
            client.post(
                f"/hooks/comm100-elsewhere?token={COMM100_TOKEN}",
                content=body,
                headers={"X-Forwarded-For": "203.0.113.7"},
            ).status_code,
            client.post(f"/hooks/comm100?token={COMM100_TOKEN}", content=body).status_code,
        ]
        health = client.get("/health").json()
    assert answers == [401, 401, 401, 200]
    assert health["intake"]["unauthenticated"] == 3
    assert health["intake"]["stored"] == 1
    assert COMM100_TOKEN not in server.output()
