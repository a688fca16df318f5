"""SQLite claims and outcomes: each transaction in one thread, on its own sqlite3 connection.

Through SQLAlchemy's asyncio layer a claim was about six statements, each several round
trips to aiosqlite's thread plus SQLAlchemy's own work per statement: some 10 ms a claim,
whatever its size (docs/benchmarks.md, "Backlog drain"). Here the statements are the
store's own SQLAlchemy ones (store/_claims.py, store/_delivery_rows.py), compiled once, lists
of ids bound as one JSON array, and a transaction is one hop. What is rare goes the general
way (store/deliveries.py): a claim that takes a breaker's probe or counts a rate limit, and
outcomes that report a failure, a pause or a link to keep.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DBAPIError

from hookyard.store._claims import (
    claim_update,
    claimed_query,
    gathered,
    group_query,
    later,
    lost_or_due,
    next_of_its_conversation,
)
from hookyard.store._delivery_rows import RECORD, attempt_row, outcome_row, owned_update, to_claimed
from hookyard.store._schema import deliveries, sink_state
from hookyard.store.engine import sqlite_pragmas
from hookyard.store.sinks import SinkState

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine

    from hookyard.store._delivery_rows import ClaimedDelivery, Outcome, SinkFeedback, SinkRoom

__all__ = ["SqliteQueue", "sqlite_queue"]

_DIALECT = sqlite.dialect(paramstyle="named")


def _param(name: str) -> Any:
    return bindparam(name, required=False)


def _compiled(statement: Any) -> tuple[str, dict[str, Any]]:
    """``statement`` as SQLite text with named parameters, and the values it binds itself."""
    compiled = statement.compile(dialect=_DIALECT, compile_kwargs={"render_postcompile": True})
    return str(compiled), dict(compiled.params)


def _listed(name: str) -> Any:
    """The values of a JSON array bound as ``name``: how a list of ids is passed here."""
    return select(func.json_each(_param(name)).table_valued("value").c.value)


@functools.cache
def _claim_sql(lost: bool, ordered: bool, dead_holds: bool) -> tuple[str, dict[str, Any]]:
    """One sink's claim: ``_claims.claim_update`` with its sink and times bound."""
    now = _param("now")
    where = and_(lost_or_due(lost, now), deliveries.c.sink == _param("sink"))
    if ordered:
        where = and_(where, next_of_its_conversation(dead_holds, now))
    statement = claim_update(where, _param("limit"), _param("worker"), now, _param("until"))
    return _compiled(statement)


@functools.cache
def _others_sql(lost: bool) -> tuple[str, dict[str, Any]]:
    """The claim of sinks not named (no longer configured), in no order of conversation."""
    now = _param("now")
    where = and_(lost_or_due(lost, now), deliveries.c.sink.not_in(_listed("names")))
    return _compiled(claim_update(where, _param("limit"), _param("worker"), now, _param("until")))


_STATES = _compiled(select(sink_state))
_CLAIMED = _compiled(claimed_query(_listed("ids")))
_GROUPS = _compiled(group_query(_listed("ids")))
_OWNED = _compiled(owned_update(_listed("ids"), _param("worker"), _param("now")))
_RECORD = _compiled(RECORD)
#: sinks.apply_feedback for an attempt that did not fail: the breaker closes.
_SUCCEEDED = _compiled(
    update(sink_state)
    .where(
        sink_state.c.sink == _param("sink"),
        or_(sink_state.c.failures != 0, sink_state.c.breaker != "closed"),
    )
    .values(failures=0, breaker="closed", breaker_until=None, updated_at=_param("now"))
)


def _time(value: datetime) -> str:
    """UTC without an offset, as SQLAlchemy's SQLite ``DATETIME`` stores it."""
    utc = value if value.tzinfo is UTC else value.astimezone(UTC)
    return utc.replace(tzinfo=None).isoformat(" ", "microseconds")


def _read_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


class _Times(dict[datetime, str]):
    """The times of one transaction as text, each formatted once (most are its ``now``)."""

    def __missing__(self, value: datetime) -> str:
        self[value] = text = _time(value)
        return text


def _bound(values: dict[str, Any], times: _Times) -> dict[str, Any]:
    return {k: times[v] if isinstance(v, datetime) else v for k, v in values.items()}


def plain(feedback: SinkFeedback | None, outcome: Outcome, conversation: str | None) -> bool:
    """An outcome :meth:`SqliteQueue.record` writes: no failure for the breaker to count,
    no pause, no link to merge."""
    quiet = feedback is None or (not feedback.failed and feedback.pause_for is None)
    return quiet and not (outcome.link and conversation is not None)


