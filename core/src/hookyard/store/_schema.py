"""Tables. Changing them means a new Alembic revision in hookyard/migrations/versions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

from hookyard.store._rows import EVENT_ID_LENGTH

__all__ = [
    "attempts",
    "conversation_links",
    "deliveries",
    "events",
    "metadata",
    "sink_starts",
    "sink_state",
]


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        found: datetime = value
        return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


metadata = MetaData()

events = Table(
    "events",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False),
    Column("event_id", String(EVENT_ID_LENGTH), nullable=False),
    Column("vendor", String(100), nullable=False),
    Column("type", String(64), nullable=False),
    Column("status", String(16), nullable=False),  # stored | unparsed
    Column("received_at", UTCDateTime, nullable=False),
    Column("occurred_at", UTCDateTime, nullable=True),
    Column("body", Text, nullable=True),  # the event's JSON form
    Column("payload", LargeBinary, nullable=True),  # raw bytes of an unparsed delivery
    Column("headers", Text, nullable=True),  # JSON headers of an unparsed delivery
    Column("error", Text, nullable=True),
    # Event.dedup_group, and the event's id before a repeat was told apart (see _rows.py).
    Column("dedup_group", String(EVENT_ID_LENGTH), nullable=True),
    Column("dedup_id", String(EVENT_ID_LENGTH), nullable=True),
    UniqueConstraint("source", "event_id", name="uq_events_source_event_id"),
)
Index("ix_events_status", events.c.status)
Index("ix_events_dedup_group", events.c.source, events.c.dedup_group, events.c.pk)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_pk", Integer, ForeignKey("events.pk"), nullable=False),
    Column("route", String(200), nullable=False),
    Column("sink", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("params", Text, nullable=False),
    Column("idempotency_key", String(64), nullable=False, unique=True),
    Column("status", String(16), nullable=False),  # pending | delivering | delivered | dead
    Column("attempts", Integer, nullable=False, default=0),  # the last attempt's number
    # Attempts not counted against the current budget: those before the last retry of a
    # dead delivery, and those released at shutdown. attempts - attempts_base is counted.
    Column("attempts_base", Integer, nullable=False, default=0, server_default="0"),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("lease_owner", String(100), nullable=True),
    Column("lease_expires_at", UTCDateTime, nullable=True),
    Column("last_error", Text, nullable=True),
    Column("last_status_code", Integer, nullable=True),
    Column("last_response", Text, nullable=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("delivered_at", UTCDateTime, nullable=True),
    # The event's conversation (store/_rows.py conversation_key) and when it occurred: a
    # sink with ``ordering: conversation`` attempts one conversation's in that order.
    Column("conversation", String(EVENT_ID_LENGTH), nullable=True),
    Column("occurred_at", UTCDateTime, nullable=True),
    #: Why the delivery exists: the route and the conditions that matched (``deliveries
    #: show``), and what its gate did.
    Column("why", Text, nullable=True),
    #: The route's gate (dedup | throttle | group) and the key it rendered. A suppressed
    #: delivery (status ``suppressed``) was held back by a dedup or a throttle; a group's
    #: first delivery is its head, the others (status ``grouped``) name it in ``group_id``.
    Column("gate", String(16), nullable=True),
    Column("gate_key", String(EVENT_ID_LENGTH), nullable=True),
    Column("group_id", Integer, nullable=True),
)
Index("ix_deliveries_due", deliveries.c.status, deliveries.c.next_attempt_at)
Index(
    "ix_deliveries_sink_due", deliveries.c.sink, deliveries.c.status, deliveries.c.next_attempt_at
)
Index(
    "ix_deliveries_conversation",
    deliveries.c.sink,
    deliveries.c.conversation,
    deliveries.c.status,
    deliveries.c.occurred_at,
)
Index("ix_deliveries_event", deliveries.c.event_pk)
Index("ix_deliveries_gate", deliveries.c.route, deliveries.c.gate_key, deliveries.c.created_at)
Index("ix_deliveries_group", deliveries.c.group_id)

attempts = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("delivery_id", Integer, ForeignKey("deliveries.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("worker", String(100), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime, nullable=False),
    Column("outcome", String(16), nullable=False),  # delivered | retry | dead | released
    Column("status_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("retry_after", Float, nullable=True),
    Column("next_attempt_at", UTCDateTime, nullable=True),
    #: What the target answered (an excerpt), as ``DeliveryResult.response`` or
    #: ``DeliveryFailed.response`` gave it.
    Column("response", Text, nullable=True),
)
Index("ix_attempts_delivery", attempts.c.delivery_id)

#: What a sink's targets said about it, shared by every process: a pause (``Retry-After``)
#: and its circuit breaker. A sink without a row is active (store/sinks.py).
sink_state = Table(
    "sink_state",
    metadata,
    Column("sink", String(200), primary_key=True),
    Column("paused_until", UTCDateTime, nullable=True),
    Column("pause_reason", Text, nullable=True),
    Column("failures", Integer, nullable=False, default=0, server_default="0"),
    Column("breaker", String(16), nullable=False, default="closed", server_default="closed"),
    # open: until the cooldown ends; half_open: until the probe's lease runs out.
    Column("breaker_until", UTCDateTime, nullable=True),
    Column("updated_at", UTCDateTime, nullable=False),
)

#: When each attempt of a sink with a ``rate_limit`` started, by the database's clock, for
#: as long as its window lasts: claims of every process count them (store/sinks.py).
sink_starts = Table(
    "sink_starts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sink", String(200), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
)
Index("ix_sink_starts_sink", sink_starts.c.sink, sink_starts.c.started_at)

#: What a sink keeps per conversation (a Slack thread's ``ts``, a ticket's id), as JSON:
#: the merged ``link`` of its results, handed to its next delivery of the conversation.
conversation_links = Table(
    "conversation_links",
    metadata,
    Column("sink", String(200), primary_key=True),
    Column("conversation", String(EVENT_ID_LENGTH), primary_key=True),
    Column("link", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)
