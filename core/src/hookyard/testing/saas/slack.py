"""Public through :mod:`hookyard.testing` (``from hookyard.testing import SlackApi``): a
local server speaking the parts of Slack's HTTP contract a sink uses.

- Web API under ``/api``: ``chat.postMessage``, ``chat.update``, ``conversations.history``
  and ``conversations.replies``. ``Authorization: Bearer <token>`` (``not_authed`` without
  one, ``invalid_auth`` for another); write methods take JSON or form bodies, read methods
  form bodies or the query (as Slack, they ignore a JSON body's arguments). Errors are
  HTTP 200 with ``{"ok": false, "error": "..."}``. Messages keep ``metadata`` (returned
  by the read methods with ``include_all_metadata=true``); history lists a channel's
  top-level messages newest first, replies a thread oldest first, both paged with
  ``limit`` and ``cursor`` and bounded by ``oldest``.
  A malformed ``thread_ts`` is ``invalid_thread_ts``; one naming no message is accepted
  and the reply is seen nowhere, as on Slack.
- Incoming webhooks at ``/services/T…/B…/…`` (:meth:`SlackApi.webhook_url`): JSON
  ``{"text", "blocks"}``, answered 200 ``ok``; errors are plain strings (400
  ``invalid_payload``, 400 ``missing_text_or_fallback_or_attachments``, 404 ``no_service``,
  410 ``channel_is_archived``).

Script rate limits and outages with :meth:`SlackApi.ratelimited` and
:meth:`SlackApi.error` through :meth:`~hookyard.testing.ApiServer.fail_next`.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from attrs import define, field

from hookyard.testing.api_server import ApiRequest, ApiServer, json_reply
from hookyard.testing.recorder import Reply

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["SlackApi", "SlackChannel"]

#: Slack refuses longer texts with ``msg_too_long``.
MAX_TEXT = 40_000
#: At most this many blocks in one message (``invalid_blocks`` beyond).
MAX_BLOCKS = 50
_READ_METHODS = ("conversations.history", "conversations.replies")
_TS = re.compile(r"\d+\.\d+")


@define
class SlackChannel:
    """A channel and its messages (top-level and replies), in the order posted."""

    id: str
    archived: bool = False
    member: bool = True
    messages: list[dict[str, Any]] = field(factory=list)

    def top_level(self) -> list[dict[str, Any]]:
        """Messages that are not replies, oldest first."""
        return [m for m in self.messages if m.get("thread_ts") in (None, m["ts"])]

    def thread(self, ts: str) -> list[dict[str, Any]]:
        """The replies in the thread of the message ``ts``, oldest first."""
        return [m for m in self.messages if m.get("thread_ts") == ts and m["ts"] != ts]

    def find(self, ts: str) -> dict[str, Any] | None:
        return next((m for m in self.messages if m["ts"] == ts), None)


class SlackApi(ApiServer):
    """``with SlackApi() as slack:``; point the sink's ``api_url`` at ``slack.api_url``.

    :param token: the bot token the Web API accepts.
    :param channels: ids of the channels that exist (the bot is a member of each).
    """

    def __init__(self, token: str = "xoxb-1-test-token", channels: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.token = token
        self.channels: dict[str, SlackChannel] = {c: SlackChannel(c) for c in channels}
        self._hooks: dict[str, str] = {}
        self._last_ts = 0
        self._cursors = itertools.count(1)
        for method, handler in (
            ("chat.postMessage", self._post_message),
            ("chat.update", self._update),
            ("conversations.history", self._history),
            ("conversations.replies", self._thread_replies),
        ):
            self.route("POST", rf"/api/{method}", self._web_api(method, handler))
            if method in _READ_METHODS:
                self.route("GET", rf"/api/{method}", self._web_api(method, handler))
        self.route("POST", r"/services/(?P<hook>T\w+/B\w+/\w+)", self._webhook)

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def add_channel(self, id: str, *, archived: bool = False, member: bool = True) -> SlackChannel:
        with self._state:
            channel = self.channels[id] = SlackChannel(id, archived, member)
            return channel

    def webhook_url(self, channel: str) -> str:
        """A new incoming webhook posting to ``channel`` (which must exist)."""
        with self._state:
            hook = f"T0TEAM/B{len(self._hooks) + 1:08d}/secretpart{len(self._hooks) + 1:04d}"
            self._hooks[hook] = channel
        return f"{self.url}/services/{hook}"

    def add_message(self, channel: str, text: str, **fields: Any) -> dict[str, Any]:
        """A message someone else posted in ``channel`` (``fields`` set or replace keys)."""
        with self._state:
            message = {"type": "message", "user": "U0SOMEONE", "text": text, "ts": self._next_ts()}
            message.update(fields)
            self.channels[channel].messages.append(message)
            return dict(message)

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Every message of ``channel`` (top-level and replies), in the order posted."""
        with self._state:
            return [dict(m) for m in self.channels[channel].messages]

    @staticmethod
    def error(error: str, status: int = 200, **extra: Any) -> Reply:
        """A Web API error answer: ``{"ok": false, "error": error, ...extra}``."""
        return json_reply(status, {"ok": False, "error": error, **extra})

    @staticmethod
    def ratelimited(retry_after: int = 1) -> Reply:
        """Slack's rate-limit answer: 429, ``Retry-After`` seconds, ``ratelimited``."""
        return json_reply(
            429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}
        )

    # The Web API

    def _web_api(
        self, method: str, handler: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> Callable[[ApiRequest], Reply]:
        def answer(request: ApiRequest) -> Reply:
            given = request.headers.get("authorization", "")
            if not given.startswith("Bearer "):
                return self.error("not_authed")
            if given.removeprefix("Bearer ") != self.token:
                return self.error("invalid_auth")
            args, warnings = _arguments(request, read=method in _READ_METHODS)
            if args is None:
                return self.error("invalid_json")
            result: dict[str, Any] = handler(args)
            if warnings and result.get("ok"):
                result["response_metadata"] = {"warnings": warnings}
            return json_reply(200, result)

        return answer

    def _channel(self, args: dict[str, Any]) -> SlackChannel | dict[str, Any]:
        channel = self.channels.get(str(args.get("channel") or ""))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        return channel

    def _post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if not isinstance(channel, SlackChannel):
            return channel
        if channel.archived:
            return {"ok": False, "error": "is_archived"}
        if not channel.member:
            return {"ok": False, "error": "not_in_channel"}
        problem = _content_problem(args)
        if problem:
            return {"ok": False, "error": problem}
        metadata = _json_argument(args.get("metadata"))
        if metadata is not None and not _valid_metadata(metadata):
            return {"ok": False, "error": "invalid_metadata_format"}
        thread_ts = args.get("thread_ts")
        if thread_ts and not _TS.fullmatch(str(thread_ts)):
            return {"ok": False, "error": "invalid_thread_ts"}
        message = self._message(args, metadata)
        if thread_ts:
            self._reply(channel, message, str(thread_ts))
        channel.messages.append(message)
        return {"ok": True, "channel": channel.id, "ts": message["ts"], "message": message}

    @staticmethod
    def _reply(channel: SlackChannel, message: dict[str, Any], thread_ts: str) -> None:
        """Make ``message`` a reply in the thread of ``thread_ts`` (a reply's ``ts`` means
        its thread). A ``thread_ts`` naming no message is accepted, and the reply is seen
        in no thread and not in the channel, as Slack does."""
        named = channel.find(thread_ts)
        parent = channel.find(named.get("thread_ts", thread_ts)) if named else None
        if parent is None:
            message["thread_ts"] = thread_ts
            return
        parent["thread_ts"] = parent["ts"]
        message["thread_ts"] = parent["ts"]
        parent["reply_count"] = len(channel.thread(parent["ts"])) + 1

    def _update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if not isinstance(channel, SlackChannel):
            return channel
        message = channel.find(str(args.get("ts") or ""))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if message.get("bot_id") != "B0HOOKYARD":
            return {"ok": False, "error": "cant_update_message"}
        problem = _content_problem(args)
        if problem:
            return {"ok": False, "error": problem}
        if "text" in args:  # what is not given is kept
            message["text"] = args["text"] or ""
        if "blocks" in args:
            message["blocks"] = _json_argument(args["blocks"]) or []
        message["edited"] = {"user": "U0HOOKYARD", "ts": self._next_ts()}
        return {
            "ok": True,
            "channel": channel.id,
            "ts": message["ts"],
            "text": message["text"],
            "message": message,
        }

    def _history(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if not isinstance(channel, SlackChannel):
            return channel
        newest_first = list(reversed(channel.top_level()))
        return self._page(newest_first, args)

    def _thread_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self._channel(args)
        if not isinstance(channel, SlackChannel):
            return channel
        parent = channel.find(str(args.get("ts") or ""))
        if parent is None:
            return {"ok": False, "error": "thread_not_found"}
        return self._page([parent, *channel.thread(parent["ts"])], args)

    def _page(self, messages: list[dict[str, Any]], args: dict[str, Any]) -> dict[str, Any]:
        oldest = float(args.get("oldest") or 0)
        selected = [m for m in messages if float(m["ts"]) >= oldest]
        start = int(str(args.get("cursor") or "0").rpartition(":")[2] or 0)
        limit = max(1, min(int(args.get("limit") or 100), 999))
        page = selected[start : start + limit]
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("true", "1")
        shown = [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"} for m in page
        ]
        more = start + limit < len(selected)
        cursor = f"page{next(self._cursors)}:{start + limit}" if more else ""
        return {
            "ok": True,
            "messages": shown,
            "has_more": more,
            "response_metadata": {"next_cursor": cursor},
        }

    def _message(self, args: dict[str, Any], metadata: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": "B0HOOKYARD",
            "text": args.get("text") or "",
            "ts": self._next_ts(),
        }
        if "blocks" in args:
            message["blocks"] = _json_argument(args["blocks"])
        if metadata is not None:
            message["metadata"] = metadata
        return message

    def _next_ts(self) -> str:
        """A ``ts`` later than every earlier one: seconds and microseconds, as Slack's."""
        self._last_ts = max(int(time.time() * 1_000_000), self._last_ts + 1)
        seconds, micros = divmod(self._last_ts, 1_000_000)
        return f"{seconds}.{micros:06d}"

    # Incoming webhooks

    def _webhook(self, request: ApiRequest) -> Reply:
        channel = self.channels.get(self._hooks.get(request.params["hook"], ""))
        if channel is None:
            return Reply(404, b"no_service", {"content-type": "text/html"})
        try:
            body = request.json()
        except ValueError:
            return Reply(400, b"invalid_payload", {"content-type": "text/html"})
        if not isinstance(body, dict):
            return Reply(400, b"invalid_payload", {"content-type": "text/html"})
        if channel.archived:
            return Reply(410, b"channel_is_archived", {"content-type": "text/html"})
        problem = _content_problem(body)
        if problem == "no_text":
            problem = "missing_text_or_fallback_or_attachments"
        if problem:
            return Reply(400, problem.encode(), {"content-type": "text/html"})
        channel.messages.append(self._message(body, None))
        return Reply(200, b"ok", {"content-type": "text/html"})


def _arguments(request: ApiRequest, *, read: bool) -> tuple[dict[str, Any] | None, list[str]]:
    """The method's arguments from the query and the body, and Slack's warnings."""
    args: dict[str, Any] = {k: v[-1] for k, v in request.query.items()}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        warnings = [] if "charset" in content_type else ["missing_charset"]
        if read:  # read methods take no JSON arguments
            return args, warnings
        try:
            body = request.json()
        except ValueError:
            return None, warnings
        if not isinstance(body, dict):
            return None, warnings
        return {**args, **body}, warnings
    form = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
    return {**args, **{k: v[-1] for k, v in form.items()}}, []


def _json_argument(value: Any) -> Any:
    """A JSON-valued argument: as given in a JSON body, or its text in a form body."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _content_problem(args: dict[str, Any]) -> str | None:
    """Slack's error for a message's ``text`` and ``blocks``, or ``None``."""
    text = args.get("text")
    blocks = _json_argument(args.get("blocks")) if "blocks" in args else None
    if blocks is not None:
        if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS:
            return "invalid_blocks"
        if not all(isinstance(b, dict) and isinstance(b.get("type"), str) for b in blocks):
            return "invalid_blocks"
    if not text and not blocks:
        return "no_text"
    if text is not None and not isinstance(text, str):
        return "invalid_arguments"
    if text is not None and len(text) > MAX_TEXT:
        return "msg_too_long"
    return None


def _valid_metadata(metadata: Any) -> bool:
    return (
        isinstance(metadata, dict)
        and isinstance(metadata.get("event_type"), str)
        and isinstance(metadata.get("event_payload"), dict)
    )
