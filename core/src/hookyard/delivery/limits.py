"""Per-sink limits in one process: deliveries in flight (``concurrency``, which holds per
process) and the attempts this process started per window (``rate_limit``).

The store counts ``rate_limit`` over every process (store/sinks.py); this process's own
window, as long as the store's, only tells its worker when a slot of its own frees, to
claim again then.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from hookyard.store.sinks import counted_window

if TYPE_CHECKING:
    from hookyard.config.model import RateLimit

__all__ = ["SinkLimiter"]


class SinkLimiter:
    """How many more deliveries one sink may start now; times are ``loop.time()``."""

    def __init__(self, concurrency: int, rate_limit: RateLimit | None) -> None:
        self.concurrency = concurrency
        self.rate_limit = rate_limit
        #: Seconds a start counts: the store's window, a little longer than ``per``.
        self.window = 0.0 if rate_limit is None else counted_window(rate_limit.per)
        self.running = 0
        self._started: deque[float] = deque()

    def room(self, now: float) -> int:
        free = self.concurrency - self.running
        if self.rate_limit is None:
            return max(0, free)
        self._forget(now)
        return max(0, min(free, self.rate_limit.attempts - len(self._started)))

    def started(self, now: float) -> None:
        self.running += 1
        if self.rate_limit is not None:
            self._started.append(now)

    def finished(self) -> None:
        self.running -= 1

    def next_slot(self, now: float) -> float | None:
        """Seconds until the rate window lets another attempt start, if it is full now."""
        if self.rate_limit is None:
            return None
        self._forget(now)
        if len(self._started) < self.rate_limit.attempts:
            return None
        return max(0.0, self._started[0] + self.window - now)

    def _forget(self, now: float) -> None:
        assert self.rate_limit is not None
        while self._started and self._started[0] <= now - self.window:
            self._started.popleft()
