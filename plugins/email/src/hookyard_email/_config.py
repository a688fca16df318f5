"""The ``email`` sink's options, and how the YAML key ``from`` reaches ``EmailConfig.from_``."""

from __future__ import annotations

import ipaddress
import ssl
from difflib import get_close_matches
from email.utils import getaddresses, parseaddr
from typing import TYPE_CHECKING, Any

from attrs import field, fields, frozen
from attrs.validators import optional
from cattrs.errors import AttributeValidationNote, ClassValidationError
from cattrs.gen import make_dict_structure_fn, override

from hookyard import FilePath, Seconds, positive_seconds

if TYPE_CHECKING:
    from collections.abc import Callable

    import cattrs

__all__ = ["DEFAULT_PORTS", "SECURITY", "EmailConfig", "configure", "sender_address"]

SECURITY: tuple[str, ...] = ("starttls", "tls", "none")
#: The port each ``security`` uses when ``port`` is left out (RFC 8314, RFC 6409, RFC 5321).
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}


def _check_host(_instance: object, _attribute: object, value: str) -> None:
    if "://" in value:
        raise ValueError(f"host is a host name or IP address, not a URL (got {value!r})")
    if "@" in value:
        raise ValueError("host must not hold credentials: use username and password")
    if not value or any(c.isspace() or c in "/[]" for c in value):
        raise ValueError(f"host must be a host name or IP address, got {value!r}")
    if ":" in value:
        try:
            ipaddress.IPv6Address(value)
        except ValueError:
            raise ValueError(f"host takes no port (got {value!r}): put it in port") from None


def _check_security(_instance: object, _attribute: object, value: str) -> None:
    if value not in SECURITY:
        raise ValueError(f"security must be starttls, tls or none, got {value!r}")


def _check_port(_instance: object, _attribute: object, value: int | None) -> None:
    if value is not None and not 1 <= value <= 65535:
        raise ValueError(f"port must be from 1 to 65535, got {value}")


def _check_ca_file(instance: EmailConfig, _attribute: object, value: FilePath) -> None:
    if instance.security == "none":
        raise ValueError("ca_file needs security: starttls or tls (security none uses no TLS)")
    try:
        ssl.create_default_context(cafile=value)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(f"cannot load the CA certificates in {value}: {exc}") from None


def _check_password(instance: EmailConfig, _attribute: object, value: str | None) -> None:
    if (value is None) != (instance.username is None):
        raise ValueError("give username and password together, or neither")


def sender_address(value: str) -> str:
    """The address part of ``from`` (``Support <help@example.com>`` -> ``help@example.com``)."""
    return parseaddr(value)[1]


def _structure_from(value: Any, _type: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected an e-mail address such as help@example.com, got {value!r}")
    address = sender_address(value)
    if len(getaddresses([value])) != 1:
        raise ValueError(
            f"from is one sender (RFC 5322 allows one From without Sender), got {value!r}"
        )
    if not value.isprintable() or "@" not in address or address.endswith("@"):
        raise ValueError(
            f"expected an e-mail address such as help@example.com or "
            f"'Support <help@example.com>', got {value!r}"
        )
    return value


@frozen
class EmailConfig:
    """Options of the ``email`` sink, which sends each delivery as one e-mail over SMTP.

    :param host: the SMTP server's host name or IP address (no URL, no port).
    :param port: its port; by default 587 for ``starttls``, 465 for ``tls``, 25 for ``none``.
    :param security: ``starttls`` (default: connect in plain text, then require STARTTLS
        before anything else is said), ``tls`` (implicit TLS from the first byte, "SMTPS")
        or ``none`` (no encryption at all; the password, if any, travels in clear).
    :param username: the SMTP AUTH user (LOGIN or PLAIN, whichever the server offers);
        with ``password``, or leave both out for a relay that takes mail without AUTH.
    :param password: the SMTP AUTH password; never logged, stored or shown.
    :param from_: the ``from`` key: the sender, ``help@example.com`` or ``Support
        <help@example.com>``; the envelope sender (MAIL FROM) is its address, and its domain
        is the domain of every ``Message-ID``.
    :param timeout: how long one attempt may take in all, connecting, TLS and AUTH included
        (default 10 seconds). An attempt that runs out of time is retried.
    :param ca_file: a PEM file of the CA certificates the server's certificate must chain
        to, instead of the system's trusted CAs (a private relay, a test server). The
        server's name is checked against its certificate either way.
    """

    host: str = field(validator=_check_host)
    from_: str
    port: int | None = field(default=None, validator=_check_port)
    security: str = field(default="starttls", validator=_check_security)
    username: str | None = None
    password: str | None = field(default=None, repr=False, validator=_check_password)
    timeout: Seconds = field(default=Seconds(10.0), validator=positive_seconds)
    ca_file: FilePath | None = field(default=None, validator=optional(_check_ca_file))

    @property
    def sender(self) -> str:
        """The envelope sender: the address part of ``from``."""
        return sender_address(self.from_)

    @property
    def server_port(self) -> int:
        """``port``, or the usual port of ``security``."""
        return self.port if self.port is not None else DEFAULT_PORTS[self.security]


#: The YAML key of each option: the attribute's name, except ``from`` (a Python keyword).
KEYS = {a.name: ("from" if a.name == "from_" else a.name) for a in fields(EmailConfig)}


def configure(converter: cattrs.Converter) -> None:
    """Structure :class:`EmailConfig` from its YAML keys, ``from`` included.

    cattrs names a problem by the attribute (``from_``); here it is renamed to the key the
    user wrote, and an unknown key lists the keys the user may write.
    """
    generated = make_dict_structure_fn(
        EmailConfig,
        converter,
        _cattrs_forbid_extra_keys=False,
        from_=override(rename="from", struct_hook=_structure_from),
    )
    converter.register_structure_hook(EmailConfig, _structure(generated))


def _structure(generated: Callable[[Any, Any], EmailConfig]) -> Callable[[Any, Any], EmailConfig]:
    allowed = sorted(KEYS.values())

    def structure(value: Any, type_: Any) -> EmailConfig:
        if not isinstance(value, dict):
            return generated(value, type_)
        errors: list[Exception] = [_unknown(key, allowed) for key in value if key not in allowed]
        try:
            config = generated({k: v for k, v in value.items() if k in allowed}, type_)
        except ClassValidationError as exc:
            errors = [*map(_renamed, exc.exceptions), *errors]
        if errors:
            raise ClassValidationError("While structuring EmailConfig", errors, EmailConfig)
        return config

    return structure


def _unknown(key: str, allowed: list[str]) -> ValueError:
    close = get_close_matches(key, allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    error = ValueError(f"unknown key{hint} (email options: {', '.join(allowed)})")
    error.__notes__ = [AttributeValidationNote(f"unknown key {key}", key, Any)]
    return error


def _renamed(error: Exception) -> Exception:
    notes = getattr(error, "__notes__", None)
    if notes:
        error.__notes__ = [
            AttributeValidationNote(str(note), KEYS[note.name], note.type)
            if isinstance(note, AttributeValidationNote) and note.name in KEYS
            else note
            for note in notes
        ]
    return error
