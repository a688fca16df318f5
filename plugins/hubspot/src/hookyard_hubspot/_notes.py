"""Finding a note again after an attempt whose outcome is unknown (a timeout, a 5xx).

Notes have no idempotency key and no unique property. HubSpot's CRM search would find a
note by its properties but lags behind writes (seconds to minutes), so a retry would miss
the note its first try just made. The associations of the contact (or ticket) and a
batch read of their notes come from the records themselves, without that lag: a note
with the same ``hs_timestamp`` (the event's time) and the same body is the one an earlier
attempt made.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hookyard_hubspot._api import HubSpotClient

__all__ = ["NOTE_TO_CONTACT", "NOTE_TO_TICKET", "find_note"]

NOTE_TO_CONTACT = 202
NOTE_TO_TICKET = 228
#: HubSpot's largest page of associations, and of a batch read.
ASSOCIATIONS_PAGE = 500
READ_BATCH = 100


async def find_note(
    api: HubSpotClient, anchor: tuple[str, str], timestamp: str, body: str
) -> str | None:
    """The id of the note on ``anchor`` (``("contacts", id)``) made at ``timestamp``
    with ``body``, or ``None``."""
    note_ids = await _associated_notes(api, anchor)
    wanted = datetime.fromisoformat(timestamp)
    for start in range(0, len(note_ids), READ_BATCH):
        inputs = [{"id": note_id} for note_id in note_ids[start : start + READ_BATCH]]
        query = {"properties": ["hs_timestamp", "hs_note_body"], "inputs": inputs}
        answer = await api.call("POST", "/crm/v3/objects/notes/batch/read", query)
        for note in answer.get("results") or []:
            properties = note.get("properties") or {}
            if properties.get("hs_note_body") == body and _same_time(
                properties.get("hs_timestamp"), wanted
            ):
                return str(note["id"])
    return None


async def _associated_notes(api: HubSpotClient, anchor: tuple[str, str]) -> list[str]:
    kind, object_id = anchor
    path = f"/crm/v4/objects/{kind}/{object_id}/associations/notes"
    found: list[str] = []
    query = {"limit": str(ASSOCIATIONS_PAGE)}
    while True:
        answer = await api.call("GET", path, query=query)
        found += [str(item["toObjectId"]) for item in answer.get("results") or []]
        after = ((answer.get("paging") or {}).get("next") or {}).get("after")
        if not after:
            return found
        query = {**query, "after": str(after)}


def _same_time(given: object, wanted: datetime) -> bool:
    """HubSpot gives ``hs_timestamp`` as ISO 8601 (``…Z``) or as epoch milliseconds."""
    if not isinstance(given, str) or not given:
        return False
    if given.isdigit():
        return int(given) == round(wanted.timestamp() * 1000)
    try:
        return datetime.fromisoformat(given) == wanted
    except ValueError:
        return False
