"""The open ``zendesk`` sink: one ticket per conversation, its comments and its status.

The ticket's id is kept in the conversation's link (``{"ticket_id": 123}``). Where the
link has none yet (its create delivery died after Zendesk made the ticket, hookyard's
store was reset), the ticket is found by its ``external_id``, the conversation's key,
with the exact ``GET /api/v2/tickets.json?external_id=`` lookup (search lags minutes).

Exactly once:

- ``create_ticket`` looks the conversation's ticket up first and makes none when one
  exists; it sends the delivery's idempotency key as ``Idempotency-Key``, so that a retry
  while Zendesk still holds the key (about two hours) is answered with the first ticket.
- ``add_comment`` writes the delivery's idempotency key into the update's audit metadata;
  a retry reads the ticket's audits first and adds nothing when one carries it.
- ``set_status`` is the same change however often it is made; a retry reads the status
  first and changes nothing when the ticket already has it.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from hookyard import DeliveryFailed, DeliveryResult
from hookyard_zendesk._api import MARKER, ZendeskApi

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from hookyard import DeliveryRequest
    from hookyard_zendesk._config import AddComment, CreateTicket, SetStatus, ZendeskConfig

    Action = Callable[["ZendeskSink", DeliveryRequest, dict[str, Any]], Awaitable[DeliveryResult]]

__all__ = ["ZendeskSink"]


class ZendeskSink:
    """An open ``zendesk`` sink: one connection pool for all its deliveries."""

    def __init__(self, config: ZendeskConfig) -> None:
        self.config = config
        self.api = ZendeskApi(config)

    async def deliver(self, request: DeliveryRequest) -> DeliveryResult:
        """Run the delivery's action within the ``timeout`` of one attempt.

        A failure keeps the ticket id the attempt learned in the conversation's link.
        """
        action = _ACTIONS[request.action]
        learned: dict[str, Any] = {}
        try:
            async with asyncio.timeout(self.config.timeout):
                return await action(self, request, learned)
        except TimeoutError:
            reason = f"timed out after {self.config.timeout:g}s"
            raise DeliveryFailed(reason, link=learned or None) from None
        except DeliveryFailed as failure:
            if failure.link is None and learned:
                failure.link = learned
            raise

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self.api.aclose()

    async def create_ticket(
        self, request: DeliveryRequest, learned: dict[str, Any]
    ) -> DeliveryResult:
        """Make the conversation's ticket unless it has one that is not closed (a closed
        ticket takes no update: a customer who comes back gets a new one)."""
        known = request.link.get("ticket_id")
        if isinstance(known, int) and await self.api.status_of(known) != "closed":
            return DeliveryResult(response=f"ticket {known} exists for this conversation")
        if request.conversation is not None and not isinstance(known, int):
            found = await self.api.find_ticket(request.conversation)
            if found is not None and await self.api.status_of(found) != "closed":
                response = f"ticket {found} exists with this conversation's external_id"
                return DeliveryResult(response=response, link={"ticket_id": found})
        what = "creating the ticket"
        answer = await self.api.call(
            "POST",
            "/api/v2/tickets.json",
            what,
            body={"ticket": _new_ticket(request)},
            headers={"Idempotency-Key": request.idempotency_key},
        )
        ticket_id = (self.api.parsed(answer, what).get("ticket") or {}).get("id")
        if not isinstance(ticket_id, int):
            raise DeliveryFailed(f"{what}: Zendesk's answer has no ticket id")
        response = f"ticket {ticket_id} created"
        if answer.headers.get("x-idempotency-lookup") == "hit":
            response += " (by an earlier attempt: Zendesk replayed it for the Idempotency-Key)"
        link = None if request.conversation is None else {"ticket_id": ticket_id}
        return DeliveryResult(response=response, link=link)

    async def add_comment(
        self, request: DeliveryRequest, learned: dict[str, Any]
    ) -> DeliveryResult:
        """Comment on the conversation's ticket, once."""
        params: AddComment = request.params
        ticket_id = await self._ticket(request, learned)
        key = request.idempotency_key
        if request.attempt > 1 and await self.api.was_updated_by(ticket_id, key):
            response = f"comment on ticket {ticket_id} was added by an earlier attempt"
            return DeliveryResult(response=response, link=learned or None)
        comment = {"body": params.body, "public": params.public}
        await self._update(ticket_id, {"comment": comment, "metadata": {MARKER: key}}, "comment")
        kind = "public reply" if params.public else "internal note"
        return DeliveryResult(response=f"{kind} added to ticket {ticket_id}", link=learned or None)

    async def set_status(self, request: DeliveryRequest, learned: dict[str, Any]) -> DeliveryResult:
        """Set the status of the conversation's ticket."""
        params: SetStatus = request.params
        ticket_id = await self._ticket(request, learned)
        if request.attempt > 1 and await self.api.status_of(ticket_id) == params.status:
            response = f"ticket {ticket_id} is {params.status} already"
            return DeliveryResult(response=response, link=learned or None)
        marker = {MARKER: request.idempotency_key}
        await self._update(ticket_id, {"status": params.status, "metadata": marker}, "status")
        response = f"ticket {ticket_id} set to {params.status}"
        return DeliveryResult(response=response, link=learned or None)

    async def _ticket(self, request: DeliveryRequest, learned: dict[str, Any]) -> int:
        """The conversation's ticket id: from the link, else by external_id."""
        known = request.link.get("ticket_id")
        if isinstance(known, int):
            return known
        if request.conversation is None:
            raise DeliveryFailed(
                f"{request.action}: the event has no chat and no customer, so no ticket",
                permanent=True,
            )
        found = await self.api.find_ticket(request.conversation)
        if found is None:
            raise DeliveryFailed(
                f"{request.action}: no Zendesk ticket for conversation {request.conversation!r}"
                " yet: route create_ticket for an earlier event of the conversation",
                permanent=True,
            )
        learned["ticket_id"] = found
        return found

    async def _update(self, ticket_id: int, ticket: dict[str, Any], what: str) -> None:
        """``PUT`` the ticket; a ticket gone (404) is forgotten by the link."""
        try:
            await self.api.call(
                "PUT",
                f"/api/v2/tickets/{ticket_id}.json",
                f"updating the {what} of ticket {ticket_id}",
                body={"ticket": ticket},
            )
        except DeliveryFailed as failure:
            if failure.status_code == 404:
                failure.link = {"ticket_id": None}
            raise


