"""HubSpot's rate limits: the rolling windows pause the sink briefly, the daily limit
until midnight in the portal's time zone."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from hubspot_support import chat_event, host_config, open_sink

from hookyard import DeliveryFailed
from hookyard.testing import delivery_request, would_retry
from hookyard_hubspot import UpsertContact, daily_reset_in

if TYPE_CHECKING:
    from hookyard.testing import HostFactory, HubSpotApi
    from hookyard_hubspot import HubSpotSink

CONTACT = UpsertContact("ada@example.com")
ROUTE = {"action": "upsert_contact", "with": {"email": "{{ event.customer.email }}"}}


async def test_the_ten_second_limit_pauses_the_sink_then_all_is_delivered(
    hubspot: HubSpotApi, hookyard_host: HostFactory
) -> None:
    hubspot.rate_limit("TEN_SECONDLY_ROLLING", retry_after=1)
    config = host_config(hubspot.url, [ROUTE], concurrency=1)  # one attempt at a time
    async with hookyard_host(config) as host:
        await host.post("chats", chat_event(chat="c-1", email="a@example.com"))
        await host.post("chats", chat_event(chat="c-2", email="b@example.com"))
        deliveries = await host.deliver(real_time=True)  # the pause really is waited
        attempts = [await host.attempts(d.id) for d in deliveries]
    assert [d.status for d in deliveries] == ["delivered", "delivered"]
    [limited] = [a[0] for a in attempts if len(a) == 2]
    assert limited.status_code == 429
    assert limited.error == (
        "HubSpot HTTP 429 RATE_LIMIT: You have reached your ten_secondly_rolling limit. "
        "(TEN_SECONDLY_ROLLING limit)"
    )
    first, *rest = hubspot.requests
    # The whole sink waited: the other conversation was not tried within the second.
    assert all(r.at - first.at >= 0.9 for r in rest) and len(rest) == 2
    assert len(hubspot.contacts) == 2


async def test_without_retry_after_the_window_is_waited(
    hubspot: HubSpotApi, sink: HubSpotSink
) -> None:
    for policy, window in (("TEN_SECONDLY_ROLLING", 10.0), ("SECONDLY", 1.0)):
        hubspot.rate_limit(policy, retry_after=None)
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(delivery_request("upsert_contact", CONTACT))
        assert (failed.value.status_code, failed.value.retry_after) == (429, window)
        assert would_retry(failed.value)


async def test_the_daily_limit_waits_until_midnight_in_the_portals_zone(
    hubspot: HubSpotApi,
) -> None:
    sink = open_sink(hubspot, time_zone="Asia/Tokyo")
    hubspot.rate_limit("DAILY", retry_after=None)
    try:
        with pytest.raises(DeliveryFailed) as failed:
            await sink.deliver(delivery_request("upsert_contact", CONTACT))
    finally:
        await sink.aclose()
    expected = daily_reset_in("Asia/Tokyo")
    assert failed.value.status_code == 429
    assert failed.value.retry_after == pytest.approx(expected, abs=5)
    assert "You have reached your daily limit. (DAILY limit: resets at midnight Asia/Tokyo" in (
        failed.value.reason
    )
    assert would_retry(failed.value)
    assert hubspot.contacts == {}


async def test_a_daily_retry_after_longer_than_midnight_is_honoured(
    hubspot: HubSpotApi, sink: HubSpotSink
) -> None:
    hubspot.rate_limit("DAILY", retry_after=200_000)
    with pytest.raises(DeliveryFailed) as failed:
        await sink.deliver(delivery_request("upsert_contact", CONTACT))
    assert failed.value.retry_after == 200_000


@pytest.mark.parametrize(
    ("zone", "now", "hours"),
    [
        ("UTC", "2026-05-04T18:00:00+00:00", 6),
        ("Asia/Tokyo", "2026-05-04T14:00:00+00:00", 1),  # 23:00 in Tokyo
        ("America/New_York", "2026-05-04T03:00:00+00:00", 1),  # 23:00 the day before
        ("Europe/Berlin", "2026-03-28T23:00:00+00:00", 23),  # the day clocks go forward
        ("Europe/Berlin", "2026-10-24T22:00:00+00:00", 25),  # the day they go back
    ],
)
def test_the_daily_reset_is_the_next_local_midnight(zone: str, now: str, hours: int) -> None:
    seconds = daily_reset_in(zone, datetime.fromisoformat(now).astimezone(UTC))
    assert seconds == hours * 3600 + 30  # and a margin for the clocks' difference


def test_a_daily_reset_is_never_in_the_past() -> None:
    started = time.time()
    assert 30 < daily_reset_in("Pacific/Kiritimati") <= 24 * 3600 + 30
    assert time.time() - started < 1
