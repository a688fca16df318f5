"""What each action of the ``hubspot`` sink takes in a route's ``with``.

No ``from __future__ import annotations`` here: hookyard reads these classes' field types
(``Literal`` values, which fields render to native values) when it checks a config.
"""

from typing import Any, Literal

from attrs import field, frozen

__all__ = ["AddNote", "CreateTicket", "UpsertContact"]


@frozen
class UpsertContact:
    """``upsert_contact``: make or update the contact with this e-mail address.

    :param email: the contact's e-mail address (required), e.g.
        ``"{{ event.customer.email }}"``.
    :param properties: more contact properties by internal name (``firstname``,
        ``phone``, …); values are text, numbers or booleans.
    """

    email: str
    properties: dict[str, Any] = field(factory=dict)


@frozen
class AddNote:
    """``add_note``: a note on the conversation's contact (and its ticket, if any).

    :param body: the note's text (HTML allowed), at most 65,536 characters.
    """

    body: str


@frozen
class CreateTicket:
    """``create_ticket``: the conversation's one ticket.

    :param subject: the ticket's name (required).
    :param content: the ticket's description.
    :param priority: ``LOW``, ``MEDIUM`` or ``HIGH``.
    :param properties: more ticket properties by internal name; ``hs_pipeline`` and
        ``hs_pipeline_stage`` here win over the sink's ``pipeline`` options.
    """

    subject: str
    content: str | None = None
    priority: Literal["LOW", "MEDIUM", "HIGH"] | None = None
    properties: dict[str, Any] = field(factory=dict)
