"""A local server speaking the Zendesk Support (Ticketing) API contract, for sink tests.

Public through :mod:`hookyard.testing` (``from hookyard.testing import ZendeskApi``). It
keeps tickets, their comments and audits in memory and answers as Zendesk does:

- basic auth ``{email}/token:{token}`` on every request, else 401 ``Couldn't authenticate
  you``; errors as ``{"error", "description", "details"}``, 422 ``RecordInvalid`` with
  ``details`` per field;
- ``POST /api/v2/tickets.json`` with an ``Idempotency-Key``: the first request answers with
  ``x-idempotency-lookup: miss``, a repeat with the same body replays the first answer with
  ``hit``, the same key with another body is 400 ``IdempotentRequestError``. Only created
  tickets are remembered; :meth:`ZendeskApi.expire_idempotency_keys` plays the two hours
  after which Zendesk forgets a key;
- ``GET /api/v2/tickets.json?external_id=…`` (the exact lookup, a list), ``GET`` and
  ``PUT /api/v2/tickets/{id}.json`` (a comment, a status; ``metadata`` lands in the audit's
  ``metadata.custom``), ``GET …/{id}/comments.json`` and ``GET …/{id}/audits.json`` with
  cursor (``page[size]``) or offset pagination;
- a closed ticket refuses updates (422), at most :attr:`ZendeskApi.max_comments` comments.

Rate limits and outages are scripted with :meth:`~hookyard.testing.ApiServer.fail_next`
(:meth:`ZendeskApi.rate_limited` is Zendesk's own text/plain 429).
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from hookyard.testing.api_server import ApiRequest, ApiServer, json_reply
from hookyard.testing.recorder import Reply

if TYPE_CHECKING:
    from collections.abc import Callable

    Handler = Callable[[ApiRequest], Reply]

__all__ = ["ZendeskApi"]

STATUSES = ("new", "open", "pending", "hold", "solved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
#: The most custom audit metadata Zendesk keeps for one update, in bytes.
METADATA_BYTES = 1024
_TICKETS = r"/api/v2/tickets(?:\.json)?"
_TICKET_ID = r"/api/v2/tickets/(?P<id>\d+)"
_JSON = r"(?:\.json)?"


def _invalid(field: str, description: str, error: str = "InvalidValue") -> Reply:
    details = {field: [{"description": description, "error": error}]}
    body = {"error": "RecordInvalid", "description": "Record validation errors", "details": details}
    return json_reply(422, body)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ZendeskApi(ApiServer):
    """``with ZendeskApi() as zendesk:`` then point the sink's ``url`` at ``zendesk.url``.

    :param email: the agent whose API token is accepted.
    :param token: the API token.
    """

    def __init__(self, email: str = "agent@example.com", token: str = "zd-api-token") -> None:
        super().__init__()
        self.email = email
        self.token = token
        #: Tickets by id, as Zendesk shows them.
        self.tickets: dict[int, dict[str, Any]] = {}
        #: Comments of each ticket, oldest first.
        self.comments: dict[int, list[dict[str, Any]]] = {}
        #: Audits of each ticket, oldest first.
        self.audits: dict[int, list[dict[str, Any]]] = {}
        #: More comments than this on one ticket are refused (Zendesk: 5,000).
        self.max_comments = 5000
        self._users: dict[str, int] = {email: 1}
        self._keys: dict[str, tuple[str, Reply]] = {}
        self._ids = 0
        self.route("POST", _TICKETS, self._guarded(self._create))
        self.route("GET", _TICKETS, self._guarded(self._list))
        self.route("GET", _TICKET_ID + _JSON, self._guarded(self._show))
        self.route("PUT", _TICKET_ID + _JSON, self._guarded(self._update))
        self.route("GET", _TICKET_ID + "/comments" + _JSON, self._guarded(self._comments))
        self.route("GET", _TICKET_ID + "/audits" + _JSON, self._guarded(self._audits))

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header value this server accepts."""
        raw = f"{self.email}/token:{self.token}".encode()
        return "Basic " + base64.b64encode(raw).decode()

    def expire_idempotency_keys(self) -> None:
        """Forget every ``Idempotency-Key``, as Zendesk does about two hours after its use."""
        with self._state:
            self._keys.clear()

    def rate_limited(self, retry_after: int = 1) -> Reply:
        """Zendesk's 429: text/plain, with ``Retry-After`` seconds."""
        headers = {"content-type": "text/plain", "retry-after": str(retry_after)}
        return Reply(429, b"Number of allowed API requests per minute exceeded", headers)

    def agent_comment(self, ticket_id: int, body: str, public: bool = True) -> None:
        """A comment an agent writes in Zendesk itself (its audit carries no metadata)."""
        with self._state:
            given = {"comment": {"body": body, "public": public}}
            self._record(self.tickets[ticket_id], given, [])

    def external(self, external_id: str) -> list[dict[str, Any]]:
        """The tickets with this ``external_id``."""
        with self._state:
            return [t for t in self.tickets.values() if t["external_id"] == external_id]

    def _guarded(self, handler: Handler) -> Handler:
        """``handler`` behind Zendesk's authentication and JSON parsing."""

        def answer(request: ApiRequest) -> Reply:
            if request.headers.get("authorization") != self.authorization:
                return json_reply(401, {"error": "Couldn't authenticate you"})
            if request.method != "GET":
                try:
                    request.json()
                except ValueError:
                    return json_reply(400, {"error": "Unprocessable Entity", "description": "JSON"})
            return handler(request)

        return answer

    def _create(self, request: ApiRequest) -> Reply:
        key = request.headers.get("idempotency-key")
        digest = hashlib.sha256(request.body).hexdigest()
        if key is not None and key in self._keys:
            known, reply = self._keys[key]
            if known != digest:
                description = "Request parameters do not match the original request"
                body = {"error": "IdempotentRequestError", "description": description}
                return json_reply(400, body, {"x-idempotency-lookup": "hit"})
            return Reply(reply.status, reply.body, {**reply.headers, "x-idempotency-lookup": "hit"})
        reply = self._new_ticket((request.json() or {}).get("ticket") or {})
        if key is not None and reply.status == 201:
            self._keys[key] = (digest, reply)
        if key is None:
            return reply
        return Reply(reply.status, reply.body, {**reply.headers, "x-idempotency-lookup": "miss"})

    def _new_ticket(self, given: dict[str, Any]) -> Reply:
        comment = given.get("comment") or {}
        body = comment.get("body") or given.get("description")
        if not body:
            return _invalid("description", "Description: cannot be blank", "BlankValue")
        if given.get("priority") not in (None, *PRIORITIES):
            return _invalid("priority", f"Priority: {given['priority']} is not valid")
        requester = given.get("requester")
        if requester is not None and "@" not in str(requester.get("email", "")):
            return _invalid("requester", "Requester: Email is not properly formatted")
        if len(json.dumps(given.get("metadata") or {})) > METADATA_BYTES:
            return _invalid("metadata", "Metadata: is too large")
        self._ids += 1
        ticket = {
            "id": self._ids,
            "url": f"{self.url}/api/v2/tickets/{self._ids}.json",
            "external_id": given.get("external_id"),
            "subject": given.get("subject") or str(body)[:50],
            "description": body,
            "status": given.get("status") or "new",
            "priority": given.get("priority"),
            "tags": sorted(set(given.get("tags") or [])),
            "requester_id": self._user(requester) if requester else 1,
            "submitter_id": 1,
            "created_at": _now(),
            "updated_at": _now(),
        }
        self.tickets[ticket["id"]] = ticket
        self.comments[ticket["id"]] = []
        self.audits[ticket["id"]] = []
        self._record(ticket, given, [{"type": "Create", "field_name": "status"}])
        headers = {"location": ticket["url"]}
        return json_reply(201, {"ticket": ticket}, headers)

    def _user(self, requester: dict[str, Any]) -> int:
        email = str(requester["email"]).lower()
        return self._users.setdefault(email, len(self._users) + 1)

    def _record(
        self, ticket: dict[str, Any], given: dict[str, Any], events: list[dict[str, Any]]
    ) -> None:
        """The audit of one change, with the update's comment and ``metadata``."""
        ticket_id = ticket["id"]
        audit_id = len(self.audits[ticket_id]) + 1000 * ticket_id
        comment = given.get("comment") or {}
        body = comment.get("body") or given.get("description")
        if body:
            public = bool(comment.get("public", True))
            note = {"id": audit_id, "type": "Comment", "body": body, "public": public}
            note |= {"author_id": 1, "created_at": _now()}
            self.comments[ticket_id].append(note)
            events = [*events, note]
        custom = given.get("metadata") or {}
        metadata = {"system": {"client": "hookyard"}, "custom": custom}
        audit = {"id": audit_id, "ticket_id": ticket_id, "created_at": _now(), "author_id": 1}
        audit |= {"metadata": metadata, "via": {"channel": "api"}, "events": events}
        self.audits[ticket_id].append(audit)

    def _list(self, request: ApiRequest) -> Reply:
        wanted = request.query.get("external_id")
        found = [t for t in self.tickets.values() if wanted is None or t["external_id"] in wanted]
        body = {"tickets": found, "next_page": None, "previous_page": None, "count": len(found)}
        return json_reply(200, body)

    def _ticket(self, request: ApiRequest) -> dict[str, Any] | None:
        return self.tickets.get(int(request.params["id"]))

    def _not_found(self) -> Reply:
        return json_reply(404, {"error": "RecordNotFound", "description": "Not found"})

    def _show(self, request: ApiRequest) -> Reply:
        ticket = self._ticket(request)
        return self._not_found() if ticket is None else json_reply(200, {"ticket": ticket})

    def _update(self, request: ApiRequest) -> Reply:
        ticket = self._ticket(request)
        if ticket is None:
            return self._not_found()
        given = (request.json() or {}).get("ticket") or {}
        if ticket["status"] == "closed":
            return _invalid("status", "Status: closed prevents ticket update")
        status = given.get("status")
        if status is not None and status not in STATUSES:
            return _invalid("status", f"Status: {status} is not valid")
        if status == "new" and ticket["status"] != "new":
            return _invalid("status", "Status: cannot be set back to new")
        if given.get("comment") and len(self.comments[ticket["id"]]) >= self.max_comments:
            return _invalid("base", f"Comments: cannot exceed {self.max_comments}")
        if len(json.dumps(given.get("metadata") or {})) > METADATA_BYTES:
            return _invalid("metadata", "Metadata: is too large")
        events = []
        if status is not None and status != ticket["status"]:
            events.append({"type": "Change", "field_name": "status", "value": status})
            ticket["status"] = status
        if events or given.get("comment"):
            ticket["updated_at"] = _now()
            self._record(ticket, given, events)
        audit = self.audits[ticket["id"]][-1]
        return json_reply(200, {"ticket": ticket, "audit": audit})

    def _comments(self, request: ApiRequest) -> Reply:
        ticket = self._ticket(request)
        if ticket is None:
            return self._not_found()
        return self._page(request, "comments", self.comments[ticket["id"]])

    def _audits(self, request: ApiRequest) -> Reply:
        ticket = self._ticket(request)
        if ticket is None:
            return self._not_found()
        return self._page(request, "audits", self.audits[ticket["id"]])

    def _page(self, request: ApiRequest, name: str, items: list[dict[str, Any]]) -> Reply:
        """Cursor pagination with ``page[size]`` (at most 100), else offset pagination."""
        base = f"{self.url}{request.path}"
        if "page[size]" in request.query:
            size = min(100, int(request.query["page[size]"][0]))
            start = int((request.query.get("page[after]") or ["0"])[0])
            more = start + size < len(items)
            after = str(start + size)
            following = base + "?" + urlencode({"page[size]": size, "page[after]": after})
            links = {"next": following if more else None, "prev": None}
            meta = {"has_more": more, "after_cursor": after if more else None}
            page_items = items[start : start + size]
            return json_reply(200, {name: page_items, "meta": meta, "links": links})
        per_page = min(100, int((request.query.get("per_page") or ["100"])[0]))
        page = int((request.query.get("page") or ["1"])[0])
        start = (page - 1) * per_page
        more = start + per_page < len(items)
        following = base + "?" + urlencode({"page": page + 1, "per_page": per_page})
        body = {name: items[start : start + per_page], "count": len(items)}
        body |= {"next_page": following if more else None, "previous_page": None}
        return json_reply(200, body)
