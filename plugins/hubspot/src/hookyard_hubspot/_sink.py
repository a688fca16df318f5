"""The open ``hubspot`` sink: its three actions, each safe to try again.

- ``upsert_contact`` upserts by e-mail: trying again updates the same contact.
- ``create_ticket`` upserts on ``ticket_key_property`` holding the conversation's key:
  trying again finds the ticket the first try made.
- ``add_note`` cannot be keyed; a retry first looks for the note among the contact's
  notes (read from the record, not from the lagging search index, :mod:`._notes`).

What an attempt makes (the contact's id, the ticket's id) is kept in the conversation's
link, even when a later step of the attempt fails, and read from there by later
deliveries of the conversation.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hookyard import DeliveryFailed, DeliveryResult
from hookyard_hubspot._api import HubSpotClient, association_type
from hookyard_hubspot._notes import NOTE_TO_CONTACT, NOTE_TO_TICKET, find_note

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from hookyard import DeliveryRequest
    from hookyard_hubspot._config import HubSpotConfig

__all__ = ["HubSpotSink", "property_values"]

NOTE_BODY_LIMIT = 65_536
TICKET_TO_CONTACT = 16


class Progress:
    """The conversation's link as this attempt goes, and what the attempt added to it."""

    def __init__(self, link: Mapping[str, Any]) -> None:
        self.link = dict(link)
        self.made: dict[str, Any] = {}

    def keep(self, **values: str) -> None:
        self.link.update(values)
        self.made.update(values)

    def result(self, response: str) -> DeliveryResult:
        return DeliveryResult(response=response, link=self.made or None)


class HubSpotSink:
    """An open ``hubspot`` sink: one connection pool for all its deliveries."""

    def __init__(self, config: HubSpotConfig) -> None:
        self.config = config
        self.api = HubSpotClient(config)
        self._actions: dict[str, Callable[[DeliveryRequest, Progress], Awaitable[DeliveryResult]]]
        self._actions = {
            "upsert_contact": self._upsert_contact,
            "add_note": self._add_note,
            "create_ticket": self._create_ticket,
        }

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        """Do the route's action; raise DeliveryFailed, keeping what was made, if it fails."""
        action = self._actions.get(request.action)
        if action is None:
            unknown = f"the hubspot sink has no action {request.action!r}"
            raise DeliveryFailed(unknown, permanent=True)
        progress = Progress(request.link)
        try:
            async with asyncio.timeout(self.config.timeout):
                return await action(request, progress)
        except TimeoutError:
            failed = DeliveryFailed(f"timed out after {self.config.timeout:g}s")
        except DeliveryFailed as exc:
            failed = exc
        if progress.made and failed.link is None:
            failed.link = progress.made
        raise failed

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.api.aclose()

    async def _upsert_contact(self, request: DeliveryRequest, progress: Progress) -> DeliveryResult:
        email = _given(request.params.email, "email")
        properties = property_values(request.params.properties)
        contact_id, new = await self.api.upsert("contacts", "email", email, properties)
        progress.keep(contact_id=contact_id)
        return progress.result(f"contact {contact_id} {'created' if new else 'updated'}")

    async def _create_ticket(self, request: DeliveryRequest, progress: Progress) -> DeliveryResult:
        known = progress.link.get("ticket_id")
        if known:
            return progress.result(f"ticket {known} was made for this conversation already")
        params = request.params
        properties = {
            "hs_pipeline": self.config.pipeline,
            "hs_pipeline_stage": self.config.pipeline_stage,
            **property_values(params.properties),
            "subject": _given(params.subject, "subject"),
        }
        if params.content is not None:
            properties["content"] = params.content
        if params.priority is not None:
            properties["hs_ticket_priority"] = params.priority
        key = request.conversation or request.idempotency_key
        properties[self.config.ticket_key_property] = key
        contact_id = await self._contact(request, progress)
        ticket_id, new = await self.api.upsert(
            "tickets", self.config.ticket_key_property, key, properties
        )
        progress.keep(ticket_id=ticket_id)
        if contact_id is not None:
            path = f"/crm/v4/objects/tickets/{ticket_id}/associations/contacts/{contact_id}"
            await self.api.call("PUT", path, [association_type(TICKET_TO_CONTACT)])
        made = "created" if new else "found again (an earlier attempt or route made it)"
        return progress.result(f"ticket {ticket_id} {made}")

    async def _add_note(self, request: DeliveryRequest, progress: Progress) -> DeliveryResult:
        body = _given(request.params.body, "body")
        if len(body) > NOTE_BODY_LIMIT:
            raise DeliveryFailed(
                f"with.body has {len(body):,} characters; HubSpot takes at most "
                f"{NOTE_BODY_LIMIT:,} in a note",
                permanent=True,
            )
        contact_id = await self._contact(request, progress)
        ticket_id = str(progress.link.get("ticket_id") or "") or None
        if contact_id is None and ticket_id is None:
            raise DeliveryFailed(
                "no contact to put the note on: the event has no customer e-mail and no "
                "upsert_contact or create_ticket ran for this conversation",
                permanent=True,
            )
        timestamp = _timestamp(request.event)
        anchor = ("contacts", contact_id) if contact_id else ("tickets", str(ticket_id))
        if request.attempt > 1:  # an earlier attempt may have made it before failing
            found = await find_note(self.api, anchor, timestamp, body)
            if found is not None:
                return progress.result(f"note {found} was made by an earlier attempt")
        note = {
            "properties": {"hs_timestamp": timestamp, "hs_note_body": body},
            "associations": _note_associations(contact_id, ticket_id),
        }
        answer = await self.api.call("POST", "/crm/v3/objects/notes", note)
        return progress.result(f"note {answer['id']} on {anchor[0][:-1]} {anchor[1]}")

    async def _contact(self, request: DeliveryRequest, progress: Progress) -> str | None:
        """The conversation's contact: the one linked, else upserted from the event's
        customer e-mail; ``None`` when the event has none."""
        known = progress.link.get("contact_id")
        if known:
            return str(known)
        email = str((request.event.get("customer") or {}).get("email") or "").strip()
        if not email:
            return None
        contact_id, _new = await self.api.upsert("contacts", "email", email, {})
        progress.keep(contact_id=contact_id)
        return contact_id


