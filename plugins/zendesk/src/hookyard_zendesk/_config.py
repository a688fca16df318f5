"""The sink's options and each action's parameters (what a route's ``with`` takes).

No ``from __future__ import annotations`` here: hookyard reads these classes' field types
(``Literal`` values, lists, booleans) to check routes and render templates natively.
"""

from typing import Literal

from attrs import field, frozen

from hookyard import Seconds, http_url, positive_seconds

__all__ = [
    "AddComment",
    "CreateTicket",
    "Priority",
    "SetStatus",
    "Status",
    "ZendeskConfig",
]

Priority = Literal["low", "normal", "high", "urgent"]
Status = Literal["new", "open", "pending", "hold", "solved", "closed"]


def _without_slash(url: str) -> str:
    return url.rstrip("/")


def _check_email(_instance: object, _attribute: object, value: str) -> None:
    wrong = ("/", ":") + tuple(c for c in value if c.isspace() or not c.isprintable())
    if "@" not in value or any(c in value for c in wrong):
        raise ValueError(f"email must be the e-mail address of the token's agent, got {value!r}")


def _check_token(_instance: object, _attribute: object, value: str) -> None:
    if not value.strip():
        raise ValueError("token must be a Zendesk API token (Admin Center > Apps > Zendesk API)")
    if any(c.isspace() for c in value) or not (value.isascii() and value.isprintable()):
        raise ValueError("token must be printable ASCII without spaces or line breaks")


@frozen
class ZendeskConfig:
    """Options of a ``plugin: zendesk`` sink.

    :param url: the Zendesk account's address, e.g. ``https://acme.zendesk.com``
        (``http://`` only for a local test server); no path, no credentials.
    :param email: the e-mail address of the agent whose API token is used; tickets,
        comments and status changes are made as this agent.
    :param token: that agent's API token; sent as basic auth ``{email}/token:{token}``,
        never logged nor kept with a delivery.
    :param timeout: how long one attempt may take in all, every request it makes
        included: seconds or a duration such as ``5s`` (default 10 seconds). An attempt
        that runs out of time is retried.
    """

    url: str = field(
        validator=http_url(
            site_only=True,
            secure=True,
            example="https://acme.zendesk.com",
            credentials="give them as email and token",
        ),
        converter=_without_slash,
    )
    email: str = field(validator=_check_email)
    token: str = field(validator=_check_token, repr=False)
    timeout: Seconds = field(default=Seconds(10.0), validator=positive_seconds)


@frozen
class CreateTicket:
    """``create_ticket``: the conversation's ticket, made once.

    :param subject: the ticket's subject.
    :param body: its first comment (the description).
    :param priority: ``low``, ``normal``, ``high`` or ``urgent``; Zendesk's default if unset.
    :param tags: tags to set on the ticket.
    """

    subject: str
    body: str
    priority: Priority | None = None
    tags: list[str] = field(factory=list)


@frozen
class AddComment:
    """``add_comment``: a comment on the conversation's ticket.

    :param body: the comment's text.
    :param public: ``true`` makes it a public reply (Zendesk's triggers may e-mail it to the
        requester); by default it is an internal note.
    """

    body: str
    public: bool = False


@frozen
class SetStatus:
    """``set_status``: the status of the conversation's ticket.

    :param status: ``new``, ``open``, ``pending``, ``hold``, ``solved`` or ``closed``.
    """

    status: Status
