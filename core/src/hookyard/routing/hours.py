"""Internal: a route's ``when``: business hours in a time zone, holidays left out.

An event is within business hours when its ``occurred_at``, read in the ``timezone``
(:mod:`zoneinfo`, so daylight-saving changes are the zone's own), falls on one of the
``days``, in one of the ``hours`` ranges, and not on one of the ``holidays``. ``outside:
true`` makes the route match the other events instead.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, available_timezones

from attrs import frozen

from hookyard.config.structuring import did_you_mean, unknown_key
from hookyard.routing.checks import yaml_kind
from hookyard.routing.conditions import Verdict, parse_time

if TYPE_CHECKING:
    from collections.abc import Mapping

    from hookyard.config.located import Path as KeyPath
    from hookyard.config.located import Problems

__all__ = ["DAYS", "KEYS", "BusinessHours", "compile_when"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KEYS = ("timezone", "days", "hours", "holidays", "outside")
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RANGE = re.compile(r"^\s*(\d{1,2}):(\d\d)\s*-\s*(\d{1,2}):(\d\d)\s*$")
_DAY = 24 * 60


@frozen
class BusinessHours:
    """``days`` are 0 (Monday) to 6; ``hours`` are ``[start, end)`` in minutes from midnight."""

    zone: ZoneInfo
    days: frozenset[int]
    hours: tuple[tuple[int, int], ...]
    holidays: frozenset[date]
    outside: bool
    text: str

    def open_at(self, moment: datetime) -> bool:
        """Whether ``moment`` (aware) is within business hours."""
        local = moment.astimezone(self.zone)
        if local.weekday() not in self.days or local.date() in self.holidays:
            return False
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.hours)

    def test(self, event: Mapping[str, Any]) -> bool:
        moment = parse_time(event.get("occurred_at"))
        return moment is not None and self.open_at(moment) is not self.outside

    def explain(self, event: Mapping[str, Any]) -> Verdict:
        moment = parse_time(event.get("occurred_at"))
        seen: Any = event.get("occurred_at")
        if moment is not None:
            local = moment.astimezone(self.zone)
            seen = local.strftime("%a %Y-%m-%d %H:%M ") + (local.tzname() or "")
        return Verdict(self.text, self.test(event), seen)


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def compile_when(raw: Any, place: KeyPath, problems: Problems) -> BusinessHours | None:
    """``when`` at ``place`` compiled, or None with its problems added to ``problems``."""
    if not isinstance(raw, dict):
        problems.add(place, f"expected a mapping ({', '.join(KEYS)}), got {yaml_kind(raw)}")
        return None
    before = len(problems.messages())
    for key in raw:
        if key not in KEYS:
            problems.add((*place, key), unknown_key(key, KEYS))
    zone = _zone(raw.get("timezone"), (*place, "timezone"), problems)
    days, days_text = _days(raw.get("days", "mon-fri"), (*place, "days"), problems)
    hours, hours_text = _hours(raw.get("hours", "00:00-24:00"), (*place, "hours"), problems)
    holidays = _holidays(raw.get("holidays", []), (*place, "holidays"), problems)
    outside = raw.get("outside", False)
    if not isinstance(outside, bool):
        problems.add((*place, "outside"), f"outside takes true or false, got {outside!r}")
    if zone is None or len(problems.messages()) > before:
        return None
    where = "outside" if outside else "within"
    text = f"occurred_at {where} business hours ({zone.key} {days_text} {hours_text}"
    text += f", {len(holidays)} holidays)" if holidays else ")"
    return BusinessHours(zone, days, hours, holidays, outside, text)


def _zone(name: Any, place: KeyPath, problems: Problems) -> ZoneInfo | None:
    if name is None:
        problems.add(place[:-1], "when needs a timezone, an IANA name such as Europe/Berlin")
    elif not isinstance(name, str) or name not in _zones():
        guess = did_you_mean(str(name), _zones())
        problems.add(
            place,
            f"unknown time zone {name!r}{guess} (IANA names such as Europe/Berlin, "
            "America/New_York or UTC)",
        )
    else:
        return ZoneInfo(name)
    return None


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _days(value: Any, place: KeyPath, problems: Problems) -> tuple[frozenset[int], str]:
    days: set[int] = set()
    items = _items(value)
    for index, item in enumerate(items):
        found = _day_range(item)
        if found is None:
            at = (*place, index) if isinstance(value, list) else place
            problems.add(
                at,
                f"expected a day ({', '.join(DAYS)}) or a range such as mon-fri, got {item!r}",
            )
        else:
            days |= found
    if not items:
        problems.add(place, "an empty list of days is never within business hours")
    return frozenset(days), ",".join(str(item) for item in items)


def _day_range(item: Any) -> set[int] | None:
    """The days ``mon``, ``Monday`` or ``fri-mon`` (across the week's end) name."""
    if not isinstance(item, str):
        return None
    first, _, last = item.strip().lower().partition("-")
    start, end = _day(first), _day(last or first)
    if start is None or end is None:
        return None
    return {(start + offset) % 7 for offset in range((end - start) % 7 + 1)}


def _day(name: str) -> int | None:
    name = name.strip()
    for names in (DAYS, _FULL_DAYS):
        if name in names:
            return names.index(name)
    return None


def _hours(
    value: Any, place: KeyPath, problems: Problems
) -> tuple[tuple[tuple[int, int], ...], str]:
    ranges: list[tuple[int, int]] = []
    items = _items(value)
    for index, item in enumerate(items):
        at = (*place, index) if isinstance(value, list) else place
        found = _RANGE.match(item) if isinstance(item, str) else None
        if found is None:
            problems.add(at, f'expected a range such as "09:00-17:30", got {item!r}')
            continue
        start = int(found[1]) * 60 + int(found[2])
        end = int(found[3]) * 60 + int(found[4])
        if int(found[2]) > 59 or int(found[4]) > 59 or start >= _DAY or end > _DAY:
            problems.add(at, f"{item!r} is not a time of day (00:00 to 24:00)")
        elif end <= start:
            problems.add(
                at,
                f"{item!r} ends before it starts; a range across midnight is two ranges, "
                '"22:00-24:00" and "00:00-06:00"',
            )
        else:
            ranges.append((start, end))
    if not items:
        problems.add(place, "an empty list of hours is never within business hours")
    return tuple(ranges), ",".join(str(item) for item in items)


def _holidays(value: Any, place: KeyPath, problems: Problems) -> frozenset[date]:
    if not isinstance(value, list):
        problems.add(place, f"expected a list of dates such as [2026-12-25], got {value!r}")
        return frozenset()
    found: set[date] = set()
    for index, item in enumerate(value):
        day = _date(item)
        if day is None:
            problems.add((*place, index), f"expected a date such as 2026-12-25, got {item!r}")
        else:
            found.add(day)
    return frozenset(found)


def _date(item: Any) -> date | None:
    if isinstance(item, datetime):
        return None  # a time, not a day
    if isinstance(item, date):
        return item
    if isinstance(item, str):
        try:
            return date.fromisoformat(item.strip())
        except ValueError:
            return None
    return None
