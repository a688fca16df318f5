"""The benchmark's load generator: C keep-alive HTTP/1.1 connections on raw asyncio streams.

Closed loop by default: each connection sends one request, reads the whole answer, sends
the next. With ``--rate R`` it is open loop instead: request i is due at ``start + i/R``
whatever the answers do, sent on an idle keep-alive connection or on a new one when all are
busy (at most ``--max-connections``), and its latency and send time are counted from when it
was due, so a server that falls behind is not hidden by a generator that waits for it.

Bodies come pre-generated from a file (``webhook_id<TAB>body`` per line) and are used in
order, each once, unless ``--cycle`` is given. The first ``--warmup`` seconds are not
counted; then it runs ``--duration`` seconds or ``--requests`` requests. It writes a JSON
result: counts, latency percentiles, its own CPU use and the server's (the server process
and all its descendants, read from ``/proc``), and the send time (``time.monotonic()``) of
every request answered 200, for end-to-end latency.

Run: ``python bench/_client.py URL BODIES OUT [options]`` (run.py does this).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from urllib.parse import urlsplit

from _proc import cpu_seconds, switches


class Load:
    def __init__(self, args: argparse.Namespace, lines: list[tuple[str, bytes]]) -> None:
        url = urlsplit(args.url)
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 80
        self.head = (
            f"POST {url.path} HTTP/1.1\r\nhost: {url.netloc}\r\n"
            "content-type: application/json\r\ncontent-length: "
        ).encode()
        self.lines = lines
        self.cycle = args.cycle
        self.limit = args.requests
        self.next = self.issued = 0
        self.measure_start = self.end = 0.0
        self.latencies: list[float] = []
        self.statuses: Counter[str] = Counter()
        self.sent: dict[str, float] = {}
        self.ran_out = False
        self.opened = 0
        self.late_max = 0.0
        self.late_over_1ms = 0

    def take(self) -> tuple[str, bytes] | None:
        index = self.next
        if index >= len(self.lines):
            if not self.cycle:
                self.ran_out = True
                return None
            index %= len(self.lines)
        self.next += 1
        return self.lines[index]

    def go(self, now: float) -> bool:
        """Whether a request starting ``now`` should be sent (counting it if measured)."""
        if now < self.measure_start:
            return True
        if self.limit is None:
            return now < self.end
        self.issued += 1
        return bool(self.issued <= self.limit)

    async def connection(self) -> None:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        try:
            while self.go(now := time.monotonic()):
                item = self.take()
                if item is None:
                    return
                reader, writer = await self._one(reader, writer, now, *item)
        finally:
            writer.close()

    async def paced(self, rate: float, max_connections: int) -> None:
        """Open loop: start request i at ``start + i / rate``, whatever the answers do."""
        idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        free = asyncio.Semaphore(max_connections)
        running: set[asyncio.Task[None]] = set()
        start = time.monotonic()
        index = 0
        while True:
            due = start + index / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if not self.go(due):
                break
            item = self.take()
            if item is None:
                break
            task = asyncio.create_task(self._paced_one(idle, free, due, *item))
            running.add(task)
            task.add_done_callback(running.discard)
            index += 1
        await asyncio.gather(*running)
        for _, writer in idle:
            writer.close()

    async def _paced_one(
        self,
        idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]],
        free: asyncio.Semaphore,
        due: float,
        key: str,
        body: bytes,
    ) -> None:
        async with free:
            if idle:
                reader, writer = idle.pop()
            else:
                try:
                    reader, writer = await asyncio.open_connection(self.host, self.port)
                except OSError as exc:
                    if due >= self.measure_start:
                        self.statuses[type(exc).__name__] += 1
                    return
                self.opened += 1
            late = time.monotonic() - due
            self.late_max = max(self.late_max, late)
            self.late_over_1ms += late > 0.001
            idle.append(await self._one(reader, writer, due, key, body))

    async def _one(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        started: float,
        key: str,
        body: bytes,
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        try:
            writer.write(self.head + str(len(body)).encode() + b"\r\n\r\n" + body)
            head = await reader.readuntil(b"\r\n\r\n")
            await reader.readexactly(_content_length(head))
            status = head[9:12].decode()
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            status = type(exc).__name__
            writer.close()
            reader, writer = await asyncio.open_connection(self.host, self.port)
        if status == "200":
            self.sent[key] = started
        if started >= self.measure_start:
            if status == "200":
                self.latencies.append(time.monotonic() - started)
            else:
                self.statuses[status] += 1
        return reader, writer


def _content_length(head: bytes) -> int:
    at = head.lower().find(b"\r\ncontent-length:")
    if at < 0:
        raise ValueError("answer without content-length")
    return int(head[at + 17 : head.index(b"\r\n", at + 2)])


def _percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


async def run(args: argparse.Namespace, load: Load) -> dict[str, object]:
    now = time.monotonic()
    load.measure_start = now + args.warmup
    load.end = load.measure_start + args.duration
    if args.rate:
        tasks = [asyncio.create_task(load.paced(args.rate, args.max_connections))]
    else:
        tasks = [asyncio.create_task(load.connection()) for _ in range(args.concurrency)]
    await asyncio.sleep(max(0.0, load.measure_start - time.monotonic()))
    cpu, server_cpu, start = time.process_time(), cpu_seconds(args.server_pid), time.monotonic()
    switched = switches(args.server_pid)
    await asyncio.gather(*tasks)
    finished = time.monotonic()
    elapsed = finished - start
    user, system = (b - a for a, b in zip(server_cpu, cpu_seconds(args.server_pid), strict=True))
    switched = switches(args.server_pid) - switched
    latencies = sorted(load.latencies)
    return {
        "requests": len(latencies),
        "errors": dict(load.statuses),
        "elapsed": elapsed,
        "rps": len(latencies) / elapsed,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
        "client_cpu": (time.process_time() - cpu) / elapsed,
        "server_cpu": (user + system) / elapsed,
        "server_system_cpu": system / elapsed,
        "server_switches": switched,
        "ran_out": load.ran_out,
        "measure_start": load.measure_start,
        "finished": finished,
        "rate": args.rate,
        "connections": load.opened if args.rate else args.concurrency,
        "late_max_ms": load.late_max * 1000,
        "late_over_1ms": load.late_over_1ms,
        "sent": load.sent if args.record_sent else {},
    }


def _read_bodies(path: str) -> list[tuple[str, bytes]]:
    with open(path, "rb") as lines:
        return [
            (key.decode(), body)
            for key, _, body in (line.rstrip(b"\n").partition(b"\t") for line in lines)
        ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("url")
    parser.add_argument("bodies")
    parser.add_argument("out")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--requests", type=int, default=None)
    parser.add_argument("--server-pid", type=int, default=None)
    parser.add_argument("--cycle", action="store_true", help="reuse bodies (bare target)")
    parser.add_argument("--rate", type=float, default=None, help="open loop: requests/s")
    parser.add_argument("--max-connections", type=int, default=512, help="open loop cap")
    parser.add_argument("--record-sent", action="store_true")
    args = parser.parse_args()
    if args.requests is not None:
        args.duration = float("inf")
    load = Load(args, _read_bodies(args.bodies))
    result = asyncio.run(run(args, load))
    with open(args.out, "w") as out:
        json.dump(result, out)


if __name__ == "__main__":
    main()
