"""The delivery queue's records, and how they are read from and written to rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from attrs import field, frozen
from sqlalchemy import bindparam, func, update

from hookyard._json import dumps, loads
from hookyard.store._schema import UTCDateTime, deliveries

__all__ = [
    "RECORD",
    "RESPONSE_CHARS",
    "ClaimedDelivery",
    "DeliveryRecord",
    "Outcome",
    "SinkFeedback",
    "SinkOverview",
    "SinkRoom",
    "attempt_row",
    "outcome_row",
    "owned_update",
    "to_claimed",
    "to_record",
]

#: Characters of a target's answer each attempt keeps (``deliveries show``).
RESPONSE_CHARS = 2000


#: One attempt's outcome, for many at once (bound values: :func:`outcome_row`).
RECORD = (
    update(deliveries)
    .where(deliveries.c.id == bindparam("_id"))
    .values(
        status=bindparam("_status"),
        lease_owner=None,
        lease_expires_at=None,
        updated_at=bindparam("_now", type_=UTCDateTime()),
        last_error=bindparam("_error"),
        last_status_code=bindparam("_code"),
        last_response=bindparam("_response"),
        next_attempt_at=func.coalesce(
            bindparam("_next", type_=UTCDateTime()), deliveries.c.next_attempt_at
        ),
        delivered_at=func.coalesce(
            bindparam("_delivered", type_=UTCDateTime()), deliveries.c.delivered_at
        ),
        params=func.coalesce(bindparam("_params"), deliveries.c.params),
    )
)


def owned_update(ids: Any, worker: Any, now: Any) -> Any:
    """Of the deliveries ``ids`` (a list, or a query of ids), those ``worker`` still holds
    the lease of, stamped ``now``; their ids. Taking the rows first locks them (PostgreSQL)
    or the file (SQLite), so no claim takes one before their outcomes are written."""
    return (
        update(deliveries)
        .where(deliveries.c.id.in_(ids), deliveries.c.lease_owner == worker)
        .values(updated_at=now)
        .returning(deliveries.c.id)
    )


@frozen
class ClaimedDelivery:
    """A delivery claimed for one attempt.

    :param attempt: the attempt's number; numbers run on across retries of a dead delivery
        and past attempts released at shutdown, so every attempt keeps its own.
    :param budget_attempt: its place in the current attempt budget (1 = the first), which
        ``max_attempts`` limits; a retry starts a fresh budget, a released attempt is not
        counted.
    """

    id: int
    route: str
    sink: str
    action: str
    params: dict[str, Any]
    idempotency_key: str
    attempt: int
    budget_attempt: int
    event: dict[str, Any]
    #: The conversation's key, and what its sink keeps for it (store/links.py).
    conversation: str | None = None
    link: dict[str, Any] = field(factory=dict)
    #: A group's head (route ``group``): every event of the group, in the order they
    #: occurred, ``event`` first; empty for any other delivery.
    group: tuple[dict[str, Any], ...] = ()


@frozen
class Outcome:
    """What one attempt came to: ``delivered``, ``retry`` (in ``retry_in`` seconds, by the
    database's clock) or ``dead``."""

    result: str
    started_at: datetime
    error: str | None = None
    status_code: int | None = None
    response: str | None = None
    retry_after: float | None = None
    retry_in: float | None = None
    #: Merged into what the sink keeps for the delivery's conversation.
    link: Mapping[str, Any] | None = None
    #: A group's params as this attempt rendered them (kept in place of the empty ones).
    params: Mapping[str, Any] | None = None


@frozen
class SinkFeedback:
    """What an attempt's outcome says about its sink, recorded with the outcome.

    :param failed: a retryable failure, counted towards the breaker; anything else (the
        target answered, even with a permanent failure) ends the run of failures and
        closes the breaker.
    :param pause_for: the sink's deliveries wait this many seconds (``Retry-After``).
    :param breaker_failures: the sink's ``breaker.failures``; None without a breaker.
    """

    failed: bool
    pause_for: float | None = None
    reason: str | None = None
    breaker_failures: int | None = None
    breaker_cooldown: float = 30.0


@frozen
class SinkRoom:
    """What one sink may take at a claim, and how.

    :param room: how many more deliveries this worker may start for it now.
    :param ordered: one delivery of a conversation at a time, in the order the events
        occurred (``ordering: conversation``): a delivery waits while another of its
        conversation is being delivered, or is earlier and not yet delivered.
    :param dead_holds: with ``ordered``, a dead delivery holds the later ones too
        (``when_dead: hold``).
    :param rate: ``(attempts, per seconds)``: at most that many attempts started by all
        processes together in any window of ``per`` seconds.
    """

    sink: str
    room: int
    ordered: bool = False
    dead_holds: bool = False
    rate: tuple[int, float] | None = None


@frozen
class SinkOverview:
    """One sink as ``hookyard sinks`` shows it.

    :param state: ``active``, ``paused``, ``breaker open`` or ``half-open``.
    :param until: when a pause or an open breaker ends.
    :param queued: its deliveries pending or delivering.
    :param oldest_due: when the longest-waiting of its due deliveries became due.
    """

    sink: str
    state: str
    until: datetime | None
    reason: str | None
    failures: int
    queued: int
    oldest_due: datetime | None


@frozen
class DeliveryRecord:
    id: int
    status: str
    route: str
    sink: str
    action: str
    attempts: int
    event_id: str
    event_type: str
    source: str
    idempotency_key: str
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None
    last_error: str | None
    last_status_code: int | None
    last_response: str | None


def to_claimed(row: Sequence[Any], group: tuple[dict[str, Any], ...] = ()) -> ClaimedDelivery:
    """A claim's row (the columns of ``_claims.claimed_query``, in order) as handed on."""
    id_, route, sink, action, params, key, attempts, base, conversation, _, _, body, link = row
    return ClaimedDelivery(
        id=id_,
        route=route,
        sink=sink,
        action=action,
        params=loads(params),
        idempotency_key=key,
        attempt=attempts,
        budget_attempt=attempts - base,
        event=loads(body),
        conversation=conversation,
        link={} if link is None else loads(link),
        group=group,
    )


def to_record(row: Any) -> DeliveryRecord:
    return DeliveryRecord(
        id=row.id,
        status=row.status,
        route=row.route,
        sink=row.sink,
        action=row.action,
        attempts=row.attempts,
        event_id=row.event_id,
        event_type=row.type,
        source=row.source,
        idempotency_key=row.idempotency_key,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        last_error=row.last_error,
        last_status_code=row.last_status_code,
        last_response=row.last_response,
    )


def attempt_row(
    worker: str, delivery: ClaimedDelivery, outcome: Outcome, next_attempt_at: datetime | None
) -> dict[str, Any]:
    return {
        "delivery_id": delivery.id,
        "number": delivery.attempt,
        "worker": worker,
        "started_at": outcome.started_at,
        "finished_at": datetime.now(UTC),
        "outcome": outcome.result,
        "status_code": outcome.status_code,
        "error": outcome.error,
        "retry_after": outcome.retry_after,
        "next_attempt_at": next_attempt_at,
        "response": _excerpt(outcome.response),
    }


def _excerpt(response: str | None) -> str | None:
    """What the target answered, as an attempt keeps it: at most :data:`RESPONSE_CHARS`
    characters, the end cut off with ``…``. Sinks redact secrets before they answer."""
    if response is None or len(response) <= RESPONSE_CHARS:
        return response
    return response[: RESPONSE_CHARS - 1] + "…"


def outcome_row(
    delivery: ClaimedDelivery, outcome: Outcome, next_attempt_at: datetime | None, now: datetime
) -> dict[str, Any]:
    """The bound values of :data:`RECORD` for one attempt's outcome."""
    return {
        "_id": delivery.id,
        "_status": {"retry": "pending"}.get(outcome.result, outcome.result),
        "_now": now,
        "_error": outcome.error,
        "_code": outcome.status_code,
        "_response": outcome.response,
        "_next": next_attempt_at,
        "_delivered": now if outcome.result == "delivered" else None,
        "_params": None if outcome.params is None else dumps(outcome.params),
    }
