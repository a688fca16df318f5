"""DeskDirector users: contacts (customers) and members (agents), keyed by ``userId``.

``userId`` is ``<instance>~<c|m>~<integer id>`` (``nzlancomdev~c~11220``): ``c`` marks a
contact, ``m`` a member. ``Person.id`` keeps the whole ``userId``; ``data`` spells it out.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from attrs import frozen

from hookyard import Person

if TYPE_CHECKING:
    from hookyard_deskdirector._read import Reader

__all__ = ["KINDS", "User", "first", "read_user"]

#: The ``userId`` type letter -> what ``data`` calls it.
KINDS: dict[str, str] = {"c": "contact", "m": "member"}
_USER_ID = re.compile(r"(?P<instance>[^~]+)~(?P<kind>[cm])~(?P<number>[0-9]{1,18})")


@frozen
class User:
    """One checked DeskDirector User."""

    user_id: str
    kind: str
    name: str | None
    company: str | None
    summary: dict[str, Any]

    @property
    def is_contact(self) -> bool:
        return self.kind == "contact"

    def person(self, phone: str | None = None) -> Person:
        return Person(id=self.user_id, name=self.name, phone=phone, company=self.company)


def read_user(user: Reader) -> User:
    """A User object; its ``userId`` must have DeskDirector's three parts."""
    user_id = user.text("userId")
    match = _USER_ID.fullmatch(user_id)
    if match is None:
        raise user.fail("userId", f"{user_id[:60]!r} is not <instance>~<c|m>~<id>")
    company = user.opt_obj("company")
    company_name = None if company is None else company.opt_str("name")
    kind = KINDS[match["kind"]]
    summary: dict[str, Any] = {
        "user_id": user_id,
        "instance": match["instance"],
        "kind": kind,
        "id": int(match["number"]),
        "entity_id": user.opt_int("entityId"),
        "name": user.opt_str("name"),
    }
    if company is not None:
        summary["company"] = _company(company)
    return User(user_id, kind, summary["name"], company_name, summary)


def _company(company: Reader) -> dict[str, Any]:
    return {
        "entity_id": company.opt_int("entityId"),
        "name": company.opt_str("name"),
        "identifier": company.opt_str("identifier"),
    }


def first(users: list[User], *, contact: bool) -> User | None:
    """The first contact (``contact=True``) or member among ``users``."""
    return next((user for user in users if user.is_contact == contact), None)
