"""CPU cost of each stage of hookyard's intake path, in-process, without HTTP.

Complements run.py's profile with figures that hold on a busy machine (CPU time, not wall
time): for N distinct LiveChat bodies it times verify, parse, event -> JSON, routing, the
stored row, then ``Intake.receive`` as a whole with the SQLite store (group commit of
--concurrency requests at a time, synchronous=FULL, WAL), in microseconds per request.

Run: ``.venv/bin/python bench/stages.py [--events N] [--concurrency C]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hookyard.host import Host  # noqa: E402
from hookyard.store.intake import EventRow, IntakeBatch  # noqa: E402
from hookyard.vendors import WebhookRequest  # noqa: E402
from run import CONFIG, SOURCE  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

#: Each figure is the least of this many timings: other processes only ever add time.
ROUNDS = 5


def _per_item(items: list[Any], work: Callable[[Any], Any]) -> tuple[float, list[Any]]:
    """The least CPU time per item over ROUNDS passes (other processes only add to it)."""
    best = float("inf")
    for _ in range(ROUNDS):
        started = time.process_time()
        results = [work(item) for item in items]
        best = min(best, time.process_time() - started)
    return best / len(items) * 1e6, results


def _stages(host: Host, bodies: list[bytes]) -> dict[str, float]:
    config = host.config.sources[SOURCE]
    spec = host.registry.vendors[config.vendor]
    headers = {"content-type": "application/json"}

    def request(body: bytes) -> WebhookRequest:
        return WebhookRequest(SOURCE, body, headers, _now())

    costs: dict[str, float] = {}
    costs["WebhookRequest"], requests = _per_item(bodies, request)
    costs["verify (json.loads + secret)"], _ = _per_item(
        bodies, lambda b: spec.verify(config.options, request(b))
    )
    for each in requests:  # in intake, parse finds the JSON verify parsed
        spec.verify(config.options, each)
    costs["parse (livechat -> Event)"], parsed = _per_item(
        requests, lambda r: spec.parse(config.options, r)[0]
    )
    costs["event -> JSON form (cattrs)"], forms = _per_item(parsed, host.converter.unstructure)
    costs["routing (Router.plan)"], _ = _per_item(forms, host.router.plan)
    costs["json.dumps(form)"], _ = _per_item(
        forms, lambda f: json.dumps(f, ensure_ascii=False, separators=(",", ":"))
    )
    costs["Intake._row (JSON form, routing, dumps, keys)"], _ = _per_item(parsed, host.intake._row)
    return costs


async def _timed_waves(
    items: list[Any], concurrency: int, call: Callable[[Any], Awaitable[Any]]
) -> tuple[float, float, float]:
    """(process CPU, event-loop thread CPU, wall) per item, ``concurrency`` at a time.

    Each of ROUNDS slices of ``items`` is timed; the least time per item wins.
    """
    size = len(items) // ROUNDS
    best = [float("inf")] * 3
    for first in range(0, size * ROUNDS, size):
        cpu, loop_cpu, wall = time.process_time(), time.thread_time(), time.monotonic()
        for start in range(first, first + size, concurrency):
            wave = items[start : min(start + concurrency, first + size)]
            await asyncio.gather(*(call(item) for item in wave))
        done = time.process_time() - cpu, time.thread_time() - loop_cpu, time.monotonic() - wall
        best = [min(b, value / size * 1e6) for b, value in zip(best, done, strict=True)]
    return best[0], best[1], best[2]


async def _with_store(
    host: Host, bodies: list[bytes], concurrency: int
) -> dict[str, tuple[float, float, float]]:
    headers = {"content-type": "application/json"}
    half = len(bodies) // 2
    config = host.config.sources[SOURCE]
    spec = host.registry.vendors[config.vendor]
    rows = [
        host.intake._row(spec.parse(config.options, WebhookRequest(SOURCE, b, {}, _now()))[0])
        for b in bodies[:half]
    ]

    async def store(row: EventRow) -> None:
        outcome = await host.store.intake.write(IntakeBatch([row]))
        assert outcome.stored == 1, outcome

    async def receive(body: bytes) -> None:
        answer = await host.intake.receive(SOURCE, headers, body)
        assert answer.status == 200 and answer.body["stored"] == 1, answer

    await host.start(intake=True, workers=False)
    try:
        return {
            "IntakeWriter.write (store only)": await _timed_waves(rows, concurrency, store),
            "Intake.receive (all of it)": await _timed_waves(bodies[half:], concurrency, receive),
        }
    finally:
        await host.stop()


def _now() -> datetime:
    return datetime.now(UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hookyard-stages-") as tmp:
        config = Path(tmp) / "hookyard.yaml"
        config.write_text(CONFIG.format(db=Path(tmp) / "h.db", source=SOURCE, sink_port=9))
        host = Host.from_file(config)
        spec = host.registry.vendors["livechat"]
        options = host.config.sources[SOURCE].options
        bodies = [spec.simulate(options, "incoming_event").body for _ in range(args.events)]
        costs = _stages(host, bodies)
        stored = asyncio.run(_with_store(host, bodies, args.concurrency))
    print(
        f"{args.events} distinct LiveChat events, CPU microseconds per event (least of {ROUNDS}):"
    )
    for name, cost in costs.items():
        print(f"  {cost:8.1f}  {name}")
    print(f"\nwith the SQLite store, {args.concurrency} concurrent requests per group commit:")
    print(f"  {'process':>8} {'loop':>8} {'wall':>8}  (us per event)")
    for name, (cpu, loop_cpu, wall) in stored.items():
        print(f"  {cpu:8.1f} {loop_cpu:8.1f} {wall:8.1f}  {name}")


if __name__ == "__main__":
    main()
