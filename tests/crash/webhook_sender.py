"""A vendor's side of a webhook stream: several threads POSTing, noting every answer."""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import httpx
from attrs import define, field, frozen

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["Delivery", "Sender"]

#: Seconds a sending thread waits after a connection error.
BACK_OFF = 0.5


@frozen
class Delivery:
    """One POST the vendor makes; ``event_id`` is what hookyard stores it as."""

    body: bytes
    event_id: str
    duplicate: bool = False


@define
class Sender:
    """POSTs ``deliveries`` to ``target`` from ``threads`` threads; thread-safe bookkeeping."""

    target: str
    deliveries: Sequence[Delivery]
    threads: int = 6
    #: index -> every answer it got, in order: an HTTP status or an exception's name
    answers: dict[int, list[int | str]] = field(factory=dict)
    in_flight: set[int] = field(factory=set)
    unanswered: list[int] = field(factory=list)
    _lock: threading.Lock = field(factory=threading.Lock)

    @property
    def answered(self) -> int:
        with self._lock:
            return sum(1 for got in self.answers.values() if 200 in got)

    def in_flight_now(self) -> int:
        with self._lock:
            return len(self.in_flight)

    def stream(self) -> list[threading.Thread]:
        """Start sending every delivery once; connection errors end up in ``unanswered``."""
        return self._start(range(len(self.deliveries)), attempts=1)

    def resend_unanswered(self, attempts: int = 20) -> list[int]:
        """What a vendor does next: send the unanswered deliveries again until they get one."""
        with self._lock:
            resent = sorted(set(self.unanswered))
        for thread in self._start(resent, attempts):
            thread.join(timeout=60)
        return resent

    def _start(self, indices: Iterable[int], attempts: int) -> list[threading.Thread]:
        work: queue.SimpleQueue[int] = queue.SimpleQueue()
        for index in indices:
            work.put(index)
        started = [
            threading.Thread(target=self._drain, args=(work, attempts), daemon=True)
            for _ in range(self.threads)
        ]
        for thread in started:
            thread.start()
        return started

    def statuses(self) -> Counter[int | str]:
        with self._lock:
            return Counter(got for answers in self.answers.values() for got in answers)

    def _drain(self, work: queue.SimpleQueue[int], attempts: int) -> None:
        with httpx.Client(timeout=10) as client:
            while True:
                try:
                    index = work.get_nowait()
                except queue.Empty:
                    return
                for _ in range(attempts):
                    if self._send(client, index) is not None:
                        break
                    time.sleep(BACK_OFF)  # the server is away; the vendor slows down

    def _send(self, client: httpx.Client, index: int) -> int | None:
        """The HTTP status, or None when the connection failed (no answer)."""
        with self._lock:
            self.in_flight.add(index)
        try:
            got: int | str = client.post(
                self.target, content=self.deliveries[index].body
            ).status_code
        except httpx.TransportError as exc:
            got = type(exc).__name__
        with self._lock:
            self.in_flight.discard(index)
            self.answers.setdefault(index, []).append(got)
            if isinstance(got, str):
                self.unanswered.append(index)
        return None if isinstance(got, str) else got
