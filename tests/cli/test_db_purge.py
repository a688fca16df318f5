"""``hookyard db purge``: one age for every kind (old attempts too), a dry run that removes
nothing."""

from __future__ import annotations

import asyncio
import json
import os
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from click.testing import CliRunner, Result

from hookyard.cli import main
from hookyard.store import Store
from hookyard.store.deliveries import Outcome
from hookyard.store.intake import EventRow, IntakeBatch, PlannedRow

if TYPE_CHECKING:
    from pathlib import Path

OLD = datetime.now(UTC) - timedelta(days=3)


def row(event_id: str, routes: tuple[str, ...] = (), status: str = "stored") -> EventRow:
    planned = [PlannedRow(r, "ops", "post", {}, f"{event_id}/{r}") for r in routes]
    body = json.dumps({"id": event_id, "source": "lc", "vendor": "livechat", "type": "x"})
    return EventRow(
        source="lc",
        event_id=event_id,
        vendor="livechat",
        type="chat.started",
        status=status,
        received_at=OLD,
        body=body if status == "stored" else None,
        payload=b"{}" if status == "unparsed" else None,
        deliveries=planned,
    )


async def fill(url: str) -> None:
    """Three delivered events, one dead delivery, one delivering, one pending after two
    failed attempts, two unparsed payloads."""
    store = Store(url)
    try:
        await store.migrate()
        store.intake.start()
        rows = [row("d1", ("a", "b")), row("d2", ("a",)), row("none"), row("dead", ("a",))]
        rows += [row("open", ("a",)), row("flaky", ("a",))]
        rows += [row("u1", status="unparsed"), row("u2", status="unparsed")]
        await store.intake.write(IntakeBatch(rows))
        for delivery in await store.deliveries.claim("w1", 100, 60.0):
            event_id, now = delivery.event["id"], datetime.now(UTC)
            if event_id == "flaky":
                outcome = Outcome("retry", now, error="503", retry_in=0)
            elif event_id != "open":
                outcome = Outcome("dead" if event_id == "dead" else "delivered", now)
            else:
                continue
            assert await store.deliveries.record("w1", delivery, outcome)
        (again,) = await store.deliveries.claim("w1", 100, 60.0)
        retry_later = Outcome("retry", datetime.now(UTC), error="503", retry_in=3600)
        assert await store.deliveries.record("w1", again, retry_later)
    finally:
        await store.close()


async def remaining(url: str) -> list[str]:
    store = Store(url)
    try:
        return sorted(r["event_id"] for r in await store.events())
    finally:
        await store.close()


async def attempts_left(url: str) -> dict[str, list[tuple[int, str]]]:
    """Each delivery's attempts (number, outcome), by its event's id."""
    store = Store(url)
    try:
        return {
            record.event_id: [
                (a["number"], a["outcome"]) for a in await store.deliveries.attempts_of(record.id)
            ]
            for record in await store.deliveries.list()
        }
    finally:
        await store.close()


def purge(config: Path, *args: str) -> Result:
    env = {name: None for name in os.environ if name.startswith("HOOKYARD_")}
    result = CliRunner().invoke(main, ["db", "purge", "--config", str(config), *args], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def test_a_dry_run_counts_and_a_purge_removes(database_url: str, tmp_path: Path) -> None:
    config = tmp_path / "hookyard.yaml"
    config.write_text(f"database: {database_url}\n")
    asyncio.run(fill(database_url))
    time.sleep(1.1)  # the outcomes were recorded now: a second old, then

    counted = purge(config, "--older-than", "1s", "--dry-run")
    expected = (
        "3 delivered events (3 deliveries, 3 attempts), 1 dead delivery (1 attempt, 1 event), "
        "2 unparsed payloads, 1 old attempt, 0 conversation links\n"
    )
    assert (counted.exit_code, counted.stdout) == (0, f"would remove {expected}")
    assert len(asyncio.run(remaining(database_url))) == 8
    assert asyncio.run(attempts_left(database_url))["flaky"] == [(1, "retry"), (2, "retry")]

    assert purge(config, "--older-than", "30d").stdout == (
        "removed 0 delivered events (0 deliveries, 0 attempts), 0 dead deliveries "
        "(0 attempts, 0 events), 0 unparsed payloads, 0 old attempts, 0 conversation links\n"
    )
    purged = purge(config, "--older-than", "1s")

    assert (purged.exit_code, purged.stdout) == (0, f"removed {expected}")
    assert asyncio.run(remaining(database_url)) == ["flaky", "open"]
    # The pending delivery keeps its latest attempt, the delivering one has none yet.
    assert asyncio.run(attempts_left(database_url)) == {"flaky": [(2, "retry")], "open": []}


def test_a_wrong_age_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "hookyard.yaml"
    config.write_text(f"database: sqlite:///{tmp_path / 'h.db'}\n")
    for age, problem in [("0", "must be more than 0, got '0'"), ("soon", "got 'soon'")]:
        result = purge(config, "--older-than", age)
        assert result.exit_code == 2
        assert "Invalid value for '--older-than': " in result.stderr
        assert problem in result.stderr
    assert not (tmp_path / "h.db").exists()


def test_a_wrong_retention_attempts_is_named_at_its_line(tmp_path: Path) -> None:
    config = tmp_path / "hookyard.yaml"
    database = tmp_path / "h.db"
    config.write_text(f"database: sqlite:///{database}\nretention:\n  attempts: 0s\n")

    result = purge(config, "--older-than", "30d")

    assert result.exit_code == 2
    assert result.stderr == (
        f"hookyard: configuration {config} is not valid:\n"
        "  retention.attempts (line 3): must be more than 0, got 0.0\n"
    )
    assert not database.exists()
