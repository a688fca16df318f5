"""Rows to write through the intake writer, and a reader on its own database connection."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import asyncpg
from sqlalchemy.engine import make_url

from hookyard.store.intake import EventRow, IntakeBatch, PlannedRow

if TYPE_CHECKING:
    from collections.abc import Sequence

SOURCE = "lc"


def event_json(event_id: str, source: str = SOURCE) -> dict[str, Any]:
    return {"id": event_id, "source": source, "vendor": "livechat", "type": "chat.started"}


def event_row(
    event_id: str,
    routes: Sequence[str] = ("to-ops",),
    *,
    source: str = SOURCE,
    key: str | None = None,
    **overrides: Any,
) -> EventRow:
    """One stored event with a delivery per route; keys are stable per (event, route)."""
    planned = [
        PlannedRow(route, "ops", "post", {"n": index}, key or f"{source}/{event_id}/{route}")
        for index, route in enumerate(routes)
    ]
    fields: dict[str, Any] = {
        "source": source,
        "event_id": event_id,
        "vendor": "livechat",
        "type": "chat.started",
        "status": "stored",
        "received_at": datetime.now(UTC),
        "body": json.dumps(event_json(event_id, source)),
        "deliveries": planned,
    }
    fields.update(overrides)
    return EventRow(**fields)


def batch(*rows: EventRow) -> IntakeBatch:
    return IntakeBatch(list(rows))


class BlockingReader:
    """Reads committed rows on its own connection, blocking the event loop while it does.

    Because the loop cannot run while a read is in progress, a write whose future resolved
    before its commit would be caught: nothing could commit it in between.
    """

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self._sqlite: sqlite3.Connection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        if parsed.get_backend_name() == "sqlite":
            self._sqlite = sqlite3.connect(str(parsed.database), check_same_thread=False)
        else:
            self._loop = asyncio.new_event_loop()
            self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
            self._thread.start()
            self._pg: asyncpg.Connection = self._run(asyncpg.connect(url))

    def _run(self, coroutine: Any) -> Any:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=30)

    def scalar(self, sql: str, *args: Any) -> Any:
        """Run ``sql`` (``?`` placeholders) and return the first column of the first row."""
        if self._sqlite is not None:
            return self._sqlite.execute(sql, args).fetchone()[0]
        return self._run(self._pg.fetchval(_numbered(sql, args), *args))

    def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        """Run ``sql`` (``?`` placeholders) and return every row."""
        if self._sqlite is not None:
            return self._sqlite.execute(sql, args).fetchall()
        return [tuple(r) for r in self._run(self._pg.fetch(_numbered(sql, args), *args))]

    def count(self, table: str) -> int:
        return int(self.scalar(f"SELECT count(*) FROM {table}"))  # noqa: S608 (test tables)

    def close(self) -> None:
        if self._sqlite is not None:
            self._sqlite.close()
            return
        assert self._loop is not None
        self._run(self._pg.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


def _numbered(sql: str, args: Sequence[Any]) -> str:
    """``sql`` with PostgreSQL's ``$1``, ``$2`` … for its ``?`` placeholders."""
    for index in range(len(args)):
        sql = sql.replace("?", f"${index + 1}", 1)
    return sql
