"""The ``visitor`` object every chat and offline-message event carries."""

from __future__ import annotations

from typing import Any

from hookyard_comm100._fields import Reader, iso, utc_offset

__all__ = ["STATUS_NAMES", "compact", "visitor_data"]

#: Comm100's "Visitor Status Description": ``visitor.status`` → what it means.
STATUS_NAMES: dict[int, str] = {
    0: "waiting for chat",
    1: "voice chatting",
    2: "chatting",
    3: "pre-chat",
    4: "manually invited",
    5: "auto invited",
    6: "offline message",
    7: "refused by agent",
    8: "refused by visitor",
    9: "chat ended",
    10: "in site",
    11: "out of site",
}

_TEXT = (
    "browser",
    "city",
    "state",
    "country",
    "ip",
    "language",
    "time_zone",
    "operating_system",
    "screen_resolution",
    "flash_version",
    "current_browsing",
    "landing_page",
    "referrer_url",
    "search_engine",
    "keywords",
    "product_service",
)
_COUNTS = ("chats", "visits", "page_views")


def compact(found: dict[str, Any]) -> dict[str, Any]:
    """``found`` without what is absent: ``None``, empty lists and empty objects."""
    return {key: value for key, value in found.items() if value not in (None, [], {})}


def visitor_data(visitor: Reader) -> dict[str, Any]:
    """The visitor's fields that have no common home, for ``data.visitor``.

    Times become ISO 8601 UTC, ids text; ``utc_offset`` is read from ``time_zone``
    (``"GMT -08:00"`` → ``"-08:00"``) and ``status_name`` from ``status``.
    """
    found: dict[str, Any] = {key: visitor.opt_str(key) for key in _TEXT}
    found.update((key, visitor.opt_int(key)) for key in _COUNTS)
    status = visitor.opt_int("status")
    time_zone = found["time_zone"]
    found.update(
        status=status,
        status_name=None if status is None else STATUS_NAMES.get(status),
        utc_offset=None if time_zone is None else utc_offset(time_zone),
        first_visit_time=iso(visitor.opt_time("first_visit_time")),
        visit_time=iso(visitor.opt_time("visit_time")),
        department=visitor.opt_id("department"),
        skill=visitor.opt_id("skill"),
        custom_fields=visitor.objects("custom_fields"),
        custom_variables=visitor.custom_variables(),
    )
    return compact(found)