class SqliteQueue:
    """Claims and records in one dedicated thread, started at first use."""

    def __init__(self, path: str, busy_timeout: float) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self._executor: ThreadPoolExecutor | None = None
        self._connection: sqlite3.Connection | None = None  # used in that thread only

    async def claim(
        self, worker: str, limit: int, lease: float, rooms: Sequence[SinkRoom] | None
    ) -> list[ClaimedDelivery] | None:
        """``DeliveryStore.claim`` (``rooms`` None: every sink shares ``limit``); None, and
        nothing taken, when a sink named is due for its breaker's probe."""
        claimed: list[ClaimedDelivery] | None = await self._run(_claim, worker, limit, lease, rooms)
        return claimed

    async def record(
        self,
        worker: str,
        finished: Sequence[tuple[ClaimedDelivery, Outcome, SinkFeedback | None]],
    ) -> list[bool]:
        """``DeliveryStore.record_many`` for outcomes that are all :func:`plain`."""
        recorded: list[bool] = await self._run(_record, worker, finished)
        return recorded

    async def close(self) -> None:
        """Close the connection and end the thread (after a transaction still running)."""
        executor, self._executor = self._executor, None
        if executor is not None:
            await asyncio.get_running_loop().run_in_executor(executor, self._close)
            executor.shutdown()

    async def _run(self, work: Callable[..., Any], *args: Any) -> Any:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(1, thread_name_prefix="hookyard-queue")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._transaction, work, args)

    def _open(self) -> sqlite3.Connection:
        if self._connection is None:
            # Autocommit mode: the transaction below is begun and ended explicitly.
            self._connection = sqlite3.connect(self.path, isolation_level=None)
            sqlite_pragmas(self._connection, None, synchronous="NORMAL")
            self._connection.execute(f"PRAGMA busy_timeout={int(self.busy_timeout * 1000)}")
        return self._connection

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _transaction(self, work: Callable[..., Any], args: tuple[Any, ...]) -> Any:
        connection = self._open()
        try:
            connection.execute("BEGIN IMMEDIATE")  # take the write lock before any work
            try:
                result = work(connection, *args)
                connection.execute("COMMIT" if result is not None else "ROLLBACK")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:  # the store's callers see SQLAlchemy's exceptions
            raise DBAPIError.instance(None, None, exc, sqlite3.Error) from exc
        return result


def _execute(connection: sqlite3.Connection, sql: tuple[str, dict[str, Any]], **values: Any) -> Any:
    text, defaults = sql
    return connection.execute(text, {**defaults, **values})


def _states(connection: sqlite3.Connection) -> dict[str, SinkState]:
    states = {}
    for row in _execute(connection, _STATES):
        sink, paused, reason, failures, breaker, until, _ = row
        states[sink] = SinkState(
            sink, _read_time(paused), reason, failures, breaker, _read_time(until)
        )
    return states


def _claim(
    connection: sqlite3.Connection,
    worker: str,
    limit: int,
    lease: float,
    rooms: Sequence[SinkRoom] | None,
) -> list[ClaimedDelivery] | None:
    """:meth:`SqliteQueue.claim`'s transaction (None: it is rolled back)."""
    now = datetime.now(UTC)
    times = {"now": _time(now), "until": _time(later(now, lease)), "worker": worker}
    states = _states(connection)
    held = {name for name, state in states.items() if state.blocked(now)}
    probing = {name for name, state in states.items() if state.probe_due(now)}
    given = {room.sink: room for room in rooms or ()}
    if any(room.room > 0 for name, room in given.items() if name in probing):
        return None
    ids: list[int] = []
    for room in given.values():
        wanted = min(room.room, limit - len(ids))
        if room.sink not in held and wanted > 0:
            ids += _take(connection, room, wanted, times)
    if rooms is None:
        names = json.dumps(sorted(held | probing))
        for lost in (True, False):
            if limit > len(ids):
                found = _execute(
                    connection, _others_sql(lost), names=names, limit=limit - len(ids), **times
                )
                ids += [row[0] for row in found]
    if not ids:
        return []
    claimed = list(_execute(connection, _CLAIMED, ids=json.dumps(ids)))
    heads = [row[0] for row in claimed if row[9] == "group" and row[10] is None]
    groups = gathered(_execute(connection, _GROUPS, ids=json.dumps(heads))) if heads else {}
    return [to_claimed(row, groups.get(row[0], ())) for row in claimed]


def _take(
    connection: sqlite3.Connection, room: SinkRoom, wanted: int, times: dict[str, str]
) -> list[int]:
    """Up to ``wanted`` of ``room``'s sink: those whose lease ran out, then due ones."""
    taken: list[int] = []
    for lost in (True, False):
        if len(taken) < wanted:
            sql = _claim_sql(lost, room.ordered, room.dead_holds)
            found = _execute(connection, sql, sink=room.sink, limit=wanted - len(taken), **times)
            taken += [row[0] for row in found]
    return taken


def _record(
    connection: sqlite3.Connection,
    worker: str,
    finished: Sequence[tuple[ClaimedDelivery, Outcome, SinkFeedback | None]],
) -> list[bool]:
    """:meth:`SqliteQueue.record`'s transaction."""
    now = datetime.now(UTC)
    ids = json.dumps([delivery.id for delivery, _, _ in finished])
    owned = {row[0] for row in _execute(connection, _OWNED, ids=ids, worker=worker, now=_time(now))}
    kept = [
        (d, o, f, None if o.retry_in is None else later(now, o.retry_in))
        for d, o, f in finished
        if d.id in owned
    ]
    text, defaults = _RECORD
    times = _Times()
    rows = [_bound({**defaults, **outcome_row(d, o, at, now)}, times) for d, o, _, at in kept]
    connection.executemany(text, rows)
    tried = [_bound(attempt_row(worker, d, o, at), times) for d, o, _, at in kept]
    if tried:
        connection.executemany(_attempt_sql(tuple(tried[0])), tried)
    for sink in {d.sink for d, _, f, _ in kept if f is not None}:
        _execute(connection, _SUCCEEDED, sink=sink, now=_time(now))
    return [delivery.id in owned for delivery, _, _ in finished]


@functools.cache
def _attempt_sql(columns: tuple[str, ...]) -> str:
    marks = ", ".join(f":{name}" for name in columns)
    return f"INSERT INTO attempts ({', '.join(columns)}) VALUES ({marks})"


def sqlite_queue(engine: AsyncEngine, busy_timeout: float) -> SqliteQueue | None:
    """The queue of ``engine``'s SQLite file; None on PostgreSQL or in memory."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    return SqliteQueue(path, busy_timeout) if path and path != ":memory:" else None
