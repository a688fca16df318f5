"""Which HTTP server stack serves, and which HTTP client the http sink posts with: measured.

Part 1, server stack: bench/bare_app.py's Litestar app served by uvicorn with asyncio's
loop and h11, by uvicorn with uvloop and httptools, and by granian (one worker, HTTP/1,
uvloop), each in turn under the same closed-loop load (bench/_client.py: C keep-alive
connections, each sending its next request when the answer is read). As bench/run.py pins
them: the server on core 0, the load generator on core 1. Prints requests/s, p50/p99 and
the server's CPU µs per request.

Part 2, the sink's HTTP client: one process on core 0 POSTs N small JSON bodies to
bench/_sink.py (on core 1) with C concurrent tasks, through ``httpx.AsyncClient``,
``aiohttp.ClientSession`` (both keep-alive, one pool for the run) and hookyard's own http
sink (``HttpSink.deliver``, whichever client it uses: headers, body, the lot), each on
asyncio's loop and on uvloop. Prints posts/s and CPU µs per post (``time.process_time``).

Stacks and clients that are not installed are skipped with a note. ``--rounds`` repeats
every measurement, interleaved, so drift on a shared machine hits all of them alike.

Run: ``.venv/bin/python bench/stacks.py [--only server|client] [--rounds 2] [--json FILE]``
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bodies import write_bodies  # noqa: E402
from _report import busy_elsewhere  # noqa: E402
from _serve import Servers, free_port  # noqa: E402

BENCH = Path(__file__).resolve().parent
SOURCE = "livechat"
CONFIG = """\
database: sqlite:///{db}
sources:
  {source}: {{vendor: livechat, secret: bench-secret}}