def _new_ticket(request: DeliveryRequest) -> dict[str, Any]:
    """The ``ticket`` of the create request: the same for every attempt of a delivery, as
    Zendesk's ``Idempotency-Key`` wants."""
    params: CreateTicket = request.params
    ticket: dict[str, Any] = {"subject": params.subject, "comment": {"body": params.body}}
    if params.priority is not None:
        ticket["priority"] = params.priority
    if params.tags:
        ticket["tags"] = list(params.tags)
    if request.conversation is not None:
        ticket["external_id"] = request.conversation
    requester = _requester(request.event.get("customer"))
    if requester is not None:
        ticket["requester"] = requester
    ticket["metadata"] = {MARKER: request.idempotency_key}
    return ticket


def _requester(customer: Any) -> dict[str, str] | None:
    """The event's customer as a requester: Zendesk finds (or makes) the user by e-mail.

    ``None`` without an e-mail address: the ticket's requester is then the API's agent.
    """
    if not isinstance(customer, dict) or not customer.get("email"):
        return None
    requester = {"email": str(customer["email"])}
    if customer.get("name"):
        requester["name"] = str(customer["name"])
    return requester


_ACTIONS: dict[str, Action] = {
    "create_ticket": ZendeskSink.create_ticket,
    "add_comment": ZendeskSink.add_comment,
    "set_status": ZendeskSink.set_status,
}
