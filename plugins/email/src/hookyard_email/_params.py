"""What a route's ``with`` takes for the ``send`` action, and how recipients are read."""

from __future__ import annotations

from email.utils import formataddr, getaddresses
from typing import TYPE_CHECKING, Any, NewType

from attrs import frozen

if TYPE_CHECKING:
    import cattrs

__all__ = ["Recipients", "SendParams", "configure", "parse_recipients"]

#: E-mail addresses, each as written (``Ada <ada@example.com>`` or ``ada@example.com``).
Recipients = NewType("Recipients", tuple[str, ...])


def parse_recipients(value: Any) -> Recipients:
    """Recipients from text (one address, or several separated by commas) or a list of them.

    Raises ``ValueError`` saying what is wrong: not text, a line break (a header injection),
    something that is not an address.
    """
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise ValueError(f"expected an e-mail address or a list of them, got {value!r}")
    found: list[str] = []
    for item in items:
        if "\r" in item or "\n" in item:
            raise ValueError(f"an address has a line break: {item!r}")
        if not item.isprintable():
            raise ValueError(f"an address has a control character: {item!r}")
        for name, address in getaddresses([item]):
            local, at, domain = address.rpartition("@")
            if not (local and at and domain) or any(c.isspace() for c in address):
                raise ValueError(f"not an e-mail address: {item!r}")
            found.append(formataddr((name, address)))
    if not found:
        raise ValueError("no e-mail address given")
    return Recipients(tuple(found))


def configure(converter: cattrs.Converter) -> None:
    """Structure :data:`Recipients` with :func:`parse_recipients`."""
    converter.register_structure_hook_func(
        lambda type_: type_ is Recipients, lambda value, _type: parse_recipients(value)
    )


@frozen
class SendParams:
    """``with`` of the ``send`` action.

    :param to: the recipients: one address (``ada@example.com``, ``Ada Lovelace
        <ada@example.com>``), several separated by commas, or a list.
    :param subject: the subject; line breaks in it become spaces.
    :param cc: more recipients, shown in ``Cc``; like ``to``, or null for none.
    :param text: the plain-text body.
    :param html: the HTML body; with ``text`` the mail carries both (multipart/alternative).
    """

    to: Recipients
    subject: str
    cc: Recipients | None = None
    text: str | None = None
    html: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.text is None and self.html is None:
            raise ValueError("give text, html or both: the mail needs a body")