"""
SERVER_STACKS = ("asyncio-h11", "uvloop-httptools", "granian")
CLIENTS = ("httpx", "aiohttp", "sink")
LOOPS = ("asyncio", "uvloop")
#: What each stack or client needs installed.
NEEDS = {
    "uvloop-httptools": ("uvloop", "httptools"),
    "granian": ("granian",),
    "aiohttp": ("aiohttp",),
    "uvloop": ("uvloop",),
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="server stacks and sink HTTP clients")
    parser.add_argument("--only", choices=("server", "client"), help="run one part only")
    parser.add_argument("--rounds", type=int, default=2, help="repeat every measurement")
    parser.add_argument("--concurrency", type=int, default=32, help="server part: connections")
    parser.add_argument("--duration", type=float, default=10.0, help="server part: seconds")
    parser.add_argument("--warmup", type=float, default=2.0, help="server part: seconds")
    parser.add_argument("--posts", type=int, default=20_000, help="client part: posts per run")
    parser.add_argument("--post-concurrency", type=int, default=16, help="client part: tasks")
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes to cores")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    return parser.parse_args()


def missing(name: str) -> list[str]:
    return [module for module in NEEDS.get(name, ()) if importlib.util.find_spec(module) is None]


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as children:
                for child in children.read().split():
                    found += [int(child), *_descendants(int(child))]
    except OSError:
        pass
    return found


# --- part 1: server stacks --------------------------------------------------------------


def bench_server(
    args: argparse.Namespace, servers: Servers, stack: str, bodies: Path
) -> dict[str, Any]:
    port = free_port()
    command = [sys.executable, str(BENCH / "bare_app.py"), "--port", str(port)]
    pid = servers.start(stack, [*command, "--stack", stack], cpu=0)
    try:
        servers.wait_http(port, "POST", f"/hooks/{SOURCE}")
        # granian serves from a worker process it spawns: measure that one.
        measured = ([pid, *_descendants(pid)])[-1]
        out = servers.tmp / f"{stack}.json"
        client = [sys.executable, str(BENCH / "_client.py"), f"http://127.0.0.1:{port}/hooks/x"]
        client += [str(bodies), str(out), "--cycle", "--server-pid", str(measured)]
        client += ["--concurrency", str(args.concurrency), "--warmup", str(args.warmup)]
        client += ["--duration", str(args.duration)]
        servers.run(client, cpu=1)
        result: dict[str, Any] = json.loads(out.read_text())
        result["cpu_us"] = result["server_cpu"] * 1e6 / max(1.0, result["rps"])
        return result
    finally:
        servers.stop(stack)


def server_part(args: argparse.Namespace, servers: Servers) -> list[dict[str, Any]]:
    config = servers.tmp / "hookyard.yaml"
    config.write_text(CONFIG.format(db=servers.tmp / "unused.db", source=SOURCE))
    bodies = servers.tmp / "bodies.txt"
    write_bodies(config, SOURCE, 2000, bodies, processes=2)
    stacks = [stack for stack in SERVER_STACKS if not _skip(stack)]
    rows = []
    print("server stack       round   req/s  p50 ms  p99 ms errors srv cpu cli cpu cpu us/req")
    for round_ in range(1, args.rounds + 1):
        for stack in stacks:
            result = bench_server(args, servers, stack, bodies)
            errors = sum(result["errors"].values())
            print(
                f"{stack:<18} {round_:>5} {result['rps']:>7.0f} {result['p50_ms']:>7.2f}"
                f" {result['p99_ms']:>7.2f} {errors:>6} {result['server_cpu']:>7.0%}"
                f" {result['client_cpu']:>7.0%} {result['cpu_us']:>10.0f}",
                flush=True,
            )
            result.pop("sent", None)
            rows.append({"stack": stack, "round": round_, **result})
    return rows


def _skip(name: str) -> bool:
    absent = missing(name)
    if absent:
        print(f"({name}: skipped, {' and '.join(absent)} not installed)")
    return bool(absent)


# --- part 2: the sink's HTTP client ---------------------------------------------------


def _bodies(prefix: str, count: int) -> list[bytes]:
    """Small JSON bodies (~200 bytes) that bench/_sink.py counts by ``raw.webhook_id``."""
    return [
        json.dumps(
            {
                "id": f"{prefix}-{i}",
                "type": "chat.message",
                "text": "hello from the bench " * 4,
                "raw": {"webhook_id": f"{prefix}-{i}"},
            },
            separators=(",", ":"),
        ).encode()
        for i in range(count)
    ]


async def _drive(post: Any, bodies: list[bytes], concurrency: int) -> None:
    queue = iter(bodies)

    async def one_task() -> None:
        for body in queue:
            await post(body)

    await asyncio.gather(*(one_task() for _ in range(concurrency)))


async def _post_httpx(url: str, warm: list[bytes], bodies: list[bytes], tasks: int) -> float:
    import httpx

    headers = {"content-type": "application/json"}
    limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's own
    async with httpx.AsyncClient(timeout=10.0, limits=limits) as client:

        async def post(body: bytes) -> None:
            response = await client.post(url, content=body, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"HTTP {response.status_code}")

        await _drive(post, warm, tasks)
        return await _timed(_drive(post, bodies, tasks))


async def _post_aiohttp(url: str, warm: list[bytes], bodies: list[bytes], tasks: int) -> float:
    import aiohttp

    headers = {"content-type": "application/json"}
    connector = aiohttp.TCPConnector(limit=100)  # aiohttp's own default
    timeout = aiohttp.ClientTimeout(total=10.0)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

        async def post(body: bytes) -> None:
            async with session.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}")

        await _drive(post, warm, tasks)
        return await _timed(_drive(post, bodies, tasks))


async def _post_sink(url: str, warm: list[bytes], bodies: list[bytes], tasks: int) -> float:
    from hookyard.builtin.http import HttpSink, HttpSinkConfig
    from hookyard.sinks import DeliveryRequest

    sink = HttpSink(HttpSinkConfig(url, secret="whsec_" + "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3"))

    async def post(body: bytes) -> None:
        event = json.loads(body)
        request = DeliveryRequest(0, event, "post", {}, event["id"], 1, "bench")
        await sink.deliver(request)

    try:
        await _drive(post, warm, tasks)
        return await _timed(_drive(post, bodies, tasks))
    finally:
        await sink.aclose()


async def _timed(work: Any) -> tuple[float, float]:
    """Wall seconds and CPU seconds (this process, all threads) of ``work``."""
    started, cpu = time.monotonic(), time.process_time()
    await work
    return time.monotonic() - started, time.process_time() - cpu


def post_once(client: str, loop: str, url: str, prefix: str, posts: int, tasks: int) -> None:
    """One measurement, in its own process: print its wall and CPU seconds as JSON."""
    post = {"httpx": _post_httpx, "aiohttp": _post_aiohttp, "sink": _post_sink}[client]
    warm, bodies = _bodies(prefix + "w", min(2000, posts // 10)), _bodies(prefix, posts)
    if loop == "uvloop":
        import uvloop

        uvloop.install()
    elapsed, cpu = asyncio.run(post(url, warm, bodies, tasks))
    print(json.dumps({"elapsed": elapsed, "cpu": cpu, "posts": posts, "sent": posts + len(warm)}))


def client_part(args: argparse.Namespace, servers: Servers) -> list[dict[str, Any]]:
    sink_port = free_port()
    servers.start("sink", [sys.executable, str(BENCH / "_sink.py"), str(sink_port)], cpu=1)
    servers.wait_http(sink_port, "GET", "/count")
    url = f"http://127.0.0.1:{sink_port}/in"
    clients = [client for client in CLIENTS if not _skip(client)]
    variants = [(client, loop) for loop in LOOPS if not _skip(loop) for client in clients]
    rows = []
    arrived = 0
    print(f"\n{args.posts} POSTs, {args.post_concurrency} concurrent, to bench/_sink.py")
    print("client   loop     round  posts/s  cpu us/post")
    for round_ in range(1, args.rounds + 1):
        for client, loop in variants:
            command = [sys.executable, str(Path(__file__).resolve()), "--post-once", client, loop]
            command += [url, f"{client}-{loop}-{round_}", str(args.posts)]
            command += [str(args.post_concurrency)]
            out = subprocess.run(
                command,
                check=True,
                capture_output=True,
                preexec_fn=(lambda: os.sched_setaffinity(0, {0})) if servers.pin else None,
                timeout=600,
            ).stdout
            result = json.loads(out)
            count = servers.drain(sink_port, arrived + result["sent"], 10)
            if not count["complete"]:
                raise RuntimeError(f"{client} on {loop}: the sink got {count}")
            arrived = count["count"]
            row = {
                "client": client,
                "loop": loop,
                "round": round_,
                "posts_per_s": result["posts"] / result["elapsed"],
                "cpu_us": result["cpu"] * 1e6 / result["posts"],
            }
            print(
                f"{client:<8} {loop:<8} {round_:>5} {row['posts_per_s']:>8.0f}"
                f" {row['cpu_us']:>12.0f}",
                flush=True,
            )
            rows.append(row)
    servers.stop("sink")
    return rows


def main() -> None:
    if sys.argv[1:2] == ["--post-once"]:
        client, loop, url, prefix, posts, tasks = sys.argv[2:8]
        post_once(client, loop, url, prefix, int(posts), int(tasks))
        return
    args = parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="hookyard-stacks-"))
    servers = Servers(tmp, pin=not args.no_pin and (os.cpu_count() or 1) >= 2)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    busy = busy_elsewhere()
    print(f"machine busy before the run: {busy:.0%} of all cores")
    figures: dict[str, Any] = {"busy_before": busy}
    try:
        if args.only != "client":
            figures["server"] = server_part(args, servers)
        if args.only != "server":
            figures["client"] = client_part(args, servers)
    finally:
        servers.stop_all()
        shutil.rmtree(tmp, ignore_errors=True)
    figures["busy_after"] = busy_elsewhere()
    print(f"machine busy after the run: {figures['busy_after']:.0%} of all cores")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
