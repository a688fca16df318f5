"""The deliveries a backfill adds: the added ones of a replay, keyed as intake keys them."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from attrs import define

from hookyard.intake import idempotency_key
from hookyard.replay.compare import ADDED
from hookyard.store.backfill import Backfill
from hookyard.store.intake import PlannedRow

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hookyard.replay.compare import RouteChange
    from hookyard.store.backfill import StoredEvent

__all__ = ["BACKFILLED", "Applied", "backfill_key", "backfills"]

#: What a backfilled delivery's ``why`` adds to routing's reason (``deliveries show``).
BACKFILLED = "added later by hookyard replay --apply (a backfill)"


@define
class Applied:
    """What ``--apply`` did.

    :param enqueued: deliveries added, pending and due now.
    :param already: added ones whose idempotency key a stored delivery has already (another
        backfill, or intake, made it meanwhile): left out.
    :param failed: added ones whose templates failed now: not enqueued.
    :param gated: added ones of a route with a ``dedup``, ``throttle`` or ``group``: their
        gate decides them as it would decide the events arriving now, in order (a dedup lets
        one per key through, a group gathers the key's events), so some are kept as
        ``suppressed`` or ``grouped``.
    """

    enqueued: int = 0
    already: int = 0
    failed: int = 0
    gated: int = 0


def backfill_key(event: StoredEvent, route: str, action: str) -> str:
    """The idempotency key intake gives the delivery of ``route`` and ``action`` for
    ``event``: from the parser's id; for a repeat of a dedup group stored as ``<id>~n``,
    that key and the stored id hashed again (store/_rows.py ``_stored_as``)."""
    if event.dedup_id is not None and event.dedup_id != event.id:
        first = idempotency_key(event.source, event.dedup_id, route, action)
        text = f"{first}\x00{event.id}"
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    parsed_id = event.body.get("id")
    return idempotency_key(
        event.source, parsed_id if isinstance(parsed_id, str) else event.id, route, action
    )


def backfills(
    event: StoredEvent, changes: Sequence[RouteChange], applied: Applied
) -> list[Backfill]:
    """The added deliveries of ``event`` to enqueue, each keeping why it exists; those
    whose templates failed are counted in ``applied.failed`` instead; those of a gated
    route are counted in ``applied.gated`` too."""
    found = []
    for change in changes:
        planned = change.planned
        if change.kind != ADDED or planned is None:
            continue
        if planned.error is not None:
            applied.failed += 1
            continue
        if planned.gate is not None:
            applied.gated += 1
        key = backfill_key(event, planned.route, planned.action)
        why = "\n".join(part for part in (planned.why, BACKFILLED) if part)
        row = PlannedRow(
            planned.route,
            planned.sink,
            planned.action,
            planned.params,
            key,
            gate=planned.gate,
            why=why,
        )
        found.append(Backfill(event, row))
    return found