def property_values(given: Mapping[str, Any]) -> dict[str, str]:
    """``with.properties`` as HubSpot takes them: every value as text (``None`` clears)."""
    values: dict[str, str] = {}
    for name, value in given.items():
        if isinstance(value, bool):
            values[name] = "true" if value else "false"
        elif value is None:
            values[name] = ""
        elif isinstance(value, str | int | float):
            values[name] = str(value)
        else:
            kind = type(value).__name__
            raise DeliveryFailed(
                f"with.properties.{name} is a {kind}; HubSpot takes text, numbers and booleans",
                permanent=True,
            )
    return values


def _note_associations(contact_id: str | None, ticket_id: str | None) -> list[dict[str, Any]]:
    """A new note's associations: to the contact (type 202) and the ticket (228)."""
    return [
        {"to": {"id": to_id}, "types": [association_type(type_id)]}
        for to_id, type_id in ((contact_id, NOTE_TO_CONTACT), (ticket_id, NOTE_TO_TICKET))
        if to_id
    ]


def _given(value: str, name: str) -> str:
    text = value.strip()
    if not text:
        raise DeliveryFailed(f"with.{name} rendered empty for this event", permanent=True)
    return text


def _timestamp(event: Mapping[str, Any]) -> str:
    """The note's ``hs_timestamp``: when the event occurred, the same on every attempt."""
    for key in ("occurred_at", "received_at"):
        try:
            when = datetime.fromisoformat(str(event.get(key)))
        except ValueError:
            continue
        when = when if when.tzinfo else when.replace(tzinfo=UTC)
        return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    raise DeliveryFailed("the event has no occurred_at for the note's time", permanent=True)
