"""Summarise a py-spy ``--format raw`` profile of ``hookyard serve`` (``run.py --profile``).

Prints, for the event-loop thread, where the samples went by stage of the intake path
(each stack counted once, in the first stage that matches it), then the functions with the
most inclusive and self samples, and what the SQLite threads were doing.

Run: ``.venv/bin/python bench/profile_summary.py PROFILE [--top N]``
"""

from __future__ import annotations

import argparse
from collections import Counter

#: (stage, markers): a stack belongs to the first stage any of whose markers it contains.
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("worker: claim/record deliveries (store)", ("DeliveryStore.", "SqliteQueue.")),
    ("worker: http sink POST (aiohttp)", ("HttpSink.", "aiohttp/")),
    ("worker: other", ("hookyard/delivery/worker.py",)),
    ("intake writer: SQL for events+deliveries", ("hookyard/store/intake.py",)),
    ("intake: livechat verify", ("Intake._authenticate",)),
    ("intake: livechat parse", ("Intake._parse",)),
    ("intake: routing (Router.plan)", ("Router.plan",)),
    ("intake: event -> JSON (cattrs unstructure)", ("Converter.unstructure", "unstructure_")),
    ("intake: row building, json.dumps, keys", ("Intake._row", "idempotency_key")),
    ("intake: receive, other", ("Intake.receive",)),
    ("app: hookyard handler (body, headers)", ("create_app.<locals>.receive", "_read_body")),
    ("litestar: routing, request, response", ("litestar/",)),
    ("uvicorn + h11: HTTP parsing/writing", ("uvicorn/", "h11/")),
    ("asyncio callbacks (transport reads/writes, futures)", ("asyncio/",)),
]
IDLE = ("aiosqlite/core.py:59)",)
#: The threads that run SQLite calls: aiosqlite's, and the delivery queue's (its transactions).
SQLITE_THREADS = ("_connection_worker_thread ", "SqliteQueue._transaction ")
WAITS = ("Condition.wait", "Queue.get", "SimpleQueue.get", "_worker (concurrent/futures")
GREENLET = "SQLAlchemy execute/commit in a greenlet (intake writer or worker)"


def read(path: str) -> list[tuple[list[str], int]]:
    """Each stack, root first, without the ``process N:"command"`` frame that py-spy's
    ``--subprocesses`` puts at the root."""
    stacks = []
    with open(path) as profile:
        for line in profile:
            frames, _, count = line.rstrip("\n").rpartition(" ")
            if frames and count.isdigit():
                split = frames.split(";")
                if split[0].startswith("process "):
                    split = split[1:]
                if split:
                    stacks.append((split, int(count)))
    return stacks


def stage_of(frames: list[str]) -> str:
    """The stage of one event-loop-thread stack (``idle`` while waiting in epoll)."""
    runs = [i for i, frame in enumerate(frames) if frame.startswith("Handle._run ")]
    if not runs:
        if any("BaseEventLoop._run_once" in frame for frame in frames):
            return "idle" if "EpollSelector.select" in frames[-1] else "asyncio event loop"
        if "sqlalchemy/" in frames[0]:
            return GREENLET  # SQLAlchemy runs its sync core in greenlets: py-spy loses the caller
        runs = [-1]  # a stack py-spy could not read to its root
    text = ";".join(frames[runs[-1] + 1 :])
    for stage, markers in STAGES:
        if any(marker in text for marker in markers):
            return stage
    return "other callbacks"


def _name(frame: str) -> str:
    """``func (path/file.py:12)`` -> ``func (path/file.py)``: lines merged."""
    head, _, place = frame.partition(" (")
    return f"{head} ({place.rsplit(':', 1)[0]})" if place else head


def summarise(stacks: list[tuple[list[str], int]], top: int) -> None:
    loop = [(f, n) for f, n in stacks if not any("Thread._bootstrap" in x for x in f)]
    sql = [(f, n) for f, n in stacks if any(x.startswith(SQLITE_THREADS) for x in f)]
    stages: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for frames, count in loop:
        stage = stage_of(frames)
        stages[stage] += count
        if stage == "idle":
            continue
        runs = [i for i, frame in enumerate(frames) if frame.startswith("Handle._run ")]
        for name in {_name(f) for f in frames[runs[-1] + 1 if runs else 0 :]}:
            inclusive[name] += count
        own[_name(frames[-1])] += count
    idle = stages.pop("idle", 0)
    total = sum(stages.values())
    print(f"event-loop thread: {total} busy samples, {idle} idle in epoll\n")
    print("by stage (event-loop thread, busy samples):")
    for stage, count in stages.most_common():
        print(f"  {count / total:6.1%}  {stage}")
    print(f"\ntop {top} inclusive (below the event loop's callback runner):")
    for name, count in inclusive.most_common(top):
        print(f"  {count / total:6.1%}  {name}")
    print(f"\ntop {top} self:")
    for name, count in own.most_common(top):
        print(f"  {count / total:6.1%}  {name}")
    busy = [(f, n) for f, n in sql if not f[-1].endswith(IDLE)]
    leaves = Counter(_name(f[-1]) for f, n in busy for _ in range(n))
    print(
        f"\nSQLite threads: {sum(n for _, n in busy)} busy samples (the C calls, fsync included):"
    )
    for name, count in leaves.most_common(5):
        print(f"  {count:6d}  {name}")
    others = [(f, n) for f, n in stacks if "Thread._bootstrap" in f[0] and (f, n) not in sql]
    waiting = sum(n for f, n in others if _name(f[-1]).startswith(WAITS))
    print(f"other threads: {sum(n for _, n in others) - waiting} busy samples, {waiting} waiting")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("profile")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    summarise(read(args.profile), args.top)


if __name__ == "__main__":
    main()
