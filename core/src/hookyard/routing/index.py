"""Internal: routes found by their event's type, vendor and source through dicts.

A route whose ``match`` pins ``type``, ``vendor`` or ``source`` (``eq``, ``in`` or the
short form at its top level) can only match events with one of those values, so it is
filed under them; every other route is a candidate for every event. The candidates of an
event keep the routes' order, and depend only on its type, vendor and source: they are
worked out once per such triple and kept (up to :data:`CACHED` triples). Each comes with
whether the event has all the values its route pins (a route filed under its narrowest
field only may still fail the others).
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from hookyard.routing.match import PINNED

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["CACHED", "RouteIndex"]

T = TypeVar("T")
#: The (type, vendor, source) triples whose candidates are kept; past it the cache starts over.
CACHED = 16_384
#: A route pinning more value combinations than this is filed under its narrowest field only.
_MAX_KEYS = 1024


class RouteIndex(Generic[T]):
    """``items`` in order, each with the values its route pins by field (``{}``: none)."""

    def __init__(self, items: Sequence[tuple[Mapping[str, frozenset[str]], T]]) -> None:
        self._items = [item for _, item in items]
        #: whether each item is filed under every field it pins
        self._exact = [True] * len(items)
        self._unpinned: list[int] = []
        #: fields pinned -> their values, in the order of PINNED -> positions of the routes
        self._pinned: dict[tuple[int, ...], dict[tuple[str, ...], list[int]]] = {}
        for position, (pins, _) in enumerate(items):
            self._file(position, pins)
        self._cache: dict[tuple[Any, ...], tuple[tuple[T, bool], ...]] = {}

    def _file(self, position: int, pins: Mapping[str, frozenset[str]]) -> None:
        fields = tuple(i for i, name in enumerate(PINNED) if name in pins)
        if not fields:
            self._unpinned.append(position)
            return
        values = [sorted(pins[PINNED[i]]) for i in fields]
        if len(list(itertools.islice(itertools.product(*values), _MAX_KEYS + 1))) > _MAX_KEYS:
            narrowest = min(range(len(fields)), key=lambda i: len(values[i]))
            fields, values = (fields[narrowest],), [values[narrowest]]
            self._exact[position] = False
        by_values = self._pinned.setdefault(fields, {})
        for key in itertools.product(*values):
            by_values.setdefault(key, []).append(position)

    def candidates(self, event: Mapping[str, Any]) -> tuple[tuple[T, bool], ...]:
        """The routes that may match ``event``, in their order, each with whether ``event``
        has every value it pins."""
        triple = tuple(event.get(name) for name in PINNED)
        if not all(isinstance(value, str) for value in triple):
            return self._lookup(triple)  # not an event of the model: nothing worth keeping
        found = self._cache.get(triple)
        if found is None:
            if len(self._cache) >= CACHED:
                self._cache.clear()
            found = self._cache[triple] = self._lookup(triple)
        return found

    def _lookup(self, triple: tuple[Any, ...]) -> tuple[tuple[T, bool], ...]:
        lists = [self._unpinned]
        for fields, by_values in self._pinned.items():
            key = tuple(triple[i] for i in fields)
            if all(isinstance(value, str) for value in key) and key in by_values:
                lists.append(by_values[key])
        positions = lists[0] if len(lists) == 1 else sorted(itertools.chain(*lists))
        return tuple((self._items[p], self._exact[p]) for p in positions)
