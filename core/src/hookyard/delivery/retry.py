"""When a failed delivery is tried again, and when it is given up.

The schedule is kept in the store (``next_attempt_at``), not in a sleeping coroutine, so a
retry survives restarts; that is why this is a small pure function rather than an
in-process retry library.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from attrs import frozen

if TYPE_CHECKING:
    from hookyard.config import RetryPolicy
    from hookyard.sinks import DeliveryFailed

__all__ = ["MAX_PAUSE", "RETRYABLE_4XX", "Decision", "decide", "is_retryable", "pause_for"]

#: 4xx statuses that are retried by default; every other 4xx is permanent.
RETRYABLE_4XX = frozenset({408, 409, 425, 429})
#: Statuses whose ``Retry-After`` pauses the whole sink, not only the delivery.
PAUSING_STATUSES = frozenset({429, 503})
#: The longest a ``Retry-After`` pauses a sink: a day and an hour, so a daily quota
#: (HubSpot's resets at midnight) is waited out in one pause; ``hookyard sinks resume``
#: ends a pause sooner.
MAX_PAUSE = 25 * 3600.0


@frozen
class Decision:
    """``delay`` is None when the delivery is given up (dead)."""

    delay: float | None
    reason: str


def is_retryable(failure: DeliveryFailed, policy: RetryPolicy) -> bool:
    if failure.permanent is not None:
        return not failure.permanent
    status = failure.status_code
    if status is None:
        return True
    if status in policy.permanent_statuses:
        return False
    if status in policy.retry_statuses:
        return True
    # A redirect (3xx) is a wrong URL, which retrying does not fix; sinks never follow one.
    return status >= 500 or status in RETRYABLE_4XX or status < 300


def backoff(attempt: int, policy: RetryPolicy, rng: random.Random | None = None) -> float:
    """Exponential delay after ``attempt`` (1-based), capped, with +/- ``jitter`` spread."""
    try:
        grown = policy.initial_delay * policy.multiplier ** (attempt - 1)
    except OverflowError:  # thousands of attempts: long past the cap
        grown = policy.max_delay
    base = min(grown, policy.max_delay)
    spread = base * policy.jitter
    return max(0.0, base + (rng or random).uniform(-spread, spread))


def decide(
    failure: DeliveryFailed, attempt: int, policy: RetryPolicy, rng: random.Random | None = None
) -> Decision:
    """Retry (with the delay, honouring ``Retry-After``) or give up.

    A failure that pauses its sink (:func:`pause_for`) is retried when the pause ends, even
    past ``max_delay``: the whole sink waits that long anyway. Any other ``Retry-After``
    is honoured up to ``max_delay``.
    """
    if not is_retryable(failure, policy):
        return Decision(None, "permanent failure")
    if attempt >= policy.max_attempts:
        return Decision(None, f"gave up after {attempt} attempts")
    delay = backoff(attempt, policy, rng)
    pause = pause_for(failure)
    if pause is not None:
        delay = max(delay, pause)
    elif failure.retry_after is not None:
        delay = max(delay, min(failure.retry_after, policy.max_delay))
    return Decision(delay, "retry")


def pause_for(failure: DeliveryFailed) -> float | None:
    """Seconds a 429 or 503 with ``Retry-After`` pauses its sink (at most ``MAX_PAUSE``)."""
    wait = failure.retry_after
    if failure.status_code not in PAUSING_STATUSES or wait is None or not wait > 0:
        return None
    return min(wait, MAX_PAUSE)
