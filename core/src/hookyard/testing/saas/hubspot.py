"""Public through :mod:`hookyard.testing` (``from hookyard.testing import HubSpotApi``): a
local server speaking the part of HubSpot's CRM v3/v4 API a support sink uses.

Contacts are upserted by e-mail, tickets by a unique property
(``POST /crm/v3/objects/{contacts,tickets}/batch/upsert``), notes created with their
associations (``POST /crm/v3/objects/notes``) and read back (``POST
/crm/v3/objects/notes/batch/read``), associations made and listed through v4
(``PUT``/``GET /crm/v4/objects/{type}/{id}/associations/{type}[/{id}]``). Every request
needs ``Authorization: Bearer <token>``; errors are HubSpot's JSON
``{"status": "error", "message", "correlationId", "category"}``, and
:meth:`HubSpotApi.rate_limit` scripts the 429 of one of HubSpot's limit policies with its
``X-HubSpot-RateLimit-*`` headers. The state (``contacts``, ``tickets``, ``notes``,
``associations``) is plain dicts and a set the test reads back.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hookyard.testing.api_server import ApiRequest, ApiServer, json_reply

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard.testing.recorder import Reply

    Handler = Callable[[ApiRequest], Reply]

__all__ = ["HubSpotApi"]

#: HubSpot's ids of the object types, as v4 association answers give them.
TYPE_IDS = {"contacts": "0-1", "tickets": "0-5", "notes": "0-46"}
#: The HUBSPOT_DEFINED association types this server accepts, (from, to) -> type id.
ASSOCIATION_TYPES = {
    ("notes", "contacts"): 202,
    ("contacts", "notes"): 201,
    ("notes", "tickets"): 228,
    ("tickets", "notes"): 227,
    ("tickets", "contacts"): 16,
    ("contacts", "tickets"): 15,
}
CONTACT_PROPERTIES = frozenset(
    {"email", "firstname", "lastname", "phone", "company", "website", "lifecyclestage"}
)
TICKET_PROPERTIES = frozenset(
    {
        "subject",
        "content",
        "hs_pipeline",
        "hs_pipeline_stage",
        "hs_ticket_priority",
        "hs_ticket_category",
        "source_type",
    }
)
PRIORITIES = ("LOW", "MEDIUM", "HIGH", "URGENT")
NOTE_BODY_LIMIT = 65_536
#: The default support pipeline "0" and its stages New, Waiting on contact, Waiting on
#: us, Closed.
PIPELINES = {"0": ("1", "2", "3", "4")}
LIMIT_MESSAGES = {
    "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
    "SECONDLY": "You have reached your secondly limit.",
    "DAILY": "You have reached your daily limit.",
}


def error_reply(status: int, category: str, message: str, **extra: Any) -> Reply:
    """HubSpot's error answer."""
    body = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
        **extra,
    }
    return json_reply(status, body)


