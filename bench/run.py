"""hookyard benchmarks on loopback, each beside a bare Litestar endpoint measured in the same run.

Starts, each as its own process on 127.0.0.1: a sink receiver (bench/_sink.py), then the
bare app (bench/bare_app.py), measured first in every run, then the selected scenarios, each
against a fresh SQLite database (one livechat source, an http sink at the receiver, one route
for chat.message and chat.started) and with the sink receiver's record cleared:

- ``serve``: the default ``hookyard serve`` (intake and delivery workers) under the same
  closed-loop load as the bare endpoint; requests/s, p50/p99, the sink's lag after the last
  request, end-to-end p50/p99 (request sent -> sink received).
- ``halfload``: ``hookyard serve`` under an open-loop load at half of the maximum intake
  rate (``serve``'s requests/s in this run, or ``--rate``): end-to-end p50/p99.
- ``nodered``: Node-RED (bench/_nodered.py; npm installs it into bench/.node-red/ once) as
  an ``http in -> http request -> http response`` forwarder to the same sink receiver, under
  the same closed-loop load and core pinning: webhooks/s and request -> sink latency.
- ``drain``: ``hookyard serve --no-workers`` takes in ``--backlog`` webhooks (20,000), then
  one ``hookyard worker`` process delivers them: deliveries/s until the sink has them all.
- ``rss``: the RSS of ``hookyard serve`` and every process below it (``/proc`` children)
  when idle, after a warm-up and after each chunk of ``--events`` webhooks (200,000).
- ``routing``: bench/routing.py in this process, before any server starts (and alone, no
  server at all): routing cost per event with 10, 1,000 and 10,000 routes.

A load generator process (bench/_client.py) drives each target. On two or more cores the
servers are pinned to core 0, the load generator and the sink receiver to core 1. The end
prints every goal of issue 7 beside its figure, as a ratio; nothing asserts.

Run: ``.venv/bin/python bench/run.py [--scenario serve,halfload,...] [--all] [options]``
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _nodered  # noqa: E402
from _bodies import write_bodies  # noqa: E402
from _proc import cpu_seconds, tree_rss  # noqa: E402
from _report import (  # noqa: E402
    busy_elsewhere,
    end_to_end,
    print_drain,
    print_goals,
    print_halfload,
    print_header,
    print_report,
    print_rss,
    print_targets,
)
from _serve import Servers, free_port  # noqa: E402

BENCH = Path(__file__).resolve().parent
SOURCE = "livechat"
CONFIG = """\
database: {database}
sources:
  {source}: {{vendor: livechat, secret: bench-secret}}
sinks:
  receiver: {{plugin: http, url: "http://127.0.0.1:{sink_port}/in"}}
routes:
  - name: chat messages to the receiver
    match: {{type: [chat.message, chat.started]}}
    to: receiver
