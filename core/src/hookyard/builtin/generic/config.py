"""The options of a ``generic`` source: how deliveries are signed, and how they are read.

Without ``signature`` a delivery is signed the Standard Webhooks way; with it, by an HMAC
of the raw body in one header. Without ``mapping`` the body is an event in hookyard's JSON
form; with it, another platform's JSON read through JSON paths.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, NewType, TypeVar

from attrs import field, frozen
from cattrs.errors import AttributeValidationNote, ClassValidationError
from cattrs.gen import make_dict_structure_fn

from hookyard import Seconds, signing
from hookyard.builtin.generic.mapping import FieldMap, compile_mapping

if TYPE_CHECKING:
    from collections.abc import Callable

    import cattrs

__all__ = ["DEFAULT_TOLERANCE", "GenericConfig", "HmacSignature", "register_hooks"]

T = TypeVar("T")
#: How far ``webhook-timestamp`` may be from the clock when ``tolerance`` is left out.
DEFAULT_TOLERANCE = Seconds(300.0)
#: The characters of an HTTP header name (RFC 9110's token).
_HEADER = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


#: Option types whose values are checked as they are structured, so that ``check`` shows
#: every wrong option of a ``signature`` at once (attrs validators stop at the first).
HeaderName = NewType("HeaderName", str)
Algorithm = NewType("Algorithm", str)
Encoding = NewType("Encoding", str)


def _header_name(value: object) -> HeaderName:
    if not isinstance(value, str) or not _HEADER.fullmatch(value):
        raise ValueError(f"not an HTTP header name: {value!r}")
    return HeaderName(value)


def _algorithm(value: object) -> Algorithm:
    if value not in signing.ALGORITHMS:
        raise ValueError(f"must be one of {', '.join(signing.ALGORITHMS)}, got {value!r}")
    return Algorithm(str(value))


def _encoding(value: object) -> Encoding:
    if value not in signing.ENCODINGS:
        raise ValueError(f"must be one of {', '.join(signing.ENCODINGS)}, got {value!r}")
    return Encoding(str(value))


def _validator(check: Callable[[object], T]) -> Callable[[object, object, T], None]:
    """An attrs validator running ``check``, for options set in Python."""

    def validate(_instance: object, _attribute: object, value: T) -> None:
        check(value)

    return validate


@frozen
class HmacSignature:
    """``signature:`` — the HMAC of the raw body under ``secret``, sent in one header.

    :param header: the header's name (any case), e.g. ``X-Acme-Signature``.
    :param algorithm: ``sha1``, ``sha256`` (the default) or ``sha512``.
    :param encoding: how the digest is written: ``hex`` (the default; any case) or ``base64``.
    :param prefix: text before the digest, e.g. ``sha256=`` (compared in any case).
    """

    header: HeaderName = field(validator=_validator(_header_name))
    algorithm: Algorithm = field(default=Algorithm("sha256"), validator=_validator(_algorithm))
    encoding: Encoding = field(default=Encoding("hex"), validator=_validator(_encoding))
    prefix: str = ""


def register_hooks(converter: cattrs.Converter) -> None:
    """Teach ``converter`` the option types of a ``generic`` source."""
    converter.register_structure_hook(FieldMap, lambda value, _type: compile_mapping(value))
    for kind, check in ((HeaderName, _header_name), (Algorithm, _algorithm), (Encoding, _encoding)):
        converter.register_structure_hook(kind, lambda value, _type, check=check: check(value))
    structure = make_dict_structure_fn(GenericConfig, converter)

    def structure_config(value: Any, type_: type[GenericConfig]) -> GenericConfig:
        errors = _secret_errors(value) if isinstance(value, dict) else []
        try:
            config = structure(value, type_)
        except ClassValidationError as exc:
            if not errors:
                raise
            errors = [*exc.exceptions, *errors]
        if errors:
            raise ClassValidationError("While structuring GenericConfig", errors, GenericConfig)
        return config

    converter.register_structure_hook(GenericConfig, structure_config)


def _secret_errors(options: dict[str, Any]) -> list[Exception]:
    """What is wrong with the secrets as written, each error noted with its key.

    Checked on the options as written, not by attrs validators: ``check`` structures a
    source again without an option it found wrong (then each validator's problem shows), and
    a secret must not read as missing, nor as a Standard Webhooks one, because ``secret``
    or ``signature`` was left out.
    """
    found: list[tuple[str, str]] = []
    hmac = options.get("signature") is not None
    secret, previous = options.get("secret"), options.get("previous_secrets")
    if secret is None:
        for key in ("signature", "previous_secrets"):
            if options.get(key):
                verb = "needs" if key == "signature" else "need"
                found.append((key, f"{key} {verb} secret, the key the platform signs with"))
    elif isinstance(secret, str) and (problem := _secret_problem(hmac, secret)):
        found.append(("secret", problem))
    if isinstance(previous, list):
        for number, text in enumerate(previous, 1):
            if isinstance(text, str) and (problem := _secret_problem(hmac, text)):
                found.append(("previous_secrets", f"secret {number} of {len(previous)}: {problem}"))
    errors: list[Exception] = []
    for key, message in found:
        error = ValueError(message)
        error.add_note(AttributeValidationNote(f"Structuring GenericConfig @ {key}", key, Any))
        errors.append(error)
    return errors


def _secret_problem(hmac: bool, secret: str) -> str | None:
    """What makes ``secret`` unusable as an HMAC or a Standard Webhooks key, if anything."""
    if hmac:
        return None if secret else "an HMAC secret must not be empty"
    try:
        signing.signing_key(secret)
    except ValueError as exc:
        return str(exc)
    return None


def _check_tolerance(instance: GenericConfig, _attribute: object, value: Seconds | None) -> None:
    if value is None:
        return
    if not value > 0:
        raise ValueError(f"tolerance must be more than 0 seconds, got {value!r}")
    if instance.signature is not None:
        raise ValueError(
            "tolerance is for Standard Webhooks timestamps; an HMAC signature has none: "
            "remove tolerance"
        )


@frozen
class GenericConfig:
    """Options of a source with ``vendor: generic``; the secrets are checked as the source is
    loaded (:func:`register_hooks`), as they suit the scheme that ``signature`` chooses.

    :param secret: the key deliveries are signed with. For Standard Webhooks (no
        ``signature``): the sender's secret, e.g. the ``secret`` of the sending hookyard's
        ``http`` sink, read as :func:`hookyard.signing.signing_key` reads it. For an HMAC
        ``signature``: the text whose UTF-8 bytes are the key. Leave it out only together
        with ``auth: none``.
    :param tolerance: how far ``webhook-timestamp`` may be from this machine's clock,
        either way: seconds or a duration such as ``5m`` (default 300 seconds); older
        deliveries are refused as possible replays. Standard Webhooks only.
    :param signature: an HMAC of the body in one header, instead of Standard Webhooks.
    :param previous_secrets: more keys to accept while the sender moves to ``secret``.
    :param mapping: how another platform's JSON fills the event; without it the body is
        an event in hookyard's JSON form.
    """

    secret: str | None = field(default=None, repr=False)
    tolerance: Seconds | None = field(default=None, validator=_check_tolerance)
    signature: HmacSignature | None = None
    previous_secrets: tuple[str, ...] = field(default=(), repr=False)
    mapping: FieldMap | None = None

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every key a delivery may be signed with: ``secret`` first."""
        return (self.secret, *self.previous_secrets) if self.secret else ()

    @property
    def max_age(self) -> float:
        """The tolerance in seconds, the default when none is set."""
        return DEFAULT_TOLERANCE if self.tolerance is None else self.tolerance
