"""When a failed delivery is retried, after how long, and when it is given up."""

from __future__ import annotations

import random

import pytest

from hookyard.config import RetryPolicy, Seconds
from hookyard.delivery.retry import backoff, decide
from hookyard.sinks import DeliveryFailed

EXACT = RetryPolicy(initial_delay=Seconds(10.0), max_delay=Seconds(100.0), jitter=0.0)


def _http(status: int, retry_after: float | None = None) -> DeliveryFailed:
    return DeliveryFailed(f"HTTP {status}", status_code=status, retry_after=retry_after)


def test_backoff_grows_exponentially_and_stops_at_max_delay() -> None:
    delays = [backoff(attempt, EXACT) for attempt in range(1, 7)]

    assert delays == [10.0, 20.0, 40.0, 80.0, 100.0, 100.0]


def test_backoff_uses_the_multiplier() -> None:
    policy = RetryPolicy(initial_delay=Seconds(1.0), multiplier=3.0, jitter=0.0)

    assert [backoff(n, policy) for n in (1, 2, 3)] == [1.0, 3.0, 9.0]


def test_jitter_spreads_delays_within_bounds() -> None:
    policy = RetryPolicy(initial_delay=Seconds(10.0), jitter=0.2)
    rng = random.Random(1234)

    delays = [backoff(1, policy, rng) for _ in range(500)]

    assert all(8.0 <= d <= 12.0 for d in delays)
    assert min(delays) < 8.5 and max(delays) > 11.5  # really spread, not a constant
    again = random.Random(1234)
    assert [backoff(1, policy, again) for _ in range(500)] == delays


def test_jitter_applies_to_the_capped_delay() -> None:
    policy = RetryPolicy(initial_delay=Seconds(10.0), max_delay=Seconds(30.0), jitter=0.5)
    rng = random.Random(7)

    assert all(15.0 <= backoff(10, policy, rng) <= 45.0 for _ in range(200))


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 409, 425, 429])
def test_server_errors_and_the_retryable_4xx_are_retried(status: int) -> None:
    decision = decide(_http(status), 1, EXACT)

    assert decision.delay == 10.0


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 413, 422])
def test_other_4xx_are_permanent(status: int) -> None:
    decision = decide(_http(status), 1, EXACT)

    assert decision.delay is None
    assert decision.reason == "permanent failure"


def test_failures_without_a_status_are_retried() -> None:
    assert decide(DeliveryFailed("timed out after 10s"), 1, EXACT).delay == 10.0


def test_the_sink_can_force_the_decision() -> None:
    forced_permanent = DeliveryFailed("bad template", status_code=503, permanent=True)
    forced_retry = DeliveryFailed("locked", status_code=404, permanent=False)

    assert decide(forced_permanent, 1, EXACT).delay is None
    assert decide(forced_retry, 1, EXACT).delay == 10.0


def test_status_overrides_win_over_the_defaults() -> None:
    policy = RetryPolicy(
        initial_delay=Seconds(1.0), jitter=0.0, retry_statuses=(404,), permanent_statuses=(503,)
    )

    assert decide(_http(404), 1, policy).delay == 1.0
    assert decide(_http(503), 1, policy).delay is None
    assert decide(_http(500), 1, policy).delay == 1.0
    assert decide(_http(400), 1, policy).delay is None


def test_retry_after_is_a_floor_not_a_ceiling() -> None:
    assert decide(_http(429, retry_after=60.0), 1, EXACT).delay == 60.0
    assert decide(_http(429, retry_after=1.0), 3, EXACT).delay == 40.0  # backoff is longer
    assert decide(_http(503, retry_after=5.0), 1, EXACT).delay == 10.0


def test_retry_after_is_capped_at_max_delay_unless_it_pauses_the_sink() -> None:
    assert decide(_http(500, retry_after=86400.0), 1, EXACT).delay == 100.0
    # A 429 or 503 pauses the whole sink that long: the delivery goes when the pause ends
    # (a daily quota costs one attempt, not one per hour), up to a day and an hour.
    assert decide(_http(429, retry_after=80000.0), 1, EXACT).delay == 80000.0
    assert decide(_http(503, retry_after=10**6), 1, EXACT).delay == 25 * 3600.0


def test_retry_after_floor_holds_under_jitter() -> None:
    policy = RetryPolicy(initial_delay=Seconds(1.0), jitter=0.5)
    rng = random.Random(99)

    assert all(decide(_http(429, 2.0), 1, policy, rng).delay == 2.0 for _ in range(100))


def test_a_delivery_is_dead_after_max_attempts() -> None:
    policy = RetryPolicy(max_attempts=3, initial_delay=Seconds(1.0), jitter=0.0)

    decisions = [decide(_http(500), attempt, policy) for attempt in (1, 2, 3)]

    assert [d.delay for d in decisions] == [1.0, 2.0, None]
    assert decisions[-1].reason == "gave up after 3 attempts"


def test_a_single_attempt_policy_never_retries() -> None:
    policy = RetryPolicy(max_attempts=1)

    assert decide(_http(503), 1, policy).delay is None


def test_backoff_stays_at_the_cap_after_thousands_of_attempts() -> None:
    assert backoff(5000, EXACT) == 100.0


def test_a_redirect_is_not_retried() -> None:
    assert decide(_http(302), 1, EXACT).delay is None
    assert decide(_http(308), 1, EXACT).reason == "permanent failure"
