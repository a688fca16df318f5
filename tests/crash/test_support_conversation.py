"""One LiveChat conversation through a running hookyard to every SaaS sink at once, with a
SIGKILL in the middle: exactly one Slack thread, Zendesk ticket, Jira issue, HubSpot contact
with its note, e-mail and Teams card come of it.

The conversation: the chat starts, the customer writes twice, and hookyard is SIGKILLed
(with its worker process) while Slack, Zendesk and HubSpot hold the answers to the creates
they already made; it is started again, the customer writes a third time, rates the chat
bad, and the agent closes it. Each target is a local server speaking its API's contract
(hookyard.testing), the e-mail server a real SMTP server.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
import pytest

from hookyard.store import Store
from hookyard.testing import (
    HubSpotApi,
    JiraApi,
    RecordingServer,
    Reply,
    SlackApi,
    SmtpServer,
    ZendeskApi,
)
from hookyard_livechat import LiveChatConfig, simulate
from serve_process import ServeProcess, free_port, wait_until

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.slow

SECRET = "lc-support-secret-8Hq2"
CHAT, THREAD = "SUPPORT0001", "THREAD00001"
CHANNEL = "C0SUPPORT1"
#: The creates answered only after hookyard is killed: each target made the object already.
HELD = 8.0

CONFIG = """\
database: "sqlite:///{folder}/hookyard.db"
sources:
  livechat: {{vendor: livechat, secret: "{secret}"}}
sinks:
  slack: {{plugin: slack, token: "{slack_token}", api_url: "{slack_url}", timeout: 2s}}
  zendesk: {{plugin: zendesk, url: "{zendesk_url}", email: agent@example.com,
            token: "{zendesk_token}", timeout: 2s}}
  jira: {{plugin: jira, url: "{jira_url}", email: "{jira_email}", token: "{jira_token}",
         project: SUP, timeout: 2s}}
  hubspot: {{plugin: hubspot, token: "{hubspot_token}", api_url: "{hubspot_url}", timeout: 2s}}
  mail: {{plugin: email, host: 127.0.0.1, port: {smtp_port}, security: none,
         from: "hookyard <hookyard@example.com>", timeout: 2s}}
  teams: {{plugin: teams, webhook_url: "{teams_url}/workflows/run?sig=t0p-s3cret", timeout: 2s}}
routes:
  - name: chats open a Slack thread
    match: {{type: [chat.started, chat.message]}}
    to: slack
    action: post
    with: {{channel: {channel}, text: "{{{{ event.message.text or 'New chat' }}}}"}}
  - name: closing marks the thread
    match: {{type: chat.closed}}
    to: slack
    action: update
    with: {{text: "Closed"}}
  - name: a ticket per chat
    match: {{type: chat.started}}
    to: zendesk
    action: create_ticket
    with: {{subject: "Chat with {{{{ event.customer.name }}}}", body: "Chat started"}}
  - name: messages as comments
    match: {{type: chat.message}}
    to: zendesk
    action: add_comment
    with: {{body: "{{{{ event.message.text }}}}"}}
  - name: solved when closed
    match: {{type: chat.closed}}
    to: zendesk
    action: set_status
    with: {{status: solved}}
  - name: bad ratings to Jira
    match: {{type: chat.rated}}
    to: jira
    action: create_issue
    with: {{summary: "Bad rating: chat {{{{ event.chat.id }}}}"}}
  - name: the customer in HubSpot
    match: {{type: chat.started}}
    to: hubspot
    action: upsert_contact
    with: {{email: "{{{{ event.customer.email }}}}"}}
  - name: the rating as a note
    match: {{type: chat.rated}}
    to: hubspot
    action: add_note
    with: {{body: "Rated {{{{ event.chat.rating.value }}}}"}}
  - name: a mail when closed
    match: {{type: chat.closed}}
    to: mail
    with: {{to: support@example.com, subject: "Chat {{{{ event.chat.id }}}} closed", text: done}}
  - name: a card for a bad rating
    match: {{type: chat.rated}}
    to: teams
    with: {{text: "Chat {{{{ event.chat.id }}}} was rated bad"}}
