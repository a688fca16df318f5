"""Customer events: ``eventData`` is the customer (or wraps it as ``{"customer": {...}}``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hookyard import PayloadRejected
from hookyard_helpcrunch._fields import (
    iso,
    opt_bool,
    opt_obj,
    opt_str,
    opt_time,
    person,
    tag_names,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from hookyard import Event, Person
    from hookyard_helpcrunch._envelope import Envelope

__all__ = ["CUSTOMER_TYPES", "customer_event"]

#: HelpCrunch customer event -> normalized type.
CUSTOMER_TYPES: dict[str, str] = {
    "customer.new": "customer.created",
    "customer.email_updated": "customer.updated",
    "customer.tags_changed": "customer.updated",
    "customer.unsubscribed": "customer.updated",
    "customer.subscribed": "customer.updated",
    "customer.blocked": "customer.updated",
    "customer.unblocked": "customer.updated",
    "customer.deleted": "customer.deleted",
}

#: customer.* update event -> what changed, read from the customer.
_CHANGES: dict[str, Callable[[Person, Mapping[str, Any]], dict[str, Any]]] = {
    "customer.email_updated": lambda who, _c: {"email": who.email},
    "customer.tags_changed": lambda _w, customer: {"tags": list(tag_names(customer))},
    "customer.unsubscribed": lambda _w, _c: {"unsubscribed": True},
    "customer.subscribed": lambda _w, _c: {"unsubscribed": False},
    "customer.blocked": lambda _w, _c: {"blocked": True},
    "customer.unblocked": lambda _w, _c: {"blocked": False},
}


def customer_event(envelope: Envelope) -> Event:
    """The customer as ``customer``; for updates, ``changes`` says what changed."""
    raw_customer = opt_obj(envelope.data, "customer") or envelope.data
    customer = person(raw_customer)
    if customer.id is None:
        raise PayloadRejected("HelpCrunch customer event has no customer id")
    changes = _CHANGES.get(envelope.name)
    return envelope.event(
        CUSTOMER_TYPES[envelope.name],
        (customer.id,),
        customer=customer,
        changes={} if changes is None else changes(customer, raw_customer),
        data=_extras(raw_customer),
    )


def _extras(customer: Mapping[str, Any]) -> dict[str, Any]:
    custom = customer.get("customData")
    if custom is not None and not isinstance(custom, dict | list):
        raise PayloadRejected("HelpCrunch customData is neither an object nor a list")
    found: dict[str, Any] = {
        "user_id": opt_str(customer, "userId"),
        "tags": list(tag_names(customer)) or None,
        "unsubscribed": opt_bool(customer, "unsubscribed"),
        "blocked": opt_bool(customer, "blocked"),
        "customer_created_at": iso(opt_time(customer, "createdAt")),
        "last_seen": iso(opt_time(customer, "lastSeen")),
        "custom_data": custom,
    }
    return {key: value for key, value in found.items() if value is not None}
