"""Delivery workers: claim due deliveries under a lease, call the sink, record the outcome."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import socket
import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from attrs import evolve, frozen

from hookyard.config import ConfigError
from hookyard.delivery.limits import SinkLimiter
from hookyard.delivery.retry import decide, is_retryable, pause_for
from hookyard.observability.metrics import Metrics
from hookyard.observability.sentry import report_dead
from hookyard.routing.params import InvalidParams, not_json
from hookyard.sinks import DeliveryFailed, DeliveryRequest, DeliveryResult
from hookyard.store.deliveries import ClaimedDelivery, Outcome, SinkFeedback, SinkRoom
from hookyard.store.errors import StoreError

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from hookyard.config import Config, RetryPolicy, SinkConfig
    from hookyard.plugins import Registry
    from hookyard.routing import Router
    from hookyard.sinks import Sink
    from hookyard.store import Store
    from hookyard.store.notify import DueListener

__all__ = ["Worker"]

log = logging.getLogger("hookyard.worker")


#: The most outcomes one transaction records.
RECORD_BATCH = 500


@frozen
class Finished:
    """One attempt, done, waiting to be recorded."""

    delivery: ClaimedDelivery
    outcome: Outcome
    feedback: SinkFeedback | None
    seconds: float


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """Runs deliveries until stopped; one per process is enough (it is concurrent)."""

    def __init__(
        self,
        config: Config,
        registry: Registry,
        router: Router,
        store: Store,
        metrics: Metrics | None = None,
    ) -> None:
        self._config = config
        self._metrics = Metrics() if metrics is None else metrics
        self._registry = registry
        self._router = router
        self._policies = {r.name: r.retry for r in router.routes}
        self._store = store
        self._settings = config.workers
        self.name = worker_name()
        self._sinks: dict[str, Sink] = {}
        self._limits = {
            name: SinkLimiter(sink.concurrency or self._settings.concurrency, sink.rate_limit)
            for name, sink in config.sinks.items()
        }
        self._claim_at = max(1, self._settings.concurrency // 4)
        self._turn = 0  # which sink is served first at the next claim, in turn
        self._running: dict[int, asyncio.Task[None]] = {}
        #: Attempts whose outcome waits to be recorded, with the future their task awaits.
        self._finished_attempts: list[tuple[Finished, asyncio.Future[None]]] = []
        self._outcomes_waiting = asyncio.Event()
        self._recorder: asyncio.Task[None] | None = None
        self._listener: DueListener | None = None
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        for name, sink in self._config.sinks.items():
            self._sinks[name] = self._registry.sinks[sink.plugin].open(sink.options)
        self._task = asyncio.create_task(self._run(), name=f"hookyard-worker-{self.name}")
        self._recorder = asyncio.create_task(self._record_outcomes(), name="hookyard-recorder")
        self._listener = self._store.due_listener(self.wake)
        self._listener.start()

    def wake(self) -> None:
        """Look for due deliveries now (intake calls this after a commit)."""
        self._wake.set()

    async def reload(
        self, config: Config, registry: Registry, router: Router
    ) -> Coroutine[Any, Any, None]:
        """Attempt with ``config`` (whose ``workers`` section is this worker's) from now on:
        its sinks opened anew and claimed under their new limits. Raises
        :class:`~hookyard.config.ConfigError`, changing nothing, if a sink cannot be opened.

        Attempts in flight finish with the sink and settings they were claimed with; await
        the coroutine returned to close the old sinks once they have. A sink ``config`` does
        not name is claimed no more: its deliveries wait, pending, until one names it again.
        """
        if self._stopping.is_set():
            raise ConfigError(["the workers are stopping"])
        opened: dict[str, Sink] = {}
        try:
            for name, sink in config.sinks.items():
                opened[name] = registry.sinks[sink.plugin].open(sink.options)
        except Exception as exc:
            for left in opened.values():
                with contextlib.suppress(Exception):
                    await left.aclose()
            failed = f"sinks.{name}: plugin {sink.plugin} cannot open it: {type(exc).__name__}"
            raise ConfigError([f"{failed}: {exc}"]) from exc
        gone = {n: s for n, s in self._sinks.items() if n not in opened}
        replaced = [s for n, s in self._sinks.items() if n in opened]
        for name in gone.keys() & self._limits.keys():
            log.warning(
                "sink %s is no longer configured: its deliveries wait, pending, until a "
                "configuration names it again",
                name,
            )
        kept = {n: self._config.sinks[n] for n in gone}  # for the attempts in flight
        self._config = evolve(config, sinks={**kept, **config.sinks})
        self._registry, self._router, self._sinks = registry, router, {**gone, **opened}
        self._policies = {r.name: r.retry for r in router.routes}
        self._limits = {name: self._limiter(name, sink) for name, sink in config.sinks.items()}
        self._wake.set()
        return self._retire(list(self._running.values()), replaced, gone)

    def _limiter(self, name: str, sink: SinkConfig) -> SinkLimiter:
        """``sink``'s limiter after a reload: its running one (which counts the attempts in
        flight) with the new concurrency, unless its ``rate_limit`` changed."""
        limiter = self._limits.get(name)
        if limiter is None or limiter.rate_limit != sink.rate_limit:
            limiter = SinkLimiter(0, sink.rate_limit)
        limiter.concurrency = sink.concurrency or self._settings.concurrency
        return limiter

    async def _retire(
        self, in_flight: list[asyncio.Task[None]], replaced: list[Sink], gone: dict[str, Sink]
    ) -> None:
        """Once ``in_flight`` finished: close ``replaced``, forget and close ``gone``."""
        if in_flight:
            await asyncio.wait(in_flight)
        if not self._stopping.is_set():  # else stop() closes what is left
            forgotten = {n for n, s in gone.items() if self._sinks.get(n) is s}
            self._sinks = {n: s for n, s in self._sinks.items() if n not in forgotten}
            sinks = {n: s for n, s in self._config.sinks.items() if n not in forgotten}
            self._config = evolve(self._config, sinks=sinks)
            replaced = [*replaced, *(gone[n] for n in forgotten)]
        for sink in replaced:
            with contextlib.suppress(Exception):
                await sink.aclose()

    async def stop(self) -> None:
        """Stop claiming, let running deliveries finish within the grace, release the rest."""
        self._stopping.set()
        self._wake.set()
        if self._listener is not None:
            await self._listener.stop()
        if self._task is not None:
            await self._task
        for sink in self._sinks.values():
            with contextlib.suppress(Exception):
                await sink.aclose()

    async def _run(self) -> None:
        renew_every = self._settings.lease / 3
        last_renewal = asyncio.get_running_loop().time()
        while not self._stopping.is_set():
            free = self._settings.concurrency - len(self._running)
            # A claim costs the same for one delivery as for many: while deliveries are in
            # flight, wait until a quarter of the room is free before claiming again.
            if self._running and free < self._claim_at:
                free = 0
            # Only configured sinks' deliveries: those of a sink no longer configured wait,
            # pending, for a configuration that names it again (a reload, another replica).
            claimed = await self._claim(free) if free > 0 else []
            now = asyncio.get_running_loop().time()
            for delivery in claimed:
                limiter = self._limits.get(delivery.sink)
                if limiter is not None:
                    limiter.started(now)
                task = asyncio.create_task(self._deliver(delivery))
                self._running[delivery.id] = task
                done = functools.partial(self._finished, delivery.id, limiter)
                task.add_done_callback(done)
            now = asyncio.get_running_loop().time()
            if now - last_renewal >= renew_every:
                await self._renew()
                last_renewal = now
            if free <= 0 or len(claimed) < free:
                await self._idle()
        await self._drain()

    def _finished(
        self, delivery_id: int, limiter: SinkLimiter | None, _task: asyncio.Task[None]
    ) -> None:
        self._running.pop(delivery_id, None)
        if limiter is not None:
            limiter.finished()
        self._wake.set()

    def _rooms(self) -> list[SinkRoom]:
        """Each sink's room now and its rules, starting with a different sink every claim."""
        now = asyncio.get_running_loop().time()
        names = list(self._limits)
        self._turn = (self._turn + 1) % max(1, len(names))
        names = names[self._turn :] + names[: self._turn]
        rooms = []
        for name in names:
            sink = self._config.sinks[name]
            rate = sink.rate_limit
            rooms.append(
                SinkRoom(
                    name,
                    self._limits[name].room(now),
                    ordered=sink.ordering == "conversation",
                    dead_holds=sink.when_dead == "hold",
                    rate=None if rate is None else (rate.attempts, rate.per),
                )
            )
        return rooms

    async def _claim(self, free: int) -> list[ClaimedDelivery]:
        try:
            lease, rooms = self._settings.lease, self._rooms()
            return await self._store.deliveries.claim(self.name, free, lease, rooms)
        except StoreError as exc:  # locked or unreachable: one line, not a traceback a poll
            log.warning("claiming deliveries failed (%s); trying again shortly", exc)
        except Exception:
            log.exception("claiming deliveries failed; trying again shortly")
        return []

    async def _renew(self) -> None:
        with contextlib.suppress(Exception):
            await self._store.deliveries.renew(self.name, list(self._running), self._settings.lease)

    async def _idle(self) -> None:
        # Wake up for lease renewals too, however long the poll interval.
        timeout = min(self._settings.poll_interval, self._settings.lease / 3)
        now = asyncio.get_running_loop().time()
        for limiter in self._limits.values():  # a rate window that frees a slot soon
            slot = limiter.next_slot(now)
            if slot is not None:
                timeout = min(timeout, slot + 0.001)
        for frees_in in self._store.deliveries.rate_windows_free_in.values():  # every process's
            timeout = min(timeout, frees_in + 0.001)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        self._wake.clear()

    async def _drain(self) -> None:
        running = list(self._running.values())
        if running:
            await asyncio.wait(running, timeout=self._settings.shutdown_grace)
        unfinished = list(self._running)
        for task in self._running.values():
            task.cancel()
        await asyncio.gather(*self._running.values(), return_exceptions=True)
        # Attempts the sink answered are recorded; then the rest is released.
        if self._recorder is not None:
            self._recorder.cancel()
            await asyncio.gather(self._recorder, return_exceptions=True)
        await self._record_waiting()
        try:
            released = await self._store.deliveries.release(self.name, unfinished)
        except StoreError as exc:
            log.warning(
                "releasing %d unfinished deliveries failed (%s); another worker takes them "
                "once their lease of %gs runs out",
                len(unfinished),
                exc,
                self._settings.lease,
            )
            return
        if released:
            log.info("released %d unfinished deliveries for another worker", released)

    def _policy(self, delivery: ClaimedDelivery) -> RetryPolicy:
        return self._policies.get(delivery.route) or self._config.sinks[delivery.sink].retry

    async def _deliver(self, delivery: ClaimedDelivery) -> None:
        """Attempt ``delivery``; return once its outcome is recorded (in a batch)."""
        started = datetime.now(UTC)
        clock = time.perf_counter()
        outcome, feedback = await self._attempt(delivery, started)
        finished = Finished(delivery, outcome, feedback, time.perf_counter() - clock)
        recorded = asyncio.get_running_loop().create_future()
        self._finished_attempts.append((finished, recorded))
        self._outcomes_waiting.set()
        await recorded

    async def _record_outcomes(self) -> None:
        """Record finished attempts, all that finished while the last batch was written at
        once: one transaction per batch, however many deliveries run."""
        while True:
            await self._outcomes_waiting.wait()
            self._outcomes_waiting.clear()
            await self._record_waiting()

    async def _record_waiting(self) -> None:
        while self._finished_attempts:
            batch = self._finished_attempts[:RECORD_BATCH]
            del self._finished_attempts[:RECORD_BATCH]
            try:
                await self._record([finished for finished, _ in batch])
            finally:
                for _, recorded in batch:
                    if not recorded.done():
                        recorded.set_result(None)

    async def _record(self, batch: list[Finished]) -> None:
        items = [(f.delivery, f.outcome, f.feedback) for f in batch]
        try:
            recorded = await self._store.deliveries.record_many(self.name, items)
        except StoreError as exc:
            log.warning(
                "recording the outcomes of %d deliveries failed (%s); they are tried again "
                "once their lease runs out",
                len(batch),
                exc,
            )
            return
        except Exception:
            log.exception("recording the outcomes of %d deliveries failed", len(batch))
            if len(batch) > 1:  # one bad outcome must not hold up the others
                for finished in batch:
                    await self._record([finished])
            elif batch[0].outcome.link is not None:  # recorded without what it wanted kept
                await self._record([evolve(batch[0], outcome=evolve(batch[0].outcome, link=None))])
            return
        for finished, kept in zip(batch, recorded, strict=True):
            delivery, outcome = finished.delivery, finished.outcome
            if not kept:
                log.warning("delivery %d: lease lost to another worker", delivery.id)
                continue
            self._metrics.attempted(delivery.sink, outcome.result, finished.seconds)
            if outcome.result == "dead":
                self._report_dead(delivery, outcome)

    async def _attempt(
        self, delivery: ClaimedDelivery, started: datetime
    ) -> tuple[Outcome, SinkFeedback | None]:
        """One attempt; a group's params are rendered first, from all of its events, and
        kept with its outcome."""
        if not delivery.group:
            return await self._attempt_with(delivery, started, delivery.params)
        rendered, error = self._router.render_group(delivery.route, delivery.group)
        if error is not None:
            return Outcome("dead", started, error=error, params=rendered), None
        outcome, feedback = await self._attempt_with(delivery, started, rendered)
        return evolve(outcome, params=rendered), feedback

    async def _attempt_with(
        self, delivery: ClaimedDelivery, started: datetime, stored: Mapping[str, Any]
    ) -> tuple[Outcome, SinkFeedback | None]:
        sink = self._sinks.get(delivery.sink)
        if sink is None:  # a reload removed it after the claim: the delivery waits for it
            error = (
                f"sink {delivery.sink!r} is no longer configured: the delivery waits until a "
                "configuration names it again"
            )
            return Outcome("retry", started, error=error, retry_in=0.0), None
        try:
            params = self._router.params_for(delivery.sink, delivery.action, stored)
        except InvalidParams as exc:  # stored before the sink's parameters changed
            return Outcome("dead", started, error=str(exc)), None
        request = DeliveryRequest(
            delivery.id,
            delivery.event,
            delivery.action,
            params,
            delivery.idempotency_key,
            delivery.attempt,
            delivery.route,
            delivery.conversation,
            delivery.link,
            delivery.group,
        )
        try:
            result = await sink.deliver(request)
        except DeliveryFailed as failure:
            return self._failed(delivery, started, failure), self._feedback(delivery, failure)
        except Exception as exc:
            log.exception("delivery %d: sink %s raised", delivery.id, delivery.sink)
            wrapped = DeliveryFailed(f"{type(exc).__name__}: {exc}")
            return self._failed(delivery, started, wrapped), self._feedback(delivery, wrapped)
        if not isinstance(result, DeliveryResult):  # the sink returned: it did its work
            log.error(
                "delivery %d: sink %s returned %s, not a DeliveryResult; counted as delivered",
                delivery.id,
                delivery.sink,
                type(result).__name__,
            )
            result = DeliveryResult(response=f"the sink returned {type(result).__name__}")
        link = self._kept_link(delivery, result.link)
        response = _one_text(result.response)
        delivered = Outcome("delivered", started, response=response, link=link)
        return delivered, self._feedback(delivery)

    def _kept_link(self, delivery: ClaimedDelivery, link: object) -> Mapping[str, Any] | None:
        """``link`` if the store can keep it: a mapping of text keys to JSON values. A sink
        that gives anything else has its link dropped (logged), never its outcome."""
        if link is None:
            return None
        wrong = "it is not a mapping" if not isinstance(link, Mapping) else not_json(dict(link))
        if wrong:
            log.error(
                "delivery %d: sink %s gave a link the store cannot keep (%s); it is dropped",
                delivery.id,
                delivery.sink,
                wrong,
            )
            return None
        assert isinstance(link, Mapping)
        return link

    def _feedback(
        self, delivery: ClaimedDelivery, failure: DeliveryFailed | None = None
    ) -> SinkFeedback:
        """What the attempt says about its sink: a failure for its breaker, a pause."""
        breaker = self._config.sinks[delivery.sink].breaker
        threshold = None if breaker is None else breaker.failures
        cooldown = 30.0 if breaker is None else breaker.cooldown
        if failure is None:
            return SinkFeedback(False, breaker_failures=threshold, breaker_cooldown=cooldown)
        pause = pause_for(failure)
        if pause is not None:
            log.warning("sink %s paused for %.1fs: %s", delivery.sink, pause, failure.reason)
        return SinkFeedback(
            is_retryable(failure, self._policy(delivery)),
            pause_for=pause,
            reason=None if pause is None else f"{failure.reason} with Retry-After",
            breaker_failures=threshold,
            breaker_cooldown=cooldown,
        )

    def _failed(
        self, delivery: ClaimedDelivery, started: datetime, failure: DeliveryFailed
    ) -> Outcome:
        decision = decide(failure, delivery.budget_attempt, self._policy(delivery))
        dead = Outcome(
            "dead",
            started,
            error=_one_text(failure.reason) or "failed",
            status_code=failure.status_code if isinstance(failure.status_code, int) else None,
            response=_one_text(failure.response),
            retry_after=failure.retry_after,
            link=self._kept_link(delivery, getattr(failure, "link", None)),
        )
        if decision.delay is None:
            log.warning(
                "delivery %d to %s is dead (%s): %s",
                delivery.id,
                delivery.sink,
                decision.reason,
                failure.reason,
            )
            return dead
        log.info(
            "delivery %d to %s failed (%s); retry in %.1fs",
            delivery.id,
            delivery.sink,
            failure.reason,
            decision.delay,
        )
        return evolve(dead, result="retry", retry_in=decision.delay)

    def _report_dead(self, delivery: ClaimedDelivery, outcome: Outcome) -> None:
        event = delivery.event
        report_dead(
            delivery_id=delivery.id,
            sink=delivery.sink,
            route=delivery.route,
            source=str(event.get("source")),
            vendor=str(event.get("vendor")),
            event_id=str(event.get("id")),
            error=outcome.error or "failed",
        )


def _one_text(value: object) -> str | None:
    """What a sink gave as a reason or response, as text (a sink may give anything)."""
    if value is None or isinstance(value, str):
        return value
    return repr(value)[:500]
