"""The benchmark's printed report: each scenario's figures, then every goal beside its figure."""

from __future__ import annotations

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


HEADER = (
    f"{'target':<9} {'requests':>9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}"
    f" {'errors':>6} {'srv cpu':>7} {'cli cpu':>7} {'cpu us/req':>10} {'sys':>7} {'csw/req':>9}"
)


def print_header(args: argparse.Namespace, busy: float) -> None:
    run = f"--requests {args.requests}" if args.requests else f"--duration {args.duration:g}"
    print(f"\nmachine: {_machine()}")
    print(f"machine busy before the run (other processes): {busy:.0%}")
    if busy > 0.1:
        print("  WARNING: the machine was not idle; figures are noisy")
    print(f"scenarios: bare, {', '.join(args.scenarios)}")
    print(
        f"closed-loop load: {args.concurrency} keep-alive connections, {run},"
        f" warm-up {args.warmup:g}s"
    )
    print(
        "pinning:",
        "none" if args.no_pin else "servers on core 0, load generator and sink receiver on core 1",
    )


def print_targets(rows: list[tuple[str, dict[str, Any]]], *, end_to_end: bool = False) -> None:
    """Rows of the closed-loop table (the server-side columns are of the pid given)."""
    print(f"\n{HEADER}")
    for name, result in rows:
        print(_row(name, result))
    for name, result in rows:
        if result["errors"]:
            print(f"  {name} errors: {result['errors']}")
        if result["ran_out"]:
            print(f"  {name}: ran out of pre-generated bodies before the end")
        if end_to_end:
            _print_end_to_end(name, result)


def print_report(args: argparse.Namespace, bare: dict[str, Any], hookyard: dict[str, Any]) -> None:
    """(1): hookyard serve beside the bare endpoint, ratio, end to end, sink lag."""
    mode = "hookyard serve --no-workers" if args.intake_only else "hookyard serve (default)"
    print(f"\n(1) {mode}, closed loop, beside the bare endpoint")
    print_targets([("bare", bare), ("hookyard", hookyard)])
    cpu_ratio = _cpu_per_request(bare) / _cpu_per_request(hookyard)
    print(f"\nratio hookyard/bare: {hookyard['rps'] / bare['rps']:.2f}")
    print(f"server CPU per request, bare/hookyard: {cpu_ratio:.2f}")
    if args.intake_only:
        print("end to end: not measured (--intake-only: hookyard ran without workers)")
    else:
        _print_end_to_end("hookyard", hookyard, args.drain_timeout)


def print_halfload(result: dict[str, Any], args: argparse.Namespace) -> None:
    """(2): the open-loop run at half of the maximum intake rate."""
    source = "--rate" if args.rate else "half of (1)'s hookyard req/s"
    print(
        f"\n(2) hookyard serve (default), open loop at {result['rate']:.0f} requests/s ({source})"
    )
    print(HEADER)
    print(_row("halfload", result))
    if result["errors"]:
        print(f"  errors: {result['errors']}")
    if result["ran_out"]:
        print("  ran out of pre-generated bodies before the end")
    print(
        f"load generator: {result['connections']} connections opened, latest send"
        f" {result['late_max_ms']:.1f} ms after it was due, {result['late_over_1ms']} sends"
        " more than 1 ms late (latencies count from when each request was due)"
    )
    _print_end_to_end("halfload", result, args.drain_timeout)


def print_drain(result: dict[str, Any]) -> None:
    """(3): the backlog drained by one ``hookyard worker`` process."""
    print(
        f"\n(3) backlog drain: {result['queued']} webhooks queued by hookyard serve --no-workers"
        f" ({result['fill_rps']:.0f} requests/s), then one hookyard worker process"
    )
    if result["fill_errors"]:
        print(f"  errors while queueing: {result['fill_errors']}")
    if not result["delivered"]:
        print(f"  nothing reached the sink within {result['drain_wait']:g} s")
        return
    state = "all" if result["complete"] else f"INCOMPLETE after {result['drain_wait']:g} s:"
    print(
        f"sink received {state} {result['delivered']} of {result['queued']}"
        f" ({result['repeats']} repeats); first {result['first_after_s']:.2f} s after the worker"
        f" started, then {result['seconds'] or 0:.2f} s to the last"
    )
    print(
        f"deliveries/s: {result['rate']:.0f} (first to last arrival),"
        f" {result['rate_from_start']:.0f} counting the worker's start-up;"
        f" worker CPU {result['cpu_ms_per_delivery'] or math.nan:.2f} ms per delivery,"
        f" RSS {result['worker_rss_kib'] / 1024:.0f} MiB"
    )


def print_rss(result: dict[str, Any]) -> None:
    """(4): RSS of hookyard serve and every process below it, along the events."""
    print(f"\n(4) RSS of hookyard serve and its child processes over {result['events']} webhooks")
    print(
        f"{'stage':<22} {'webhooks':>8} {'processes':>9} {'total MiB':>10}"
        "  per process (pid: MiB); webhooks sent so far, the warm-up included"
    )
    for sample in result["samples"]:
        processes = sample["processes"]
        each = ", ".join(f"{pid}: {int(p['rss_kib']) / 1024:.0f}" for pid, p in processes.items())
        print(
            f"{sample['stage']:<22} {sample['events']:>8} {len(processes):>9}"
            f" {sample['total_kib'] / 1024:>10.1f}  {each}"
        )
    first = result["samples"][-1]["processes"]
    for pid, p in first.items():
        print(f"  {pid}: {p['command']}")
    print(
        f"peak (sampled every 0.5 s): {result['peak_kib'] / 1024:.1f} MiB;"
        f" {result['answered']} answered 200, {result['delivered']} delivered"
        + ("" if result["complete"] else " (the sink did not have them all by the end)")
    )
    if result["errors"]:
        print(f"  not answered 200: {result['errors']}")


