"""The benchmark's printed table: throughput, latency, ratio, end-to-end latency, drain."""

from __future__ import annotations

import json
import math
import os
import platform
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse


def _percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return math.nan
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


def end_to_end(hookyard: dict[str, Any], arrivals: dict[str, float]) -> dict[str, Any]:
    """Latency from the request being sent to the sink receiving it, for measured requests."""
    sent: dict[str, float] = hookyard["sent"]
    measured = {k: t for k, t in sent.items() if t >= hookyard["measure_start"]}
    latencies = sorted(arrivals[k] - t for k, t in measured.items() if k in arrivals)
    last = max((arrivals[k] for k in sent if k in arrivals), default=math.nan)
    return {
        "events": len(measured),
        "received": len(latencies),
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
        "max_ms": (latencies[-1] if latencies else math.nan) * 1000,
        "missing": len(sent) - sum(1 for k in sent if k in arrivals),
        "drained_after_s": last - hookyard["finished"],
    }


def _cpu_times() -> tuple[int, int]:
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    return sum(fields), fields[3] + fields[4]


def busy_elsewhere(seconds: float = 1.0) -> float:
    """How busy the machine is before the benchmark starts (0..1 of all cores)."""
    total, idle = _cpu_times()
    time.sleep(seconds)
    total2, idle2 = _cpu_times()
    return 1 - (idle2 - idle) / max(1, total2 - total)


def _machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def _row(name: str, result: dict[str, Any]) -> str:
    errors = sum(result["errors"].values())
    return (
        f"{name:<9} {result['requests']:>9} {result['rps']:>9.0f} {result['p50_ms']:>8.2f}"
        f" {result['p99_ms']:>8.2f} {errors:>6} {result['server_cpu']:>7.0%}"
        f" {result['client_cpu']:>7.0%} {_cpu_per_request(result):>10.0f}"
        f" {result['server_system_cpu'] / result['server_cpu']:>7.0%}"
        f" {result['server_switches'] / max(1, result['requests']):>9.1f}"
    )


def _cpu_per_request(result: dict[str, Any]) -> float:
    """Server CPU time per measured request, in microseconds."""
    return float(result["server_cpu"] * result["elapsed"] / max(1, result["requests"]) * 1e6)


def print_report(
    args: argparse.Namespace,
    bare: dict[str, Any],
    hookyard: dict[str, Any],
    arrivals: dict[str, float],
    seconds: float,
    busy: float,
) -> None:
    e2e = end_to_end(hookyard, arrivals)
    ratio = hookyard["rps"] / bare["rps"]
    run = f"--requests {args.requests}" if args.requests else f"--duration {args.duration:g}"
    print(f"\nmachine: {_machine()}")
    print(f"machine busy before the run (other processes): {busy:.0%}")
    if busy > 0.1:
        print("  WARNING: the machine was not idle; figures are noisy")
    print(f"load: {args.concurrency} keep-alive connections, {run}, warm-up {args.warmup:g}s")
    print(
        f"\n{'target':<9} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}"
        f" {'errors':>6} {'srv cpu':>7} {'cli cpu':>7} {'cpu us/req':>10} {'sys':>7} {'csw/req':>9}"
    )
    print(_row("bare", bare))
    print(_row("hookyard", hookyard))
    for name, result in (("bare", bare), ("hookyard", hookyard)):
        if result["errors"]:
            print(f"  {name} errors: {result['errors']}")
        if result["ran_out"]:
            print(f"  {name}: ran out of pre-generated bodies before the end")
    cpu_ratio = _cpu_per_request(bare) / _cpu_per_request(hookyard)
    print(f"\nratio hookyard/bare: {ratio:.2f}")
    print(f"server CPU per request, bare/hookyard: {cpu_ratio:.2f}")
    if args.intake_only:
        print("end to end: not measured (--intake-only: hookyard ran without workers)")
    else:
        _print_end_to_end(args, hookyard, e2e)
    print(f"benchmark took {seconds:.0f} s")
    if args.json:
        figures = {"bare": bare, "hookyard": {**hookyard, "sent": len(hookyard["sent"])}}
        summary = {"ratio": ratio, "cpu_ratio": cpu_ratio, "e2e": e2e, "busy": busy}
        with open(args.json, "w") as out:
            json.dump({**figures, **summary, "machine": _machine()}, out, indent=1)


def _print_end_to_end(
    args: argparse.Namespace, hookyard: dict[str, Any], e2e: dict[str, Any]
) -> None:
    print(
        f"end to end (request sent -> sink received), {e2e['received']} of {e2e['events']}"
        f" measured events: p50 {e2e['p50_ms']:.1f} ms, p99 {e2e['p99_ms']:.1f} ms,"
        f" max {e2e['max_ms']:.1f} ms"
    )
    drain = hookyard["drain"]
    print(
        f"sink drained {drain['count']} of {drain['expected']} events"
        f" {e2e['drained_after_s']:.2f} s after the last request"
        + ("" if drain["complete"] else f" (INCOMPLETE after {args.drain_timeout:g}s)")
    )
