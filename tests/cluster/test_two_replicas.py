"""Two ``hookyard serve`` replicas on one PostgreSQL: a webhook taken in by one wakes the
other's workers at once (LISTEN/NOTIFY), and a sink's ``rate_limit`` holds for both
replicas together."""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING

import httpx
import pytest
from sqlalchemy import select

from hookyard.store import Store
from hookyard.store._schema import attempts, deliveries, events
from hookyard.testing import RecordingServer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from replica_set import Replica, ReplicaSet

pytestmark = pytest.mark.slow

CONFIG = """\
sources:
  chats: {{vendor: generic, auth: none}}
sinks:
  crm:
    plugin: http
    url: "{sink}/in"
    {sink_options}
routes:
  - name: everything
    to: crm
workers: {{poll_interval: {poll}, lease: {lease}}}
"""


@pytest.fixture
def sink() -> Iterator[RecordingServer]:
    with RecordingServer() as server:
        yield server


def post(replica: Replica, number: int, prefix: str = "e") -> None:
    """One event of a chat of its own, in hookyard's JSON form."""
    event_id = f"{prefix}{number}"
    event = {"type": "chat.message", "id": event_id, "chat": {"id": f"chat-{event_id}"}}
    answer = httpx.post(replica.hooks("chats"), content=json.dumps(event), timeout=10)
    assert answer.status_code == 200, answer.text


def test_a_webhook_taken_in_by_one_replica_wakes_the_others_workers_at_once(
    replicas: ReplicaSet, sink: RecordingServer
) -> None:
    # The workers poll every 30 s (and renew leases every 40 s): only a wake-up from the
    # database brings a delivery within the 2 s asserted below.
    config = CONFIG.format(sink=sink.url, sink_options="", poll="30s", lease="120s")
    (intake,) = replicas(1, config, extra_args=["--no-workers"])
    replicas(1, config)
    time.sleep(1.0)  # the worker is listening

    waited = []
    for number in range(3):
        sent = time.time()
        post(intake, number)
        arrived = sink.wait_for(number + 1, timeout=10)[-1]
        waited.append(arrived.at - sent)
        time.sleep(0.5)

    assert max(waited) < 2.0, (waited, replicas.logs())


def test_a_rate_limit_holds_for_two_replicas_together(
    replicas: ReplicaSet, sink: RecordingServer
) -> None:
    count, per_second = 60, 10
    config = CONFIG.format(
        sink=sink.url, sink_options=f"rate_limit: {per_second}/s", poll="0.1s", lease="5s"
    )
    first, second = replicas(2, config)
    # Warm-up until both replicas' workers delivered: a process's very first attempts wait
    # for its imports and connections (documented), which no limit on starting them helps.
    warm = 0
    while len(asyncio.run(_attempts(replicas.database_url))) < 2 and warm < 40:
        post((first, second)[warm % 2], warm, prefix="warm")
        warm += 1
        time.sleep(0.3)
    time.sleep(1.2)  # the warm-up's window has passed
    for number in range(count):
        post((first, second)[number % 2], number)

    sink.wait_for(warm + count, timeout=30)
    time.sleep(1.2)  # nothing more comes

    measured = asyncio.run(_attempts(replicas.database_url, prefix="e"))
    starts = sorted(at for ats in measured.values() for at in ats)
    busiest = max(sum(1 for t in starts if start <= t < start + 1.0) for start in starts)
    span = starts[-1] - starts[0]
    assert len(starts) == count
    assert busiest <= per_second * 1.1, (busiest, [round(t - starts[0], 3) for t in starts])
    # Ten per window from both together (a window is counted 10 % longer, 1.1 s): 60 take
    # five windows after the first, 5.5 s. Each replica holding the limit alone would take
    # half that; each holding half of it, twice that.
    assert 4.5 <= span <= 7.0, span
    assert len(measured) == 2  # both replicas delivered


async def _attempts(database_url: str, prefix: str = "") -> dict[str, list[float]]:
    """When the attempts of events whose id starts with ``prefix`` started (seconds), by
    the worker that made them."""
    store = Store(database_url)
    try:
        async with store.engine.connect() as connection:
            query = (
                select(attempts.c.started_at, attempts.c.worker)
                .join(deliveries, deliveries.c.id == attempts.c.delivery_id)
                .join(events, events.c.pk == deliveries.c.event_pk)
                .where(events.c.event_id.startswith(prefix))
            )
            rows = (await connection.execute(query)).all()
    finally:
        await store.close()
    found: dict[str, list[float]] = {}
    for row in rows:
        found.setdefault(row.worker, []).append(row.started_at.timestamp())
    return found
