"""Customers, agents and bots: registrations, session fields, routing status, accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hookyard import Chat, Person
from hookyard_livechat._fields import person

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard import Event
    from hookyard_livechat._delivery import Delivery
    from hookyard_livechat._fields import Obj

__all__ = [
    "ACCOUNT_HANDLERS",
    "customer_session_fields_updated",
    "incoming_customer",
    "routing_status_set",
]


def routing_status_set(delivery: Delivery) -> Event:
    """``agent.status_changed``: ``changes.status`` is ``accepting chats``,
    ``not accepting chats`` or (bots only) ``offline``."""
    fields = delivery.fields()
    agent_id, status = fields.req_str("agent_id"), fields.req_str("status")
    return delivery.event(
        "agent.status_changed",
        delivery.stable_id(agent_id, status),
        agent=Person(id=agent_id),
        changes={"status": status},
        dedup_group=delivery.group("routing_status", agent_id),
    )


def incoming_customer(delivery: Delivery) -> Event:
    """``customer.created`` (v3.5): the new customer; ``occurred_at`` is its ``created_at``."""
    customer = delivery.fields().obj("customer")
    customer_id = customer.req_str("id")
    return delivery.event(
        "customer.created",
        delivery.stable_id(customer_id),
        occurred_at=customer.opt_time("created_at"),
        customer=person(customer),
    )


def customer_session_fields_updated(delivery: Delivery) -> Event:
    """``customer.updated`` with ``changes.session_fields``, once per active chat (and one
    group per customer and chat, so one chat's deliveries never separate another's)."""
    fields = delivery.fields()
    customer_id = fields.req_str("id")
    active = fields.opt_obj("active_chat")
    chat = (
        Chat(id=active.opt_str("chat_id"), thread_id=active.opt_str("thread_id"))
        if active is not None
        else None
    )
    session_fields = [item.value for item in fields.objs("session_fields")]
    return delivery.event(
        "customer.updated",
        delivery.stable_id(customer_id, chat, session_fields),
        chat=chat,
        customer=Person(id=customer_id),
        changes={"session_fields": session_fields},
        dedup_group=delivery.group("session_fields", customer_id, chat.id if chat else None),
    )


def _group_ids(fields: Obj) -> list[int]:
    """The ids of an agent's or bot's ``groups`` (``[{id, priority}]``)."""
    groups = fields.objs("groups")
    for group in groups:
        group.opt_str("priority")
    return [group.group_id("id") for group in groups]


def _account(
    event_type: str,
    kind: str,
    *,
    state: bool = False,
    changes: dict[str, Any] | None = None,
    once: bool = False,
) -> Callable[[Delivery], Event]:
    """The handler of one agent or bot action.

    :param state: the payload is the account's full state (``*_created``): ``data`` gets
        its groups, role and the like, and ``changes`` stays empty.
    :param changes: what the action changes; None: the payload's fields other than ``id``
        (``*_updated`` sends only the changed ones).
    :param once: the event's id is used once, so it has no ``dedup_group`` (a bot is
        created and deleted once: its id is a fresh random hex id). Otherwise the account's
        events share the group ``<kind>`` and its id (an agent's id is a reusable e-mail
        address: created, deleted and created again is three events).
    """

    def handle(delivery: Delivery) -> Event:
        fields = delivery.fields()
        account_id = fields.req_str("id")
        data: dict[str, Any] = {"agent_kind": kind}
        if state:
            data["group_ids"] = _group_ids(fields)
            for key in ("role", "default_group_priority", "owner_client_id"):
                if fields.opt_str(key) is not None:
                    data[key] = fields.value[key]
            if fields.opt_bool("awaiting_approval") is not None:
                data["awaiting_approval"] = fields.value["awaiting_approval"]
        found = {key: value for key, value in fields.value.items() if key != "id"}
        return delivery.event(
            event_type,
            delivery.stable_id(fields.value, delivery.requester),
            agent=Person(id=account_id, name=fields.opt_str("name")),
            changes={} if state else found if changes is None else changes,
            data=data,
            dedup_group=None if once else delivery.group(kind, account_id),
        )

    return handle


#: Agent and bot configuration actions -> their handlers.
ACCOUNT_HANDLERS: dict[str, Callable[[Delivery], Event]] = {
    "agent_created": _account("agent.created", "agent", state=True),
    "agent_approved": _account("agent.updated", "agent", changes={"awaiting_approval": False}),
    "agent_updated": _account("agent.updated", "agent"),
    "agent_suspended": _account("agent.updated", "agent", changes={"suspended": True}),
    "agent_unsuspended": _account("agent.updated", "agent", changes={"suspended": False}),
    "agent_deleted": _account("agent.deleted", "agent", changes={}),
    "bot_created": _account("agent.created", "bot", state=True, once=True),
    "bot_updated": _account("agent.updated", "bot"),
    "bot_deleted": _account("agent.deleted", "bot", changes={}, once=True),
}
