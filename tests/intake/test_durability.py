"""200 means committed: another connection sees the event; a failed write is never a 200."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from echo_vendor import echo_body
from sqlalchemy import text

from conftest import ECHO_SECRET
from hookyard.vendors import WebhookRequest

if TYPE_CHECKING:
    from litestar.testing import AsyncTestClient

    from hookyard.host import Host
    from hookyard.store import Store

ACTIONS = ("incoming_chat", "incoming_event", "rating", "chat_transferred", "thread_tagged")


def sample(host: Host, action: str) -> tuple[bytes, str]:
    """A LiveChat delivery for source ``chat`` and the event id hookyard will store it as."""
    options = host.config.sources["chat"].options
    vendor = host.registry.vendors["livechat"]
    body = vendor.simulate(options, action).body
    events = vendor.parse(options, WebhookRequest("chat", body, {}, datetime.now(UTC)))
    return body, events[0].id


async def stored_ids(reader: Store) -> set[str]:
    return {row["event_id"] for row in await reader.events(limit=1000)}


async def test_every_200_is_visible_to_another_connection_at_once(
    client: AsyncTestClient[Any], reader: Store, host: Host
) -> None:
    sent: list[bytes] = []
    for number in range(20):
        body, event_id = sample(host, ACTIONS[number % len(ACTIONS)])
        response = await client.post("/hooks/chat", content=body)
        assert response.status_code == 200
        assert response.json() == {"stored": 1, "duplicates": 0}
        assert event_id in await stored_ids(reader), f"answer {number} came before the commit"
        sent.append(body)
    broken = echo_body(ECHO_SECRET, "ValueError", {"created_at": "not-a-date"})
    response = await client.post("/hooks/echo", content=json.dumps(broken))
    assert response.status_code == 200
    assert response.json()["unparsed"] in await stored_ids(reader)
    for body in sent[:5]:  # re-sends: answered from the committed rows
        assert (await client.post("/hooks/chat", content=body)).json()["duplicates"] == 1
    assert len(await reader.events(limit=1000)) == 21


async def drop_tables(reader: Store) -> None:
    async with reader.engine.begin() as connection:
        for table in ("attempts", "deliveries", "events"):
            await connection.execute(text(f"DROP TABLE {table}"))


@pytest.mark.parametrize("workers", [False])  # only the intake touches the tables
async def test_a_failed_write_answers_503_never_200(
    client: AsyncTestClient[Any], reader: Store, host: Host, caplog: pytest.LogCaptureFixture
) -> None:
    body, _ = sample(host, "incoming_chat")
    assert (await client.post("/hooks/chat", content=body)).status_code == 200
    await drop_tables(reader)
    for action in ("incoming_chat", "incoming_event"):
        response = await client.post("/hooks/chat", content=sample(host, action)[0])
        assert response.status_code == 503
        assert response.json() == {"error": "storage unavailable, please retry"}
    broken = echo_body(ECHO_SECRET, "TypeError", "not an object")
    unparsed = await client.post("/hooks/echo", content=json.dumps(broken))
    assert unparsed.status_code == 503  # kept-as-unparsed needs a commit too
    assert unparsed.json() == {"error": "storage unavailable, please retry"}
    assert "source chat: storing the webhook failed" in caplog.text
    assert "source echo: storing the webhook failed" in caplog.text
