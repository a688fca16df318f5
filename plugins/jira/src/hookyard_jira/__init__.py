"""The ``jira`` sink: one Jira Cloud issue per conversation, and comments on it.

``create_issue`` makes the conversation's issue (summary, description as Atlassian
Document Format, labels, priority, other fields) and keeps its key for the conversation;
``add_comment`` comments on it. Both look for what an earlier attempt made before writing
again (README.md, "Exactly once"). Plain async httpx against Jira's REST API v3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard import SinkSpec, hookimpl
from hookyard_jira._adf import to_adf, to_summary
from hookyard_jira._config import (
    AddCommentParams,
    CreateIssueParams,
    Fields,
    JiraConfig,
    Labels,
    structure_fields,
    structure_labels,
)
from hookyard_jira._sink import PROPERTY, JiraSink, conversation_label

if TYPE_CHECKING:
    from collections.abc import Callable

    import cattrs

__all__ = [
    "ACTIONS",
    "PROPERTY",
    "AddCommentParams",
    "CreateIssueParams",
    "JiraConfig",
    "JiraSink",
    "conversation_label",
    "hookyard_configure_converter",
    "hookyard_register_sinks",
    "to_adf",
    "to_summary",
]

#: The actions routes may pick; ``create_issue`` is the default.
ACTIONS = ("create_issue", "add_comment")


@hookimpl
def hookyard_configure_converter(converter: cattrs.Converter) -> None:
    """``labels`` is a list (a bare string is reported, not read as a list of its letters),
    ``fields`` a mapping."""
    converter.register_structure_hook(Labels, structure_labels)
    converter.register_structure_hook(Fields, structure_fields)


@hookimpl
def hookyard_register_sinks(register: Callable[[SinkSpec], None]) -> None:
    """Register the ``jira`` sink."""
    register(
        SinkSpec(
            name="jira",
            config_type=JiraConfig,
            open=JiraSink,
            actions=ACTIONS,
            params={"create_issue": CreateIssueParams, "add_comment": AddCommentParams},
        )
    )
