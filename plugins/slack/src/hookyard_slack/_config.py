"""The ``slack`` sink's options and each action's parameters."""

from __future__ import annotations

import re
from typing import Any

from attrs import Attribute, field, frozen

from hookyard import Seconds, header_text, http_url, positive_seconds

__all__ = [
    "DEFAULT_API_URL",
    "SlackConfig",
    "TokenPost",
    "TokenUpdate",
    "WebhookPost",
    "WebhookUpdate",
    "post_params",
    "update_params",
]

DEFAULT_API_URL = "https://slack.com/api"
#: A conversation id: public (C), private (G) channel or direct message (D).
_CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{6,}")


def _token(instance: object, attribute: Attribute[Any], value: str | None) -> None:
    if value is not None and (not value or any(c.isspace() for c in value)):
        raise ValueError("token must be a Slack token such as xoxb-…, without spaces")
    header_text(instance, attribute, value)


@frozen
class SlackConfig:
    """Options of the ``slack`` sink: give exactly one of ``webhook_url`` and ``token``.

    :param webhook_url: an incoming webhook's URL (``https://hooks.slack.com/services/…``);
        it posts to the channel it was made for. A secret: never shown.
    :param token: a bot token (``xoxb-…``) for the Web API: posts to any channel the bot is
        in, one thread per conversation, and ``update``. A secret: never shown.
    :param api_url: the Web API's base URL (default ``https://slack.com/api``); only with
        ``token``.
    :param timeout: how long one attempt may take in all (default 10 seconds); an attempt
        that runs out of time is retried.
    """

    webhook_url: str | None = field(default=None, repr=False, validator=http_url(secure=True))
    token: str | None = field(default=None, repr=False, validator=_token)
    api_url: str | None = field(default=None, validator=http_url(query=False, secure=True))
    timeout: Seconds = field(default=Seconds(10.0), validator=positive_seconds)

    def __attrs_post_init__(self) -> None:
        if (self.webhook_url is None) == (self.token is None):
            raise ValueError(
                "give exactly one of webhook_url (an incoming webhook) and token (the Web API)"
            )
        if self.webhook_url is not None and self.api_url is not None:
            raise ValueError("api_url is for the Web API: it goes with token, not webhook_url")

    @property
    def base_url(self) -> str:
        """The Web API's base URL, without a trailing slash."""
        return (self.api_url or DEFAULT_API_URL).rstrip("/")


def _some_content(text: str | None, blocks: list[dict[str, Any]] | None) -> None:
    if not text and not blocks:
        raise ValueError("give text or blocks: Slack posts no empty message")


def _channel(_instance: object, _attribute: object, value: str) -> None:
    if not _CHANNEL_ID.fullmatch(value):
        raise ValueError(
            f"channel must be a channel id such as C0123ABCD (got {value!r}; Slack shows it"
            " at the bottom of the channel's details): a timed-out post is looked for again"
            " by the channel's id"
        )


@frozen
class WebhookPost:
    """``post`` through an incoming webhook: to the webhook's own channel.

    :param text: the message, in Slack's mrkdwn (the notification's text with ``blocks``).
    :param blocks: Block Kit blocks, a list (rendered to native values).
    """

    text: str | None = None
    blocks: list[dict[str, Any]] | None = None

    def __attrs_post_init__(self) -> None:
        _some_content(self.text, self.blocks)


@frozen
class TokenPost:
    """``post`` through the Web API: the conversation's first post starts a thread in
    ``channel``; later posts of the conversation reply in it.

    :param channel: the channel's id (``C…``, ``G…`` or ``D…``).
    :param text: as for :class:`WebhookPost`.
    :param blocks: as for :class:`WebhookPost`.
    """

    channel: str = field(validator=_channel)
    text: str | None = None
    blocks: list[dict[str, Any]] | None = None

    def __attrs_post_init__(self) -> None:
        _some_content(self.text, self.blocks)


@frozen
class TokenUpdate:
    """``update``: replace the text and blocks of the conversation's parent message."""

    text: str | None = None
    blocks: list[dict[str, Any]] | None = None

    def __attrs_post_init__(self) -> None:
        _some_content(self.text, self.blocks)


def _needs_token(_instance: object, _attribute: object, _value: bool) -> None:
    raise ValueError(
        "update needs the sink's token option: an incoming webhook cannot edit a message"
    )


@frozen
class WebhookUpdate:
    """``update`` of a sink with ``webhook_url``, which no route can satisfy: ``hookyard
    check`` reports its route as needing ``token_mode`` (and any value given for it as
    needing the sink's ``token``)."""

    token_mode: bool = field(validator=_needs_token)
    text: str | None = None
    blocks: list[dict[str, Any]] | None = None


def post_params(config: SlackConfig | None) -> type[WebhookPost] | type[TokenPost]:
    """What ``post`` takes: ``channel`` only with ``token``."""
    return TokenPost if config is not None and config.token is not None else WebhookPost


def update_params(config: SlackConfig | None) -> type[WebhookUpdate] | type[TokenUpdate]:
    """What ``update`` takes: nothing a webhook sink can satisfy."""
    return TokenUpdate if config is not None and config.token is not None else WebhookUpdate