def _print_end_to_end(
    name: str, result: dict[str, Any], drain_timeout: float | None = None
) -> None:
    e2e = result["e2e"]
    print(
        f"{name} end to end (request sent -> sink received), {e2e['received']} of"
        f" {e2e['events']} measured events: p50 {e2e['p50_ms']:.1f} ms, p99 {e2e['p99_ms']:.1f}"
        f" ms, max {e2e['max_ms']:.1f} ms"
    )
    drain = result["drain"]
    incomplete = f" (INCOMPLETE after {drain_timeout:g}s)" if drain_timeout else " (INCOMPLETE)"
    print(
        f"{name} sink lag: drained {drain['count']} of {drain['expected']} events"
        f" {e2e['drained_after_s']:.2f} s after the last request"
        + ("" if drain["complete"] else incomplete)
    )


def _goal(
    rows: list[tuple[str, str, str, float | None, bool | None]],
    label: str,
    shown: str,
    goal: str,
    ratio: float | None,
    met: bool | None,
) -> None:
    rows.append((label, shown, goal, ratio, met))


def goals(
    args: argparse.Namespace, results: dict[str, Any]
) -> list[tuple[str, str, str, float | None, bool | None]]:
    """(goal, measured, target, measured/target, met) for each goal issue 7 sets."""
    rows: list[tuple[str, str, str, float | None, bool | None]] = []
    bare = results["bare"]
    serve = results.get("serve")
    if serve is not None and not args.intake_only:
        ratio = serve["rps"] / bare["rps"]
        _goal(
            rows,
            "(1) default serve intake / bare",
            f"{ratio:.2f} x",
            ">= 0.50 x",
            ratio / 0.5,
            ratio >= 0.5,
        )
        lag = serve["e2e"]["drained_after_s"]
        complete = serve["drain"]["complete"]
        shown = f"{lag:.2f} s" if complete else f"> {args.drain_timeout:g} s (incomplete)"
        _goal(
            rows,
            "(1) sink lag after the last request",
            shown,
            "< 1 s",
            lag / 1.0 if complete else None,
            complete and lag < 1.0,
        )
    half = results.get("halfload")
    if half is not None:
        e2e = half["e2e"]
        complete = half["drain"]["complete"]
        for key, limit in (("p50_ms", 10.0), ("p99_ms", 50.0)):
            value = e2e[key]
            label = f"(2) end to end {key[:3]} at {half['rate']:.0f}/s"
            note = "" if complete else " (incomplete)"
            _goal(
                rows,
                label,
                f"{value:.1f} ms{note}",
                f"<= {limit:g} ms",
                value / limit,
                complete and value <= limit,
            )
    drain = results.get("drain")
    if drain is not None:
        rate = drain["rate"]
        note = "" if drain["complete"] else " (incomplete)"
        _goal(
            rows,
            "(3) backlog drain, one worker",
            f"{rate:.0f}/s{note}",
            ">= 2000/s",
            rate / 2000,
            drain["complete"] and rate >= 2000,
        )
    rss = results.get("rss")
    if rss is not None:
        samples = {s["stage"]: s for s in rss["samples"]}
        before = samples["after warm-up"]["total_kib"]
        after = samples["after the drain wait"]["total_kib"]
        growth = after / before - 1 if before else float("nan")
        _goal(
            rows,
            f"(4) RSS growth over {rss['events']} events",
            f"{growth:+.1%}",
            "within 20 %",
            abs(growth) / 0.2,
            abs(growth) <= 0.2,
        )
    nodered = results.get("nodered")
    if nodered is not None:
        if serve is not None and not args.intake_only:
            ratio = serve["rps"] / nodered["rps"]
            _goal(
                rows,
                "(5) hookyard serve / Node-RED webhooks/s",
                f"{ratio:.2f} x",
                ">= 1.00 x",
                ratio,
                ratio >= 1.0,
            )
        else:
            _goal(
                rows,
                "(5) hookyard serve / Node-RED webhooks/s",
                "n/a (run serve too)",
                ">= 1.00 x",
                None,
                None,
            )
    return rows


def print_goals(args: argparse.Namespace, results: dict[str, Any]) -> None:
    rows = goals(args, results)
    results["goals"] = [
        {"goal": g, "measured": m, "target": t, "ratio": r, "met": ok} for g, m, t, r, ok in rows
    ]
    if not rows:
        return
    print("\ngoals of issue 7 (measured / target; nothing asserts, this is a report)")
    print(f"{'goal':<42} {'measured':>22} {'target':>12} {'meas/target':>11}  met")
    for goal, measured, target, ratio, met in rows:
        shown = "" if ratio is None else f"{ratio:.2f}"
        flag = "n/a" if met is None else ("yes" if met else "no")
        print(f"{goal:<42} {measured:>22} {target:>12} {shown:>11}  {flag}")
