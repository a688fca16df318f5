"""Durable storage: events, deliveries and attempts, on SQLite or PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text

from hookyard.store._schema import events
from hookyard.store.deliveries import DeliveryStore
from hookyard.store.engine import create_engine, upgrade
from hookyard.store.errors import StoreError, StoreUnavailable, display_url, translated
from hookyard.store.intake import IntakeWriter

__all__ = ["Store", "StoreError", "StoreUnavailable", "display_url"]


class Store:
    """One database: the intake writer, the delivery queue and the event log."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        self.engine = create_engine(url, **engine_options)
        self.intake = IntakeWriter(self.engine)
        self.deliveries = DeliveryStore(self.engine)

    @property
    def display_url(self) -> str:
        """The database URL with its password hidden."""
        return display_url(self.url)

    @translated
    async def migrate(self) -> None:
        await upgrade(self.engine)

    @translated
    async def ping(self) -> None:
        """Raises when the database cannot be reached."""
        async with self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    @translated
    async def events(self, status: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        query = select(events).order_by(events.c.pk.desc()).limit(limit)
        if status is not None:
            query = query.where(events.c.status == status)
        async with self.engine.connect() as connection:
            return [dict(row._mapping) for row in await connection.execute(query)]

    async def close(self) -> None:
        await self.intake.stop()
        await self.engine.dispose()
