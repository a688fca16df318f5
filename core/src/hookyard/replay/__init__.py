"""Internal: shadow replay — a configuration's routes over stored events, the difference
from what was stored, and the backfill of what is added (``hookyard replay``)."""

from hookyard.replay.backfill import BACKFILLED, Applied, backfill_key, backfills
from hookyard.replay.compare import (
    ADDED,
    CHANGED,
    KINDS,
    REMOVED,
    UNCHANGED,
    Difference,
    RouteChange,
    compare_event,
)
from hookyard.replay.report import EXAMPLES, Example, Report, RouteTally
from hookyard.replay.run import Replayed, shadow_replay

__all__ = [
    "ADDED",
    "BACKFILLED",
    "CHANGED",
    "EXAMPLES",
    "KINDS",
    "REMOVED",
    "UNCHANGED",
    "Applied",
    "Difference",
    "Example",
    "Replayed",
    "Report",
    "RouteChange",
    "RouteTally",
    "backfill_key",
    "backfills",
    "compare_event",
    "shadow_replay",
]
