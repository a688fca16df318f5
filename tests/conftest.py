"""Fixtures shared by the host tests: databases on SQLite and a real PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import TYPE_CHECKING

import asyncpg
import pytest

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from pathlib import Path

POSTGRES_ENV = "HOOKYARD_TEST_POSTGRES_URL"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL server the suite runs against; unreachable is a failure, not a skip."""
    url = os.environ.get(POSTGRES_ENV, DEFAULT_POSTGRES)

    async def probe() -> None:
        connection = await asyncpg.connect(url, timeout=5)
        await connection.close()

    try:
        asyncio.run(probe())
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(
            f"PostgreSQL at {url} is not reachable ({exc}); `python3 tasks.py test` "
            f"starts the machine's cluster, or set {POSTGRES_ENV}",
            pytrace=False,
        )
    return url


def _with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


async def _admin(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def migrated_template(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL database migrated once per session, copied for each test (fast)."""
    from hookyard.store import Store

    name = f"hookyard_template_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(postgres_url, f'CREATE DATABASE "{name}"'))

    async def migrate() -> None:
        store = Store(_with_database(postgres_url, name))
        try:
            await store.migrate()
        finally:
            await store.close()

    asyncio.run(migrate())
    yield name
    asyncio.run(_admin(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def fresh_postgres(postgres_url: str, migrated_template: str) -> Iterator[str]:
    """A new PostgreSQL database for one test, already migrated, dropped afterwards."""
    name = f"hookyard_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(postgres_url, f'CREATE DATABASE "{name}" TEMPLATE "{migrated_template}"'))
    yield _with_database(postgres_url, name)
    asyncio.run(_admin(postgres_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs twice: on a SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hookyard.db'}"
    return str(request.getfixturevalue("fresh_postgres"))


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[object]:
    """A migrated :class:`hookyard.store.Store` with its intake writer running."""
    from hookyard.store import Store

    opened = Store(database_url)
    await opened.migrate()
    opened.intake.start()
    yield opened
    await opened.close()
