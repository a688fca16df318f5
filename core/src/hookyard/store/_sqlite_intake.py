"""SQLite intake commits: a whole group commit in one thread, on its own sqlite3 connection.

Through SQLAlchemy's asyncio layer each statement and the commit are separate round trips
to aiosqlite's thread; here the transaction is one hop (docs/benchmarks.md). Times are
written in SQLAlchemy's SQLite format, so the store's SQLAlchemy reads parse them.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DBAPIError

from hookyard.routing.gates import GateState
from hookyard.store._gated import (
    DUE_NOW_SQL,
    MEMBERS_SQL,
    OPEN_GROUP_SQL,
    RECENT_SQL,
    gated_rows,
    head_to_make_due,
    split,
    state_queries,
    with_head,
)
from hookyard.store._rows import (
    Latest,
    delivery_params,
    event_params,
    first_of_each,
    stored_flags,
    tell_repeats_apart,
)
from hookyard.store.engine import sqlite_pragmas

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hookyard.store._gated import StateQuery
    from hookyard.store._rows import EventRow, Key, PlannedRow

__all__ = ["SqliteIntake", "check_writable"]


@functools.cache
def _insert_sql(table: str, columns: tuple[str, ...], suffix: str = "") -> str:
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}){suffix}"


class SqliteIntake:
    """Runs :func:`insert_rows` transactions in one dedicated thread, started at first use."""

    def __init__(self, path: str, busy_timeout: float) -> None:
        self.path = path
        #: Seconds a transaction waits for another connection's write lock.
        self.busy_timeout = busy_timeout
        self._executor: ThreadPoolExecutor | None = None
        self._connection: sqlite3.Connection | None = None  # used in that thread only

    async def insert(self, rows: Sequence[EventRow]) -> list[bool]:
        """Commit ``rows``; returns whether each was stored (else it was a duplicate)."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="hookyard-intake")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._transaction, rows)

    async def close(self) -> None:
        """Close the connection and end the thread (after a transaction still running)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.get_running_loop().run_in_executor(executor, self._close)
            executor.shutdown()

    def _open(self) -> sqlite3.Connection:
        if self._connection is None:
            # Autocommit mode: the transaction below is begun and ended explicitly.
            self._connection = sqlite3.connect(self.path, isolation_level=None)
            sqlite_pragmas(self._connection, None)
            self._connection.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
        return self._connection

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _transaction(self, rows: Sequence[EventRow]) -> list[bool]:
        connection = self._open()
        try:
            connection.execute("BEGIN IMMEDIATE")  # take the write lock before any work
            try:
                inserted = insert_rows(connection, rows)
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:  # the store's callers see SQLAlchemy's exceptions
            raise DBAPIError.instance(None, None, exc, sqlite3.Error) from exc
        return inserted


def check_writable(path: str, timeout: float) -> None:
    """Raise unless the write lock of ``path`` can be taken within ``timeout`` seconds.

    A connection of its own (blocking: run it in a thread), so the check never queues
    behind intake commits or delivery bookkeeping. A missing file is an error, not created.
    """
    uri = f"file:{urllib.parse.quote(path)}?mode=rw"
    try:
        connection = sqlite3.connect(uri, timeout=timeout, isolation_level=None, uri=True)
        try:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("ROLLBACK")
        finally:
            connection.close()
    except sqlite3.Error as exc:
        raise DBAPIError.instance(None, None, exc, sqlite3.Error) from exc


def insert_rows(connection: sqlite3.Connection, rows: Sequence[EventRow]) -> list[bool]:
    """Insert new events (skipping stored duplicates) and the deliveries of new ones."""
    told = _told_apart(connection, rows)
    inserted: dict[Key, int] = {}
    now = datetime.now(UTC)
    planned: list[tuple[dict[str, Any], PlannedRow]] = []
    for key, row in first_of_each(told).items():
        values = event_params(row)
        sql = _insert_sql("events", tuple(values), _SKIP_DUPLICATE)
        found = connection.execute(sql, _sqlite_values(values)).fetchone()
        if found is not None:
            inserted[key] = found[0]
            planned.extend((delivery_params(found[0], row, p, now), p) for p in row.deliveries)
    plain, gated = split(planned)
    if plain:
        sql = _insert_sql("deliveries", tuple(plain[0]))
        connection.executemany(sql, [_sqlite_values(values) for values in plain])
    if gated:
        states = {q.key: _gate_state(connection, q, now) for q in state_queries(gated, now)}
        ids: list[int] = []
        for gated_row in gated_rows(gated, states, now):
            values = with_head(gated_row, ids)
            sql = _insert_sql("deliveries", tuple(values), " RETURNING id")
            ids.append(connection.execute(sql, _sqlite_values(values)).fetchone()[0])
            if (head := head_to_make_due(gated_row, ids)) is not None:
                connection.execute(DUE_NOW_SQL, {"now": _sqlite_time(now), "head": head})
    return stored_flags(told, inserted)


def _gate_state(connection: sqlite3.Connection, query: StateQuery, now: datetime) -> GateState:
    """What is stored of one gate's key (see :class:`GateState`)."""
    arguments = {
        k: _sqlite_time(v) if isinstance(v, datetime) else v
        for k, v in query.arguments(now).items()
    }
    if query.since is not None:
        return GateState(recent=connection.execute(RECENT_SQL, arguments).fetchone()[0])
    head = connection.execute(OPEN_GROUP_SQL, arguments).fetchone()
    if head is None:
        return GateState()
    members = connection.execute(MEMBERS_SQL, {"head": head[0]}).fetchone()[0]
    return GateState(head=head[0], members=members + 1)


def _told_apart(connection: sqlite3.Connection, rows: Sequence[EventRow]) -> list[EventRow]:
    """:func:`tell_repeats_apart`, with what the grouped rows need read from the file."""
    grouped = [row for row in rows if row.dedup_group is not None]
    if not grouped:
        return list(rows)
    latest: Latest = {}
    seen: dict[Key, int] = {}
    for row in grouped:
        group = (row.source, str(row.dedup_group))
        if group not in latest:
            found = connection.execute(_LATEST_SQL, group).fetchone()
            if found is not None:
                latest[group] = (found[0], found[1])
        if row.key not in seen:
            found = connection.execute(_SEEN_SQL, (*group, row.event_id, *row.key)).fetchone()
            seen[row.key] = max(found[0], found[1])
    return tell_repeats_apart(rows, latest, seen)


_LATEST_SQL = (
    "SELECT dedup_id, event_id FROM events WHERE source = ? AND dedup_group = ? "
    "ORDER BY pk DESC LIMIT 1"
)
_SEEN_SQL = (
    "SELECT (SELECT count(*) FROM events WHERE source = ? AND dedup_group = ? AND dedup_id = ?), "
    "(SELECT count(*) FROM events WHERE source = ? AND event_id = ?)"
)


_SKIP_DUPLICATE = " ON CONFLICT (source, event_id) DO NOTHING RETURNING pk"


def _sqlite_values(values: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(_sqlite_time(v) if isinstance(v, datetime) else v for v in values.values())


def _sqlite_time(value: datetime) -> str:
    """UTC without an offset, as SQLAlchemy's SQLite ``DATETIME`` stores it."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