workers: {{lease: 2s, poll_interval: 0.2s, shutdown_grace: 1s}}
"""


def _webhook(action: str, at: datetime, number: int, text: str = "") -> bytes:
    """A LiveChat delivery of ``action`` in the one conversation, at ``at``."""
    body = json.loads(simulate(LiveChatConfig(secret=SECRET), action).body)
    payload = body["payload"]
    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if action == "incoming_chat":
        payload["chat"]["id"] = CHAT
        payload["chat"]["thread"]["id"] = THREAD
        payload["chat"]["thread"]["created_at"] = stamp  # the chat.started event's time
        for event in payload["chat"]["thread"]["events"]:
            event["id"], event["created_at"] = f"{THREAD}_{number}", stamp
    elif action in ("incoming_event", "rating"):
        payload["chat_id"], payload["thread_id"] = CHAT, THREAD
        event = payload["event"]
        event["id"], event["created_at"] = f"{THREAD}_{number}", stamp
        if action == "incoming_event":
            event["text"] = text
        else:
            event["text"] = "Thomas Anderson rated the chat as bad"
            event["text_vars"]["score"] = "bad"
    else:
        payload["chat_id"], payload["thread_id"] = CHAT, THREAD
    body["webhook_id"] = uuid.uuid4().hex
    return json.dumps(body).encode()


def _post(serve: ServeProcess, body: bytes) -> None:
    answer = httpx.post(f"{serve.url}/hooks/livechat", content=body, timeout=10)
    assert answer.status_code == 200, answer.text


def _kill_with_workers(serve: ServeProcess) -> None:
    for child in serve.children():
        os.kill(child, signal.SIGKILL)
    serve.kill()


def _settled(folder: Path) -> dict[str, int]:
    async def counts() -> dict[str, int]:
        store = Store(f"sqlite+aiosqlite:///{folder / 'hookyard.db'}")
        try:
            return dict(await store.deliveries.counts())
        finally:
            await store.close()

    return asyncio.run(counts())


def _dead(folder: Path) -> list[tuple[str, str | None]]:
    async def dead() -> list[tuple[str, str | None]]:
        store = Store(f"sqlite+aiosqlite:///{folder / 'hookyard.db'}")
        try:
            found = await store.deliveries.list(status="dead", limit=100)
            return [(d.route, d.last_error) for d in found]
        finally:
            await store.close()

    return asyncio.run(dead())


def _waiting(folder: Path) -> int:
    counts = _settled(folder)
    return counts["pending"] + counts["delivering"]


def test_one_conversation_makes_one_of_each_through_a_sigkill(tmp_path: Path) -> None:
    slack = SlackApi(channels=(CHANNEL,))
    zendesk, jira, hubspot = ZendeskApi(), JiraApi(), HubSpotApi()
    workflows = RecordingServer(Reply(202, b""))  # a Workflows webhook answers 202, empty
    with slack, zendesk, jira, hubspot, workflows as teams, SmtpServer() as smtp:
        config = tmp_path / "hookyard.yaml"
        config.write_text(
            CONFIG.format(
                folder=tmp_path,
                secret=SECRET,
                channel=CHANNEL,
                slack_token=slack.token,
                slack_url=slack.api_url,
                zendesk_url=zendesk.url,
                zendesk_token=zendesk.token,
                jira_url=jira.url,
                jira_email=jira.email,
                jira_token=jira.token,
                hubspot_token=hubspot.token,
                hubspot_url=hubspot.url,
                smtp_port=smtp.port,
                teams_url=teams.url,
            )
        )
        # The first creates are made, and their answers held past the kill.
        slack.slow_next(HELD, match="POST /api/chat.postMessage")
        zendesk.slow_next(HELD, match="POST /api/v2/tickets")
        hubspot.slow_next(HELD, match="POST /crm/v3/objects/contacts")
        port = free_port()
        start = datetime.now(UTC) - timedelta(minutes=1)
        first = ServeProcess(config, port, tmp_path / "first.log")
        second = ServeProcess(config, port, tmp_path / "second.log")
        try:
            first.start(extra_args=["--workers", "1"])
            _post(first, _webhook("incoming_chat", start, 1))
            _post(first, _webhook("incoming_event", start + timedelta(seconds=1), 2, "first"))
            _post(first, _webhook("incoming_event", start + timedelta(seconds=2), 3, "second"))
            wait_until(
                lambda: bool(
                    slack.handled("POST", "/api/chat.postMessage")
                    and zendesk.handled("POST", "/api/v2/tickets.*")
                    and hubspot.handled("POST", "/crm/v3/objects/contacts.*")
                ),
                20,
                "the first creates to arrive",
            )
            _kill_with_workers(first)

            second.start(extra_args=["--workers", "1"])
            _post(second, _webhook("incoming_event", start + timedelta(seconds=3), 4, "third"))
            _post(second, _webhook("rating", start + timedelta(seconds=4), 5))
            _post(second, _webhook("chat_deactivated", start + timedelta(seconds=5), 6))
            wait_until(
                lambda: _waiting(tmp_path) == 0,
                60,
                f"every delivery to be made (log: {second.log})",
                interval=0.5,
            )
        finally:
            first.kill()
            second.stop()
        counts = _settled(tmp_path)

        parents = slack.channels[CHANNEL].top_level()
        replies = slack.channels[CHANNEL].thread(parents[0]["ts"]) if parents else []
        posted = len(slack.handled("POST", "/api/chat.postMessage"))
        tickets = list(zendesk.tickets.values())
        comments = zendesk.comments.get(tickets[0]["id"], []) if tickets else []
        mails = {m.message["Message-ID"] for m in smtp.messages}
        print(
            f"\nafter the SIGKILL: {posted} Slack posts for 4 messages, "
            f"{len(zendesk.handled('POST', '/api/v2/tickets.*'))} Zendesk ticket creates, "
            f"{len(hubspot.handled('POST', '/crm/v3/objects/contacts.*'))} HubSpot contact "
            f"upserts, {len(smtp.messages)} SMTP sends, {len(teams.requests)} Teams posts"
        )

    assert counts["dead"] == 0, (counts, _dead(tmp_path))
    assert len(parents) == 1, parents
    assert [r["text"] for r in replies] == ["first", "second", "third"]
    assert parents[0]["text"] == "Closed"
    assert len(tickets) == 1 and tickets[0]["status"] == "solved"
    assert [c["body"] for c in comments][1:] == ["first", "second", "third"]
    assert len(jira.issues) == 1
    assert len(hubspot.contacts) == 1 and len(hubspot.notes) == 1
    assert len(mails) == 1
    assert len(teams.requests) == 1
