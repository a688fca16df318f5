"""hookyard intake benchmark: hookyard against a bare Litestar endpoint, on loopback.

Starts, each as its own process on 127.0.0.1: a sink receiver (bench/_sink.py), then the
bare app (bench/bare_app.py) and then ``hookyard serve`` with a generated config (SQLite
file, one livechat source, an http sink at the receiver, one route for chat.message and
chat.started), both served by ``uvicorn.run`` with one worker and no access log. A load
generator process (bench/_client.py) drives each in turn with the same concurrency and
duration. On two or more cores the servers are pinned to core 0, the load generator and
the sink receiver to core 1.

Prints requests/s, p50/p99 latency and errors per target, hookyard's throughput as a ratio
of the bare endpoint's, and the end-to-end latency from request to the sink receiving it.

Run: ``.venv/bin/python bench/run.py [--requests N] [--concurrency C] [--duration S]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bodies import write_bodies  # noqa: E402
from _report import busy_elsewhere, print_report  # noqa: E402
from _serve import Servers, free_port  # noqa: E402

BENCH = Path(__file__).resolve().parent
SOURCE = "livechat"
CONFIG = """\
database: sqlite:///{db}
sources:
  {source}: {{vendor: livechat, secret: bench-secret}}
sinks:
  receiver: {{plugin: http, url: "http://127.0.0.1:{sink_port}/in"}}
routes:
  - name: chat messages to the receiver
    match: {{type: [chat.message, chat.started]}}
    to: receiver
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="hookyard intake vs a bare Litestar endpoint")
    parser.add_argument("--requests", type=int, help="measured requests per target")
    parser.add_argument("--concurrency", type=int, default=32, help="keep-alive connections")
    parser.add_argument("--duration", type=float, default=15.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds not counted")
    parser.add_argument("--drain-timeout", type=float, default=30.0)
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes to cores")
    parser.add_argument(
        "--profile",
        metavar="PREFIX",
        help="py-spy record each server's measured phase to PREFIX-bare.txt, PREFIX-hookyard.txt",
    )
    parser.add_argument(
        "--intake-only",
        action="store_true",
        help="serve with --no-workers: intake alone, no deliveries (no end-to-end figures)",
    )
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    return parser.parse_args()


def run_client(
    args: argparse.Namespace, servers: Servers, url: str, bodies: Path, name: str, pid: int
) -> dict[str, object]:
    out = servers.tmp / f"{name}.json"
    command = [sys.executable, str(BENCH / "_client.py"), url, str(bodies), str(out)]
    command += ["--concurrency", str(args.concurrency), "--warmup", str(args.warmup)]
    command += ["--duration", str(args.duration), "--server-pid", str(pid)]
    if args.requests is not None:
        command += ["--requests", str(args.requests)]
    command += ["--cycle"] if name == "bare" else ["--record-sent"]
    servers.run(command, cpu=1)
    return json.loads(out.read_text())


def bench_bare(args: argparse.Namespace, servers: Servers, bodies: Path) -> dict[str, object]:
    port = free_port()
    pid = servers.start(
        "bare", [sys.executable, str(BENCH / "bare_app.py"), "--port", str(port)], cpu=0
    )
    servers.wait_http(port, "POST", f"/hooks/{SOURCE}")
    if args.profile:
        servers.profile(pid, f"{args.profile}-bare.txt", args.warmup, args.duration)
    try:
        return run_client(
            args, servers, f"http://127.0.0.1:{port}/hooks/{SOURCE}", bodies, "bare", pid
        )
    finally:
        servers.finish("profile", timeout=args.warmup + args.duration + 10)
        servers.stop("bare")


def bench_hookyard(
    args: argparse.Namespace, servers: Servers, config: Path, bodies: Path, sink_port: int
) -> dict[str, object]:
    port = free_port()
    hookyard = str(Path(sys.executable).with_name("hookyard"))
    command = [hookyard, "serve", "--config", str(config), "--port", str(port)]
    command += ["--log-level", "warning"] + (["--no-workers"] if args.intake_only else [])
    pid = servers.start("hookyard", command, cpu=0)
    servers.wait_http(port, "GET", "/ready")
    if args.profile:
        servers.profile(pid, f"{args.profile}-hookyard.txt", args.warmup, args.duration)
    try:
        url = f"http://127.0.0.1:{port}/hooks/{SOURCE}"
        result = run_client(args, servers, url, bodies, "hookyard", pid)
        expected = 0 if args.intake_only else len(result["sent"])  # type: ignore[arg-type]
        result["drain"] = servers.drain(sink_port, expected, args.drain_timeout)
        return result
    finally:
        servers.finish("profile", timeout=args.warmup + args.duration + 10)
        servers.stop("hookyard")


def main() -> None:
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hookyard-bench-"))
    servers = Servers(tmp, pin=not args.no_pin and (os.cpu_count() or 1) >= 2)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    busy = busy_elsewhere()
    try:
        sink_port = free_port()
        config = tmp / "hookyard.yaml"
        config.write_text(CONFIG.format(db=tmp / "hookyard.db", source=SOURCE, sink_port=sink_port))
        servers.start("sink", [sys.executable, str(BENCH / "_sink.py"), str(sink_port)], cpu=1)
        servers.wait_http(sink_port, "GET", "/count")
        started = time.monotonic()
        warm_bodies = tmp / "warm.txt"
        write_bodies(config, SOURCE, 2000, warm_bodies, processes=2)
        bare = bench_bare(args, servers, warm_bodies)
        wanted = _hookyard_bodies(args, float(bare["rps"]))  # type: ignore[arg-type]
        bodies = tmp / "bodies.txt"
        write_bodies(config, SOURCE, wanted, bodies, processes=2)
        hookyard = bench_hookyard(args, servers, config, bodies, sink_port)
        arrivals = servers.arrivals(sink_port)
        print_report(args, bare, hookyard, arrivals, time.monotonic() - started, busy)
    finally:
        servers.stop_all()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"kept {tmp}")


def _hookyard_bodies(args: argparse.Namespace, bare_rps: float) -> int:
    """Enough distinct bodies for hookyard's run, sized by the bare endpoint's rate."""
    warm = bare_rps * args.warmup * 1.3 + args.concurrency
    if args.requests is not None:
        return int(args.requests + warm)
    return int(bare_rps * (args.warmup + args.duration) * 1.3 + args.concurrency)


if __name__ == "__main__":
    main()
