"""The benchmark's view of processes in ``/proc``: a process tree, its CPU time and memory."""

from __future__ import annotations

import os
from typing import Any


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it, from ``/proc/PID/task/TID/children``."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    queue.extend(int(child) for child in children.read().split())
        except OSError:
            continue
    return found


def cpu_seconds(pid: int | None) -> tuple[float, float]:
    """(user, system) CPU seconds ``pid`` and its living descendants have used so far."""
    if pid is None:
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    user = system = 0
    for process in descendants(pid):
        try:
            with open(f"/proc/{process}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        user, system = user + int(fields[11]), system + int(fields[12])
    return user / tick, system / tick


def switches(pid: int | None) -> int:
    """Context switches of every thread of ``pid`` and its descendants so far."""
    if pid is None:
        return 0
    total = 0
    for process in descendants(pid):
        try:
            tasks = os.listdir(f"/proc/{process}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{process}/task/{task}/status") as status:
                    for line in status:
                        if line.startswith(
                            ("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")
                        ):
                            total += int(line.split()[1])
            except OSError:
                continue
    return total


def rss_kib(pid: int) -> int:
    """Resident set size of ``pid`` in KiB (``VmRSS``), 0 once it is gone."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def command_line(pid: int, width: int = 60) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            words = cmdline.read().split(b"\0")
    except OSError:
        return "?"
    text = " ".join(
        os.path.basename(w.decode(errors="replace")) if i == 0 else w.decode(errors="replace")
        for i, w in enumerate(words)
        if w
    )
    return text if len(text) <= width else text[: width - 3] + "..."


def tree_rss(pid: int) -> dict[int, dict[str, Any]]:
    """RSS in KiB of ``pid`` and each of its descendants, by pid, with its command line."""
    return {
        process: {"rss_kib": rss_kib(process), "command": command_line(process)}
        for process in descendants(pid)
    }
