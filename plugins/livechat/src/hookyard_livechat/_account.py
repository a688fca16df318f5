"""License configuration actions (groups, tags, auto access rules): ``config.changed``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard_livechat._fields import Obj, rejected

if TYPE_CHECKING:
    from collections.abc import Callable

    from hookyard import Event
    from hookyard_livechat._delivery import Delivery

__all__ = ["CONFIG_HANDLERS"]


def _group_id(fields: Obj) -> str:
    """A group's integer ``id`` as text; its other documented fields are checked too."""
    fields.opt_str("name")
    fields.opt_str("language_code")
    priorities = fields.opt_obj("agent_priorities")
    if priorities is not None:
        for agent_id in priorities.value:
            priorities.req_str(agent_id)
    return str(fields.group_id("id"))


def _tag_name(fields: Obj) -> str:
    """A tag's ``name``, which identifies it; its other documented fields are checked too."""
    fields.ints("group_ids")
    fields.opt_str("author_id")
    fields.opt_time("created_at")
    return fields.req_str("name")


def _configured(
    kind: str, operation: str, identify: Callable[[Obj], str], key: str
) -> Callable[[Delivery], Event]:
    """The handler of one group or tag action.

    ``data`` says ``{object, operation, object_id}``; ``changes`` holds the fields sent other
    than the identifying ``key`` (the full state for ``created``, the changed fields for
    ``updated``, nothing for ``deleted``).

    The actions of one group or tag share the group ``config_<kind>`` and its id,
    ``tag_created`` too although its ``created_at`` makes its id unique: a tag is deleted
    with the same body each time, so the creation between two deletions tells them apart.
    """

    def handle(delivery: Delivery) -> Event:
        fields = delivery.fields()
        object_id = identify(fields)
        created_at = fields.opt_time("created_at") if kind == "tag" else None
        return delivery.event(
            "config.changed",
            delivery.stable_id(fields.value, delivery.requester),
            occurred_at=created_at,
            changes={k: v for k, v in fields.value.items() if k != key},
            data={"object": kind, "operation": operation, "object_id": object_id},
            dedup_group=delivery.group(f"config_{kind}", object_id),
        )

    return handle


def auto_accesses_updated(delivery: Delivery) -> Event:
    """``config.changed``: ``changes.auto_accesses`` lists the rules added, updated or
    deleted (``{id, status, ...}`` each), as sent. A change may touch several rules, so
    the organization's rules are one group."""
    if not isinstance(delivery.payload, list):
        raise rejected("payload", "an array", delivery.payload)
    rules = [Obj.of(item, f"payload[{i}]") for i, item in enumerate(delivery.payload)]
    for rule in rules:
        rule.req_str("id")
        rule.opt_str("status")
        rule.opt_str("next_id")
    sent = [rule.value for rule in rules]
    return delivery.event(
        "config.changed",
        delivery.stable_id(sent, delivery.requester),
        changes={"auto_accesses": sent},
        data={"object": "auto_access", "operation": "updated", "object_id": None},
        dedup_group=delivery.group("auto_access"),
    )


#: Group, tag and auto access actions -> their handlers. ``auto_access_added`` is the
#: action the vendor docs' auto access samples carry, so it is read the same way.
CONFIG_HANDLERS: dict[str, Callable[[Delivery], Event]] = {
    "group_created": _configured("group", "created", _group_id, "id"),
    "group_updated": _configured("group", "updated", _group_id, "id"),
    "group_deleted": _configured("group", "deleted", _group_id, "id"),
    "tag_created": _configured("tag", "created", _tag_name, "name"),
    "tag_updated": _configured("tag", "updated", _tag_name, "name"),
    "tag_deleted": _configured("tag", "deleted", _tag_name, "name"),
    "auto_accesses_updated": auto_accesses_updated,
    "auto_access_added": auto_accesses_updated,
}
