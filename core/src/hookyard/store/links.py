"""Conversation links: what a sink keeps per conversation (a Slack thread's ``ts``, a
ticket's id) so that the next delivery of the conversation lands in the same place.

A result's ``link`` is merged key by key into the row of its sink and conversation in the
transaction that records the outcome; a claim reads the row with the delivery.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from attrs import frozen
from sqlalchemy import and_, select, tuple_
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hookyard._json import dumps, loads
from hookyard.store._schema import conversation_links
from hookyard.store.errors import translated

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["ConversationLink", "LinkStore", "merge_links"]


@frozen
class ConversationLink:
    """One sink's link for one conversation, as ``hookyard links`` lists it."""

    sink: str
    conversation: str
    link: dict[str, Any]
    created_at: datetime
    updated_at: datetime


async def merge_links(
    connection: AsyncConnection,
    changes: Sequence[tuple[str, str, Mapping[str, Any]]],
    now: datetime,
) -> None:
    """Merge each ``(sink, conversation, link)`` in order into what is kept; a key whose
    value is ``None`` is removed. On SQLite the write lock serializes merges; on
    PostgreSQL the rows are locked while they are merged."""
    if not changes:
        return
    c = conversation_links.c
    pairs = sorted({(sink, conversation) for sink, conversation, _ in changes})
    insert = (postgresql_insert if connection.dialect.name == "postgresql" else sqlite_insert)(
        conversation_links
    )
    read = select(c.sink, c.conversation, c.link).where(tuple_(c.sink, c.conversation).in_(pairs))
    if connection.dialect.name == "postgresql":
        # Two processes merging into one conversation's link (ordering: none) would each
        # read the old value and the last to write would drop the other's keys: make every
        # row exist, then lock them, in one order so that two batches never deadlock.
        placeholders = [
            {"sink": s, "conversation": k, "link": "{}", "created_at": now, "updated_at": now}
            for s, k in pairs
        ]
        await connection.execute(insert.on_conflict_do_nothing(), placeholders)
        read = read.order_by(c.sink, c.conversation).with_for_update()
    rows = await connection.execute(read)
    merged: dict[tuple[str, str], dict[str, Any]] = {
        (row.sink, row.conversation): loads(row.link) for row in rows
    }
    for sink, conversation, link in changes:
        kept = merged.setdefault((sink, conversation), {})
        for key, value in link.items():
            if value is None:
                kept.pop(key, None)
            else:
                kept[key] = value
    upsert = insert.on_conflict_do_update(
        index_elements=[c.sink, c.conversation],
        set_={"link": insert.excluded.link, "updated_at": insert.excluded.updated_at},
    )
    values = [
        {"sink": s, "conversation": k, "link": dumps(link), "created_at": now, "updated_at": now}
        for (s, k), link in merged.items()
    ]
    await connection.execute(upsert, values)


class LinkStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @translated
    async def list(
        self,
        *,
        sink: str | None = None,
        conversations: Sequence[str] | None = None,
        limit: int = 100,
    ) -> list[ConversationLink]:
        """The links kept, the most recently changed first.

        :param conversations: only these conversation keys (a chat's key in each source).
        """
        c = conversation_links.c
        query = select(conversation_links).order_by(c.updated_at.desc()).limit(limit)
        if sink is not None:
            query = query.where(c.sink == sink)
        if conversations is not None:
            query = query.where(c.conversation.in_(conversations))
        async with self._engine.connect() as connection:
            rows = await connection.execute(query)
            return [
                ConversationLink(r.sink, r.conversation, loads(r.link), r.created_at, r.updated_at)
                for r in rows
            ]

    @translated
    async def of(self, sink: str, conversation: str) -> dict[str, Any]:
        """One sink's link for one conversation; empty when there is none."""
        c = conversation_links.c
        query = select(c.link).where(and_(c.sink == sink, c.conversation == conversation))
        async with self._engine.connect() as connection:
            found = await connection.scalar(query)
        return {} if found is None else dict(loads(found))