def _invalid(name: str, message: str, error: str) -> Reply:
    detail = [{"isValid": False, "message": message, "error": error, "name": name}]
    text = f"Property values were not valid: {json.dumps(detail)}"
    return error_reply(400, "VALIDATION_ERROR", text)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class HubSpotApi(ApiServer):
    """``with HubSpotApi(token="pat-na1-…") as hubspot:`` then ``api_url: hubspot.url``.

    :param token: the private app token requests must carry.
    :param unique_ticket_property: the custom ticket property created with "unique values"
        (HubSpot allows ten per object); ``None`` for a portal where it was never made.
    """

    def __init__(
        self,
        token: str = "pat-na1-00000000-test",
        unique_ticket_property: str | None = "hookyard_key",
    ) -> None:
        super().__init__()
        self.token = token
        self.unique_ticket_property = unique_ticket_property
        self.contacts: dict[str, dict[str, str]] = {}
        self.tickets: dict[str, dict[str, str]] = {}
        self.notes: dict[str, dict[str, str]] = {}
        #: (from type, from id, to type, to id, association type id), both directions.
        self.associations: set[tuple[str, str, str, str, int]] = set()
        self._next_id = 100
        objects = "/crm/v3/objects"
        self._add("POST", f"{objects}/contacts/batch/upsert", self._upsert_contacts)
        self._add("POST", f"{objects}/tickets/batch/upsert", self._upsert_tickets)
        self._add("POST", f"{objects}/notes", self._create_note)
        self._add("POST", f"{objects}/notes/batch/read", self._read_notes)
        kinds = "contacts|tickets|notes"
        one = rf"(?P<kind>{kinds})/(?P<id>\d+)/associations/(?P<to>{kinds})"
        self._add("PUT", rf"/crm/v4/objects/{one}/(?P<to_id>\d+)", self._associate)
        self._add("GET", rf"/crm/v4/objects/{one}", self._list_associations)

    def rate_limit(
        self,
        policy: str = "TEN_SECONDLY_ROLLING",
        *,
        retry_after: float | None = 1,
        times: int = 1,
        match: str = ".*",
    ) -> None:
        """Answer the next ``times`` matching requests with the 429 of ``policy``
        (``TEN_SECONDLY_ROLLING``, ``SECONDLY`` or ``DAILY``); ``retry_after=None`` leaves
        out ``Retry-After``."""
        self.fail_next(self.limit_reply(policy, retry_after), times=times, match=match)

    @staticmethod
    def limit_reply(policy: str, retry_after: float | None = 1) -> Reply:
        """The 429 HubSpot answers when ``policy``'s limit is reached."""
        daily = policy == "DAILY"
        headers = {
            "X-HubSpot-RateLimit-Daily": "250000",
            "X-HubSpot-RateLimit-Daily-Remaining": "0" if daily else "249000",
            "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
            "X-HubSpot-RateLimit-Max": "190",
            "X-HubSpot-RateLimit-Remaining": "100" if daily else "0",
            "X-HubSpot-RateLimit-Secondly": "19",
            "X-HubSpot-RateLimit-Secondly-Remaining": "0" if policy == "SECONDLY" else "10",
        }
        if retry_after is not None:
            headers["Retry-After"] = f"{retry_after:g}"
        body = {
            "status": "error",
            "message": LIMIT_MESSAGES.get(policy, f"You have reached your {policy} limit."),
            "errorType": "RATE_LIMIT",
            "correlationId": str(uuid.uuid4()),
            "policyName": policy,
            "groupName": "api-product:private-app",
        }
        return json_reply(429, body, headers)

    def associated(self, kind: str, object_id: str, to: str) -> set[str]:
        """Ids of the ``to`` objects associated with one object (under the state lock
        in handlers; call it from a test once the sink is done)."""
        return {a[3] for a in self.associations if a[:3] == (kind, object_id, to)}

    def _add(self, method: str, path: str, handler: Handler) -> None:
        self.route(method, path, lambda request: self._authorized(request, handler))

    def _authorized(self, request: ApiRequest, handler: Handler) -> Reply:
        given = request.headers.get("authorization", "")
        if given != f"Bearer {self.token}":
            return error_reply(
                401,
                "INVALID_AUTHENTICATION",
                "Authentication credentials not found. This API supports OAuth 2.0 "
                "authentication and you can find more details at "
                "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            )
        try:
            body = request.json()
        except ValueError:
            return error_reply(400, "VALIDATION_ERROR", "Invalid input JSON on line 1")
        if request.method != "GET" and body is None:
            return error_reply(400, "VALIDATION_ERROR", "Invalid input JSON: no content")
        return handler(request)

    def _new_id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def _upsert_contacts(self, request: ApiRequest) -> Reply:
        [item] = request.json()["inputs"]
        if item.get("idProperty") != "email":
            return error_reply(400, "VALIDATION_ERROR", "idProperty must be email or unique")
        properties = {k: str(v) for k, v in (item.get("properties") or {}).items()}
        unknown = sorted(set(properties) - CONTACT_PROPERTIES)
        if unknown:
            name = unknown[0]
            return _invalid(name, f'Property "{name}" does not exist', "PROPERTY_DOESNT_EXIST")
        email = str(item.get("id", "")).strip().lower()
        if "@" not in email or email.startswith("@") or email.endswith("@"):
            return _invalid("email", f"Email address {item.get('id')} is invalid", "INVALID_EMAIL")
        found = [cid for cid, c in self.contacts.items() if c.get("email") == email]
        new = not found
        contact_id = self._new_id() if new else found[0]
        stored = self.contacts.setdefault(contact_id, {"email": email})
        stored.update({**properties, "email": email})
        return self._batch_answer(contact_id, stored, new)

    def _upsert_tickets(self, request: ApiRequest) -> Reply:
        [item] = request.json()["inputs"]
        key = item.get("idProperty")
        if key is None or key != self.unique_ticket_property:
            return error_reply(
                400,
                "VALIDATION_ERROR",
                f"Property {key} is not a unique identifier property for object type 0-5. "
                "Create it with hasUniqueValue set to true first.",
            )
        properties = {k: str(v) for k, v in (item.get("properties") or {}).items()}
        problem = self._ticket_problem(properties)
        if problem is not None:
            return problem
        value = str(item.get("id", ""))
        found = [tid for tid, t in self.tickets.items() if t.get(key) == value]
        new = not found
        ticket_id = self._new_id() if new else found[0]
        stored = self.tickets.setdefault(ticket_id, {})
        stored.update({**properties, key: value})
        return self._batch_answer(ticket_id, stored, new)

    def _ticket_problem(self, properties: dict[str, str]) -> Reply | None:
        own = self.unique_ticket_property
        known = TICKET_PROPERTIES if own is None else TICKET_PROPERTIES | {own}
        unknown = sorted(set(properties) - known)
        if unknown:
            name = unknown[0]
            return _invalid(name, f'Property "{name}" does not exist', "PROPERTY_DOESNT_EXIST")
        pipeline = properties.get("hs_pipeline", "0")
        if pipeline not in PIPELINES:
            return _invalid("hs_pipeline", f"{pipeline} is not a valid pipeline", "INVALID_OPTION")
        stage = properties.get("hs_pipeline_stage")
        if stage is None:
            return _invalid("hs_pipeline_stage", "hs_pipeline_stage is required", "REQUIRED")
        if stage not in PIPELINES[pipeline]:
            allowed = ", ".join(PIPELINES[pipeline])
            text = f"{stage} was not one of the allowed options: [{allowed}]"
            return _invalid("hs_pipeline_stage", text, "INVALID_OPTION")
        priority = properties.get("hs_ticket_priority")
        if priority is not None and priority not in PRIORITIES:
            text = f"{priority} was not one of the allowed options: [{', '.join(PRIORITIES)}]"
            return _invalid("hs_ticket_priority", text, "INVALID_OPTION")
        return None

    def _batch_answer(self, object_id: str, properties: dict[str, str], new: bool) -> Reply:
        now = _now()
        result = {
            "id": object_id,
            "properties": dict(properties),
            "createdAt": now,
            "updatedAt": now,
            "archived": False,
            "new": new,
        }
        body = {"status": "COMPLETE", "results": [result], "startedAt": now, "completedAt": now}
        return json_reply(200, body)

    def _create_note(self, request: ApiRequest) -> Reply:
        given = request.json()
        properties = {k: str(v) for k, v in (given.get("properties") or {}).items()}
        if "hs_timestamp" not in properties:
            return _invalid("hs_timestamp", "hs_timestamp is required", "REQUIRED")
        if len(properties.get("hs_note_body", "")) > NOTE_BODY_LIMIT:
            text = f"hs_note_body is longer than {NOTE_BODY_LIMIT} characters"
            return _invalid("hs_note_body", text, "MAX_CHARACTERS")
        links = []
        for association in given.get("associations") or []:
            to_id = str(association["to"]["id"])
            type_id = association["types"][0]["associationTypeId"]
            to = {202: "contacts", 228: "tickets"}.get(type_id)
            if to is None or to_id not in self._objects(to):
                text = f"Association to {to_id} with type {type_id} is not valid"
                return error_reply(400, "VALIDATION_ERROR", text)
            links.append((to, to_id))
        note_id = self._new_id()
        self.notes[note_id] = properties
        for to, to_id in links:
            self._link("notes", note_id, to, to_id)
        now = _now()
        answer = {"id": note_id, "properties": properties, "createdAt": now, "updatedAt": now}
        return json_reply(201, {**answer, "archived": False})

    def _read_notes(self, request: ApiRequest) -> Reply:
        given = request.json()
        wanted = given.get("properties") or []
        results = []
        for item in given.get("inputs") or []:
            note = self.notes.get(str(item["id"]))
            if note is not None:
                properties = {name: note.get(name) for name in wanted}
                results.append({"id": str(item["id"]), "properties": properties})
        return json_reply(200, {"status": "COMPLETE", "results": results})

    def _objects(self, kind: str) -> dict[str, dict[str, str]]:
        return {"contacts": self.contacts, "tickets": self.tickets, "notes": self.notes}[kind]

    def _link(self, kind: str, object_id: str, to: str, to_id: str) -> None:
        self.associations.add((kind, object_id, to, to_id, ASSOCIATION_TYPES[(kind, to)]))
        if (to, kind) in ASSOCIATION_TYPES:
            self.associations.add((to, to_id, kind, object_id, ASSOCIATION_TYPES[(to, kind)]))

    def _associate(self, request: ApiRequest) -> Reply:
        kind, to = request.params["kind"], request.params["to"]
        object_id, to_id = request.params["id"], request.params["to_id"]
        for each, each_id in ((kind, object_id), (to, to_id)):
            if each_id not in self._objects(each):
                text = f"No {each[:-1]} with ID {each_id} exists"
                return error_reply(404, "OBJECT_NOT_FOUND", text)
        types = request.json()
        wanted = ASSOCIATION_TYPES.get((kind, to))
        if [t.get("associationTypeId") for t in types] != [wanted]:
            return error_reply(400, "VALIDATION_ERROR", f"invalid association type {types}")
        self._link(kind, object_id, to, to_id)
        answer = {
            "fromObjectTypeId": TYPE_IDS[kind],
            "fromObjectId": int(object_id),
            "toObjectTypeId": TYPE_IDS[to],
            "toObjectId": int(to_id),
            "labels": [],
        }
        return json_reply(200, answer)

    def _list_associations(self, request: ApiRequest) -> Reply:
        kind, to, object_id = request.params["kind"], request.params["to"], request.params["id"]
        limit = int(request.query.get("limit", ["500"])[0])
        start = int(request.query.get("after", ["0"])[0])
        found = sorted(self.associated(kind, object_id, to), key=int)
        page = found[start : start + limit]
        results = [
            {
                "toObjectId": int(to_id),
                "associationTypes": [
                    {
                        "category": "HUBSPOT_DEFINED",
                        "typeId": ASSOCIATION_TYPES[(kind, to)],
                        "label": None,
                    }
                ],
            }
            for to_id in page
        ]
        body: dict[str, Any] = {"results": results}
        if start + limit < len(found):
            body["paging"] = {"next": {"after": str(start + limit), "link": None}}
        return json_reply(200, body)
