"""Opening the database: URL forms, SQLite durability settings, and migrations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

__all__ = ["async_url", "create_engine", "sqlite_pragmas", "upgrade"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: Seconds an SQLite statement waits for another connection's write lock.
BUSY_TIMEOUT = 5.0
#: Seconds an operation waits for a pooled connection (the engine's one, on SQLite).
POOL_TIMEOUT = 10.0
#: PostgreSQL connections one process keeps open (and as many more at a peak).
PG_POOL_SIZE = 10
#: Seconds a new PostgreSQL connection may take, so an unreachable server is an error
#: within seconds (asyncpg alone waits 60 s), never a hang.
CONNECT_TIMEOUT = 3.0


def async_url(url: str) -> str:
    """``sqlite:///f.db`` and ``postgresql://...`` in the config become async driver URLs."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return str(parsed.set(drivername="sqlite+aiosqlite"))
    if backend in ("postgresql", "postgres"):
        if "sslmode" in parsed.query:  # libpq's name; asyncpg takes the same modes as ``ssl``
            mode = parsed.query["sslmode"]
            parsed = parsed.difference_update_query(["sslmode"]).update_query_dict({"ssl": mode})
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database {backend!r}: use sqlite:///FILE or postgresql://...")


def sqlite_pragmas(dbapi_connection: Any, _record: Any, synchronous: str = "FULL") -> None:
    """The settings of every SQLite connection hookyard opens (a SQLAlchemy connect hook).

    Intake's connection commits with ``synchronous=FULL``: a webhook is on disk before it
    is answered 200. The engine's (claims, outcomes, commands) commits with ``NORMAL``, which
    in WAL mode leaves out the fsync per commit: a power cut (not a crash of hookyard) may
    undo its last transactions, so a delivery may be attempted again, never lost.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA synchronous={synchronous}")
    cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT * 1000)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _engine_pragmas(dbapi_connection: Any, record: Any) -> None:
    sqlite_pragmas(dbapi_connection, record, synchronous="NORMAL")


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    target = async_url(url)
    if target.startswith("sqlite"):
        path = make_url(target).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # SQLite has one write lock per file. With one connection, the engine's writers
        # queue in the pool instead of sleeping in SQLite's busy handler; intake and the
        # usual claims and outcomes commit on connections of their own, each in one thread
        # (store/_sqlite_intake.py, store/_sqlite_queue.py). Every wait is short, so a
        # locked file makes operations fail within seconds, never hang.
        kwargs = {"pool_size": 1, "max_overflow": 0, "pool_timeout": POOL_TIMEOUT, **kwargs}
    else:
        connect = {"timeout": CONNECT_TIMEOUT}
        kwargs = {
            # Intake commits one group at a time and workers claim and record in batches,
            # so a process needs few connections at once; the pool keeps them open instead
            # of connecting anew for each overflow (SQLAlchemy's default keeps only 5).
            "pool_size": PG_POOL_SIZE,
            "max_overflow": PG_POOL_SIZE,
            "pool_timeout": POOL_TIMEOUT,
            "connect_args": connect,
            **kwargs,
        }
    engine = create_async_engine(target, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _engine_pragmas)
    return engine


def _alembic_config(connection: Connection) -> AlembicConfig:
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (safe to run from several replicas at once)."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(_alembic_config(sync), revision))


async def current_revision(engine: AsyncEngine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


def head_revision() -> str:
    """The revision this hookyard's migrations end at (what ``migrate`` brings a store to)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None
    return head
