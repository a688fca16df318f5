"""The ``hubspot`` sink: HubSpot CRM contacts, notes and tickets from support chats.

Actions: ``upsert_contact`` (by e-mail), ``add_note`` (on the conversation's contact) and
``create_ticket`` (one per conversation, upserted on a unique property). Options are
:class:`HubSpotConfig`; each action's ``with`` is its class in :mod:`._params`.
See README.md and docs/sinks/hubspot.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import SinkSpec, hookimpl
from hookyard_hubspot._api import daily_reset_in
from hookyard_hubspot._config import DEFAULT_API_URL, HubSpotConfig
from hookyard_hubspot._params import AddNote, CreateTicket, UpsertContact
from hookyard_hubspot._sink import HubSpotSink

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "ACTIONS",
    "DEFAULT_API_URL",
    "AddNote",
    "CreateTicket",
    "HubSpotConfig",
    "HubSpotSink",
    "UpsertContact",
    "daily_reset_in",
    "hookyard_register_sinks",
]

ACTIONS = ("upsert_contact", "add_note", "create_ticket")


@hookimpl
def hookyard_register_sinks(register: Callable[[SinkSpec], None]) -> None:
    """Register the ``hubspot`` sink."""
    register(
        SinkSpec(
            name="hubspot",
            config_type=HubSpotConfig,
            open=HubSpotSink,
            actions=ACTIONS,
            params={
                "upsert_contact": UpsertContact,
                "add_note": AddNote,
                "create_ticket": CreateTicket,
            },
        )
    )
