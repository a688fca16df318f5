"""Feeding a host simulated LiveChat webhooks and watching what its workers did."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hookyard.host import Host
    from hookyard.store import Store
    from hookyard.store.deliveries import DeliveryRecord
    from hookyard.testing import Recorded, RecordingServer

HOOKYARD = Path(sys.executable).with_name("hookyard")


async def host_without_workers(path: Path, config: dict[str, Any]) -> Host:
    """A started Host on ``config`` (written to ``path``) whose workers wait for
    :func:`start_workers`, so deliveries can be queued first."""
    from hookyard.host import Host

    path.write_text(json.dumps(config))
    host = Host.from_file(path)
    await host.start(workers=False)
    return host


def start_workers(host: Host) -> None:
    """Start ``host``'s workers: their first claim sees every delivery queued so far."""
    from hookyard.delivery import Worker

    host.worker = Worker(host.config, host.registry, host.router, host.store)
    host.worker.start()


async def send_chat(host: Host) -> str:
    """POST one simulated ``incoming_chat`` through intake; returns the stored event id."""
    options = host.config.sources["lc"].options
    simulate = host.registry.vendors["livechat"].simulate
    assert simulate is not None
    simulated = simulate(options, "incoming_chat")
    headers = {name.lower(): value for name, value in simulated.headers.items()}
    answer = await host.intake.receive("lc", headers, simulated.body)
    assert answer.status == 200, answer.body
    assert answer.body["stored"] == 1
    stored = await host.store.events()
    return str(json.loads(stored[0]["body"])["id"])


async def arrived(server: RecordingServer, count: int, timeout: float = 15.0) -> list[Recorded]:
    """Wait (without blocking the event loop) until ``count`` requests reached the server."""
    return await asyncio.to_thread(server.wait_for, count, timeout)


async def only_delivery(store: Store, status: str, timeout: float = 15.0) -> DeliveryRecord:
    """Wait until the one delivery in the store has ``status``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        records = await store.deliveries.list()
        assert len(records) == 1
        if records[0].status == status or loop.time() > deadline:
            assert records[0].status == status, records[0]
            return records[0]
        await asyncio.sleep(0.05)


async def cli_in_process(*args: str) -> tuple[int, str]:
    """Run a ``hookyard`` command in a thread of this process; returns (exit code, output)."""
    from click.testing import CliRunner

    from hookyard.cli import main

    result = await asyncio.to_thread(CliRunner().invoke, main, list(args))
    return result.exit_code, result.output


async def cli(*args: str) -> tuple[int, str, str]:
    """Run the installed ``hookyard`` command; returns (exit code, stdout, stderr)."""
    process = await asyncio.create_subprocess_exec(
        str(HOOKYARD),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(process.communicate(), 60)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