"""
#: In the order ``--all`` runs them (the long ones last).
SCENARIOS = ("routing", "serve", "halfload", "nodered", "drain", "rss")
#: Webhooks sent before the RSS scenario's "before" figure (imports and caches warmed).
RSS_WARMUP = 2_000


def fresh_postgres(url: str, name: str) -> str:
    """The URL of a new, empty database ``name`` on ``url``'s server (dropped first)."""
    import asyncio

    import asyncpg
    from sqlalchemy.engine import make_url

    async def create() -> None:
        admin = await asyncpg.connect(str(make_url(url).set(drivername="postgresql")))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()

    asyncio.run(create())
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="hookyard benchmarks against a bare Litestar")
    parser.add_argument(
        "--scenario",
        action="append",
        default=[],
        metavar="NAME[,NAME]",
        help=f"what to measure beside the bare endpoint: {', '.join(SCENARIOS)} (default: serve)",
    )
    parser.add_argument("--all", action="store_true", help="every scenario")
    parser.add_argument("--requests", type=int, help="measured requests per closed-loop target")
    parser.add_argument("--concurrency", type=int, default=32, help="keep-alive connections")
    parser.add_argument("--duration", type=float, default=15.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds not counted")
    parser.add_argument(
        "--drain-timeout", type=float, default=30.0, help="wait for the sink after the load"
    )
    parser.add_argument("--rate", type=float, help="halfload: send at this rate (requests/s)")
    parser.add_argument("--backlog", type=int, default=20_000, help="drain: queued deliveries")
    parser.add_argument(
        "--drain-wait", type=float, default=150.0, help="drain: give up after these seconds"
    )
    parser.add_argument("--events", type=int, default=200_000, help="rss: webhooks sent")
    parser.add_argument("--rss-chunk", type=int, default=20_000, help="rss: sample every N")
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes to cores")
    parser.add_argument(
        "--profile",
        metavar="PREFIX",
        help="py-spy records (1)'s bare and hookyard to PREFIX-bare.txt, PREFIX-hookyard.txt,"
        " and (3)'s worker to PREFIX-worker.txt",
    )
    parser.add_argument(
        "--intake-only",
        action="store_true",
        help="serve: run it with --no-workers (intake alone, no end-to-end figures)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--postgres",
        metavar="URL",
        help="a PostgreSQL server (postgresql://user@host:port/db) on which each scenario "
        "gets a new database hookyard_bench_NAME instead of a SQLite file",
    )
    args = parser.parse_args()
    chosen = [name.strip() for value in args.scenario for name in value.split(",") if name]
    unknown = sorted(set(chosen) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    if args.all:
        chosen = list(SCENARIOS)
    chosen = chosen or ["serve"]
    if "halfload" in chosen and args.rate is None and "serve" not in chosen:
        chosen.append("serve")  # halfload's rate is half of serve's, measured in this run
    args.scenarios = [name for name in SCENARIOS if name in chosen]
    return args


class Bench:
    """One run: the processes, the sink receiver, the bodies, and each scenario."""

    def __init__(self, args: argparse.Namespace, tmp: Path) -> None:
        self.args = args
        self.tmp = tmp
        self.servers = Servers(tmp, pin=not args.no_pin and (os.cpu_count() or 1) >= 2)
        self.sink_port = free_port()
        self.hookyard = str(Path(sys.executable).with_name("hookyard"))
        self.bodies = tmp / "bodies.txt"
        self.body_count = 0

    # -- set-up ---------------------------------------------------------------------------

    def config(self, name: str) -> Path:
        """A fresh configuration and database for scenario ``name``."""
        folder = self.tmp / name
        folder.mkdir(exist_ok=True)
        config = folder / "hookyard.yaml"
        database = f"sqlite:///{folder / 'hookyard.db'}"
        if self.args.postgres:
            database = fresh_postgres(self.args.postgres, f"hookyard_bench_{name}")
        text = CONFIG.format(database=database, source=SOURCE, sink_port=self.sink_port)
        config.write_text(text)
        return config

    def start_sink(self) -> None:
        command = [sys.executable, str(BENCH / "_sink.py"), str(self.sink_port)]
        self.servers.start("sink", command, cpu=1)
        self.servers.wait_http(self.sink_port, "GET", "/count")

    def ensure_bodies(self, count: int) -> Path:
        """``self.bodies`` with at least ``count`` distinct webhooks (each scenario has its
        own database and the sink is cleared between scenarios, so they may share them)."""
        if count > self.body_count:
            more = self.tmp / "more-bodies.txt"
            write_bodies(self.config("bodies"), SOURCE, count - self.body_count, more, 2)
            with self.bodies.open("ab") as out:
                out.write(more.read_bytes())
            more.unlink()
            self.body_count = count
        return self.bodies

    def slice_bodies(self, start: int, count: int, name: str) -> Path:
        out = self.tmp / name
        with self.bodies.open("rb") as lines:
            out.write_bytes(b"".join(itertools.islice(lines, start, start + count)))
        return out

    def closed_loop_bodies(self, rps: float) -> int:
        """Enough distinct bodies for a closed-loop run at up to ``rps`` requests/s."""
        args = self.args
        if args.requests is not None:
            return int(args.requests + rps * args.warmup * 1.3 + args.concurrency)
        return int(rps * (args.warmup + args.duration) * 1.3 + args.concurrency)

    def client(self, url: str, bodies: Path, name: str, pid: int, **options: Any) -> dict[str, Any]:
        """Run the load generator to its end; its JSON result."""
        args = self.args
        out = self.tmp / f"{name}.json"
        command = [sys.executable, str(BENCH / "_client.py"), url, str(bodies), str(out)]
        settings = {
            "concurrency": args.concurrency,
            "warmup": args.warmup,
            "duration": args.duration,
            "requests": args.requests,
            "server-pid": pid,
            **options,
        }
        for option, value in settings.items():
            if value is True:
                command.append(f"--{option}")
            elif value is not None and value is not False:
                command += [f"--{option}", str(value)]
        self.servers.run(command, cpu=1)
        result: dict[str, Any] = json.loads(out.read_text())
        return result

    def start_hookyard(self, name: str, config: Path, *extra: str) -> tuple[int, str]:
        port = free_port()
        command = [self.hookyard, "serve", "--config", str(config), "--port", str(port)]
        pid = self.servers.start(name, [*command, "--log-level", "warning", *extra], cpu=0)
        self.servers.wait_http(port, "GET", "/ready")
        return pid, f"http://127.0.0.1:{port}/hooks/{SOURCE}"

    def with_end_to_end(self, result: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Wait for the sink to have every event answered 200, then add the latencies."""
        result["drain"] = self.servers.drain(self.sink_port, len(result["sent"]), timeout)
        result["e2e"] = end_to_end(result, self.servers.arrivals(self.sink_port))
        return result

    # -- scenarios ------------------------------------------------------------------------

    def bare(self) -> dict[str, Any]:
        args = self.args
        warm = self.tmp / "warm.txt"
        write_bodies(self.config("bare"), SOURCE, 2000, warm, processes=2)
        port = free_port()
        pid = self.servers.start(
            "bare", [sys.executable, str(BENCH / "bare_app.py"), "--port", str(port)], cpu=0
        )
        self.servers.wait_http(port, "POST", f"/hooks/{SOURCE}")
        if args.profile:
            self.servers.profile(pid, f"{args.profile}-bare.txt", args.warmup, args.duration)
        try:
            return self.client(
                f"http://127.0.0.1:{port}/hooks/{SOURCE}", warm, "bare", pid, cycle=True
            )
        finally:
            self.servers.finish("profile", timeout=args.warmup + args.duration + 10)
            self.servers.stop("bare")

    def serve(self, bare: dict[str, Any]) -> dict[str, Any]:
        """(1) The default ``hookyard serve`` (or --intake-only) under the closed-loop load."""
        args = self.args
        bodies = self.ensure_bodies(self.closed_loop_bodies(float(bare["rps"])))
        self.servers.reset_sink(self.sink_port)
        extra = ["--no-workers"] if args.intake_only else []
        pid, url = self.start_hookyard("hookyard", self.config("serve"), *extra)
        if args.profile:
            self.servers.profile(pid, f"{args.profile}-hookyard.txt", args.warmup, args.duration)
        try:
            result = self.client(url, bodies, "hookyard", pid, **{"record-sent": True})
            if args.intake_only:
                result["drain"] = self.servers.drain(self.sink_port, 0, 0)
                return result
            return self.with_end_to_end(result, args.drain_timeout)
        finally:
            self.servers.finish("profile", timeout=args.warmup + args.duration + 10)
            self.servers.stop("hookyard")

    def halfload(self, rate: float) -> dict[str, Any]:
        """(2) ``hookyard serve`` under an open-loop load at ``rate`` requests/s."""
        args = self.args
        seconds = args.warmup + (args.duration if args.requests is None else args.requests / rate)
        bodies = self.ensure_bodies(int(rate * seconds * 1.1) + 100)
        self.servers.reset_sink(self.sink_port)
        pid, url = self.start_hookyard("hookyard-halfload", self.config("halfload"))
        try:
            result = self.client(
                url, bodies, "halfload", pid, rate=f"{rate:.3f}", **{"record-sent": True}
            )
            return self.with_end_to_end(result, args.drain_timeout)
        finally:
            self.servers.stop("hookyard-halfload")

    def nodered(self, bare: dict[str, Any]) -> dict[str, Any]:
        """(5) Node-RED's http in -> http request -> http response, same load and pinning."""
        args = self.args
        port = free_port()
        sink_url = f"http://127.0.0.1:{self.sink_port}/in"
        command = _nodered.prepare(self.tmp, port, SOURCE, sink_url)
        bodies = self.ensure_bodies(self.closed_loop_bodies(float(bare["rps"])))
        pid = self.servers.start("nodered", command, cpu=0)
        try:
            self.servers.wait_http(port, "GET", "/ready")
            self.servers.reset_sink(self.sink_port)
            url = f"http://127.0.0.1:{port}/hooks/{SOURCE}"
            result = self.client(url, bodies, "nodered", pid, **{"record-sent": True})
            result["version"] = _nodered.VERSION
            return self.with_end_to_end(result, args.drain_timeout)
        finally:
            self.servers.stop("nodered")

    def drain(self) -> dict[str, Any]:
        """(3) ``--backlog`` queued deliveries, then one ``hookyard worker``: deliveries/s."""
        args = self.args
        config = self.config("drain")
        self.ensure_bodies(args.backlog)
        bodies = self.slice_bodies(0, args.backlog, "drain-bodies.txt")
        pid, url = self.start_hookyard("hookyard-fill", config, "--no-workers")
        try:
            fill = self.client(
                url,
                bodies,
                "drain-fill",
                pid,
                warmup=0,
                requests=args.backlog,
                duration=None,
                **{"record-sent": True},
            )
        finally:
            self.servers.stop("hookyard-fill")
        queued = len(fill["sent"])
        self.servers.reset_sink(self.sink_port)
        command = [self.hookyard, "worker", "--config", str(config), "--log-level", "warning"]
        started = time.monotonic()
        worker = self.servers.start("worker", command, cpu=0)
        try:
            # CPU per delivery and the profile count from the first delivery: start-up is
            # not delivering.
            early = self.servers.drain(self.sink_port, 1, args.drain_wait)
            cpu_early = sum(cpu_seconds(worker))
            left = max(0.0, args.drain_wait - (time.monotonic() - started))
            if args.profile:
                self.servers.profile(worker, f"{args.profile}-worker.txt", 0, left)
            drained = self.servers.drain(self.sink_port, queued, left)
            cpu = sum(cpu_seconds(worker)) - cpu_early
            rss = tree_rss(worker)
        finally:
            self.servers.stop("profile")  # SIGINT: py-spy writes what it has
            self.servers.stop("worker")
        count = drained["count"]
        first, last = drained.get("first", 0.0), drained.get("last", 0.0)
        return {
            "fill_rps": fill["rps"],
            "fill_errors": fill["errors"],
            "queued": queued,
            "delivered": count,
            "complete": drained["complete"],
            "repeats": drained.get("repeats", 0),
            "first_after_s": first - started if count else None,
            "seconds": last - first if count > 1 else None,
            "rate": (count - 1) / (last - first) if count > 1 and last > first else 0.0,
            "rate_from_start": count / (last - started) if count else 0.0,
            "cpu_ms_per_delivery": (
                cpu / (count - early["count"]) * 1000 if count > early["count"] else None
            ),
            "worker_rss_kib": sum(int(p["rss_kib"]) for p in rss.values()),
            "drain_wait": args.drain_wait,
        }

    def rss(self) -> dict[str, Any]:
        """(4) RSS of ``hookyard serve`` and its descendants over ``--events`` webhooks."""
        args = self.args
        chunk = max(1, min(args.rss_chunk, args.events))
        self.ensure_bodies(RSS_WARMUP + args.events)
        self.servers.reset_sink(self.sink_port)
        pid, url = self.start_hookyard("hookyard-rss", self.config("rss"))
        samples: list[dict[str, Any]] = []
        peak = {"total_kib": 0}
        stop = threading.Event()

        def sample(stage: str, events: int) -> None:
            processes = tree_rss(pid)
            total = sum(int(p["rss_kib"]) for p in processes.values())
            samples.append(
                {"stage": stage, "events": events, "total_kib": total, "processes": processes}
            )

        def watch() -> None:
            while not stop.wait(0.5):
                total = sum(int(p["rss_kib"]) for p in tree_rss(pid).values())
                peak["total_kib"] = max(peak["total_kib"], total)

        watcher = threading.Thread(target=watch, daemon=True)
        try:
            time.sleep(1.0)
            sample("idle, ready", 0)
            watcher.start()
            warm = self.slice_bodies(0, RSS_WARMUP, "rss-warm.txt")
            self.client(url, warm, "rss-warm", pid, warmup=0, requests=RSS_WARMUP, duration=None)
            self.servers.drain(self.sink_port, RSS_WARMUP, args.drain_timeout)
            sample("after warm-up", RSS_WARMUP)
            sent = answered = 0
            errors: dict[str, int] = {}
            while sent < args.events:
                size = min(chunk, args.events - sent)
                part = self.slice_bodies(RSS_WARMUP + sent, size, "rss-chunk.txt")
                result = self.client(
                    url, part, "rss-chunk", pid, warmup=0, requests=size, duration=None
                )
                sent += size
                answered += result["requests"]
                for status, count in result["errors"].items():
                    errors[status] = errors.get(status, 0) + count
                sample("sent", RSS_WARMUP + sent)
            drained = self.servers.drain(self.sink_port, RSS_WARMUP + answered, args.drain_timeout)
            sample("after the drain wait", RSS_WARMUP + sent)
        finally:
            stop.set()
            self.servers.stop("hookyard-rss")
        return {
            "events": args.events,
            "answered": answered,
            "errors": errors,
            "delivered": drained["count"] - RSS_WARMUP,
            "complete": drained["complete"],
            "samples": samples,
            "peak_kib": peak["total_kib"],
        }


def main() -> None:
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hookyard-bench-"))
    bench = Bench(args, tmp)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    busy = busy_elsewhere()
    results: dict[str, Any] = {"scenarios": args.scenarios, "busy": busy}
    started = time.monotonic()
    try:
        if "routing" in args.scenarios:
            import routing

            results["routing"] = routing.measure()
            routing.report(results["routing"])
            if args.scenarios == ["routing"]:
                if args.json:
                    _write_json(args.json, results)
                return
        bench.start_sink()
        print_header(args, busy)
        bare = results["bare"] = bench.bare()
        print_targets([("bare", bare)])
        if "serve" in args.scenarios:
            serve = results["serve"] = bench.serve(bare)
            print_report(args, bare, serve)
        if "halfload" in args.scenarios:
            rate = args.rate or float(results["serve"]["rps"]) / 2
            results["halfload"] = bench.halfload(rate)
            print_halfload(results["halfload"], args)
        if "nodered" in args.scenarios:
            print(
                f"\n(5) Node-RED {_nodered.VERSION}, http in -> http request -> http response"
                " to the same sink receiver, same load and pinning as (1)"
            )
            try:
                results["nodered"] = bench.nodered(bare)
                print_targets([("node-red", results["nodered"])], end_to_end=True)
            except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
                print(f"  skipped: {exc}")  # no node or npm, or the install failed
        if "drain" in args.scenarios:
            results["drain"] = bench.drain()
            print_drain(results["drain"])
        if "rss" in args.scenarios:
            results["rss"] = bench.rss()
            print_rss(results["rss"])
        print_goals(args, results)
        print(f"benchmark took {time.monotonic() - started:.0f} s")
        if args.json:
            _write_json(args.json, results)
    finally:
        bench.servers.stop_all()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp}")


def _write_json(path: str, results: dict[str, Any]) -> None:
    def without_sent(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: (len(v) if k == "sent" else without_sent(v)) for k, v in value.items()}
        return value

    with open(path, "w") as out:
        json.dump(without_sent(results), out, indent=1, default=str)


if __name__ == "__main__":
    main()
