"""``offline_message_submitted``: ``offline_message`` (the form the visitor filled in)
plus ``visitor``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import Chat, Message, PayloadRejected, Person
from hookyard_comm100._visitor import compact, visitor_data

if TYPE_CHECKING:
    from hookyard import Event
    from hookyard_comm100._delivery import Delivery
    from hookyard_comm100._fields import Reader

__all__ = ["offline_event"]


def offline_event(delivery: Delivery) -> Event:
    """``offline_message.received``: the message (text = ``content``), the customer as the
    form names them (blanks filled from the visitor), subject and form fields in ``data``."""
    form = delivery.body.opt_obj("offline_message")
    if form is None:
        raise PayloadRejected("offline_message: missing from an offline_message_submitted event")
    message_id = form.opt_id("id")
    if message_id is None:
        raise PayloadRejected("offline_message.id: missing")
    visitor = delivery.body.opt_obj("visitor")
    customer = _customer(form, visitor)
    sent_at = form.opt_time("time")
    department = form.opt_id("department")
    chat_id = None
    if visitor is not None:
        department = department or visitor.opt_id("department")
        chat_id = visitor.opt_id("chat_id")
    data = compact(
        {
            "subject": form.opt_str("subject"),
            "skill": form.opt_id("skill"),
            "custom_fields": form.objects("custom_fields"),
            "custom_variables": form.custom_variables(),
            "visitor": None if visitor is None else visitor_data(visitor),
        }
    )
    return delivery.event(
        "offline_message.received",
        ("offline_message_submitted", message_id),
        occurred_at=sent_at,
        chat=Chat(id=chat_id, department=department) if chat_id or department else None,
        customer=customer,
        message=Message(
            id=message_id,
            text=form.opt_str("content"),
            author_id=customer.id,
            author_role="customer",
            created_at=sent_at,
            attachments=form.attachments("attachment"),
        ),
        data=data,
    )


def _customer(form: Reader, visitor: Reader | None) -> Person:
    """The sender as the form gives them; the visitor's id, and the visitor's details
    where the form left a field blank."""
    given = form.person()
    seen = Person() if visitor is None else visitor.person()
    return Person(
        id=seen.id,
        name=given.name or seen.name,
        email=given.email or seen.email,
        phone=given.phone or seen.phone,
        company=given.company or seen.company,
    )
