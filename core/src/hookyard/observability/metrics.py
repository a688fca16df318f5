"""Internal: the Prometheus metrics one host serves at ``GET /metrics``.

Each :class:`Metrics` has its own registry (never prometheus-client's global one), so
several hosts in one process keep their counts apart. Counters and the histogram count
what this process did; queue depth, oldest due and sink state are read from the database
at each scrape, so every process shows the same values for them.

With ``PROMETHEUS_MULTIPROC_DIR`` set (the same directory for every hookyard process of a
machine, emptied before they start), prometheus-client's multiprocess mode keeps the
counters in files there and each scrape sums those of every process: one ``serve`` then
shows what a separate ``hookyard worker`` delivered.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from prometheus_client.core import Metric

    from hookyard.store.deliveries import SinkOverview

__all__ = ["CONTENT_TYPE", "SINK_STATES", "Metrics"]

#: The media type of :meth:`Metrics.render`'s text.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: ``hookyard_sink_state``'s ``state`` label, from the state ``hookyard sinks`` shows.
SINK_STATES = {
    "active": "active",
    "paused": "paused",
    "breaker open": "breaker_open",
    "half-open": "half_open",
}
#: Seconds: one attempt of an http sink is milliseconds; its timeout is 10 s by default.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class _Database:
    """The sinks' rows read for this scrape; nothing when the database did not answer."""

    def __init__(self) -> None:
        self.sinks: Sequence[SinkOverview] | None = None

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "hookyard_database_up", "1 when the scrape could read the database, else 0"
        )
        up.add_metric([], 0 if self.sinks is None else 1)
        yield up
        if self.sinks is None:
            return
        now = datetime.now(UTC)
        depth = GaugeMetricFamily(
            "hookyard_queue_depth", "Deliveries pending or delivering", labels=["sink"]
        )
        oldest = GaugeMetricFamily(
            "hookyard_oldest_due_seconds",
            "Seconds since the longest-waiting due delivery became due (0: none is due)",
            labels=["sink"],
        )
        state = GaugeMetricFamily(
            "hookyard_sink_state", "1 for the sink's state now, else 0", labels=["sink", "state"]
        )
        for sink in self.sinks:
            depth.add_metric([sink.sink], sink.queued)
            waited = 0.0 if sink.oldest_due is None else (now - sink.oldest_due).total_seconds()
            oldest.add_metric([sink.sink], max(0.0, waited))
            for shown, label in SINK_STATES.items():
                state.add_metric([sink.sink, label], 1 if sink.state == shown else 0)
        yield from (depth, oldest, state)


class Metrics:
    """The counters intake and the workers update, and their rendering for one scrape."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        shared = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        own = None if shared else self.registry  # else the files hold them, for every process
        if shared:
            MultiProcessCollector(self.registry, path=shared)  # type: ignore[no-untyped-call]
        self._received = Counter(
            "hookyard_webhooks_received",
            "Webhooks answered, by source and outcome",
            ["source", "outcome"],
            registry=own,
        )
        self._deliveries = Counter(
            "hookyard_deliveries",
            "Delivery attempts recorded, by sink and result (delivered, retry, dead)",
            ["sink", "result"],
            registry=own,
        )
        self._latency = Histogram(
            "hookyard_delivery_attempt_duration_seconds",
            "Seconds one delivery attempt took, by sink",
            ["sink"],
            registry=own,
            buckets=LATENCY_BUCKETS,
        )
        self._reloads = Counter(
            "hookyard_config_reloads",
            "Configuration reloads of hookyard serve, by result (applied, refused)",
            ["result"],
            registry=own,
        )
        self._database = _Database()
        self.registry.register(self._database)

    def received(self, source: str, outcome: str) -> None:
        """One webhook answered; ``source`` is empty when it names no configured source."""
        self._received.labels(source, outcome).inc()

    def attempted(self, sink: str, result: str, seconds: float) -> None:
        """One delivery attempt whose outcome ``result`` was recorded, and its duration."""
        self._deliveries.labels(sink, result).inc()
        self._latency.labels(sink).observe(seconds)

    def reloaded(self, result: str) -> None:
        """One reload of the configuration ``applied`` or ``refused``."""
        self._reloads.labels(result).inc()

    def render(self, sinks: Sequence[SinkOverview] | None) -> bytes:
        """The text format of every metric, with ``sinks`` as read from the database now."""
        self._database.sinks = sinks
        try:
            return generate_latest(self.registry)
        finally:
            self._database.sinks = None
