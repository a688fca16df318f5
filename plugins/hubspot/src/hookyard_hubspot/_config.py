"""The ``hubspot`` sink's options, checked when the configuration is loaded."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from attrs import field, frozen

from hookyard import Seconds, http_url, positive_seconds

__all__ = ["DEFAULT_API_URL", "HubSpotConfig"]

DEFAULT_API_URL = "https://api.hubapi.com"
#: HubSpot's internal property names: lower-case letters, digits and underscores.
_PROPERTY_NAME = re.compile(r"[a-z][a-z0-9_]{0,99}")


def _check_token(_instance: object, _attribute: object, value: str) -> None:
    # The token itself never goes into a message: they are shown and logged.
    if not value.strip():
        raise ValueError("token must not be empty (the private app's access token)")
    if any(c.isspace() for c in value) or not (value.isascii() and value.isprintable()):
        raise ValueError("token must be printable ASCII without spaces or line breaks")


def _check_not_empty(_instance: object, attribute: object, value: str) -> None:
    if not value.strip():
        raise ValueError(f"{getattr(attribute, 'name', 'value')} must not be empty")


def _check_property(_instance: object, _attribute: object, value: str) -> None:
    if not _PROPERTY_NAME.fullmatch(value):
        raise ValueError(
            "ticket_key_property must be a property's internal name (lower-case letters, "
            f"digits and _, starting with a letter), got {value!r}"
        )


def _check_zone(_instance: object, _attribute: object, value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"time_zone must be an IANA time zone such as 'America/New_York' or 'UTC', "
            f"got {value!r}"
        ) from None


@frozen
class HubSpotConfig:
    """Options of the ``hubspot`` sink (CRM contacts, notes and tickets).

    :param token: the private app's access token, sent as ``Authorization: Bearer``. The
        app needs the scopes ``crm.objects.contacts.read``, ``crm.objects.contacts.write``
        and ``tickets``.
    :param api_url: where HubSpot's API is (default ``https://api.hubapi.com``); an
        ``http://`` or ``https://`` URL without credentials.
    :param timeout: how long one attempt may take in all, every request it makes included
        (default 10 seconds). An attempt that runs out of time is retried.
    :param pipeline: the internal id of the pipeline new tickets go into (default ``"0"``,
        the portal's default support pipeline).
    :param pipeline_stage: the internal id of the stage new tickets start in (default
        ``"1"``, "New" in the default support pipeline).
    :param ticket_key_property: the custom ticket property, created with unique values,
        that holds the conversation's key; tickets are upserted on it so a retry never makes
        a second ticket (default ``hookyard_key``).
    :param time_zone: the portal's time zone (Settings, Account defaults), an IANA name
        (default ``UTC``). HubSpot's daily limit resets at midnight there; the sink pauses
        until then when the limit is reached.
    """

    token: str = field(repr=False, validator=_check_token)
    api_url: str = field(
        default=DEFAULT_API_URL,
        validator=http_url(query=False, secure=True, credentials="put the token in token"),
    )
    timeout: Seconds = field(default=Seconds(10.0), validator=positive_seconds)
    pipeline: str = field(default="0", validator=_check_not_empty)
    pipeline_stage: str = field(default="1", validator=_check_not_empty)
    ticket_key_property: str = field(default="hookyard_key", validator=_check_property)
    time_zone: str = field(default="UTC", validator=_check_zone)
