"""Plain text as Atlassian Document Format, the only body Jira Cloud's API v3 takes."""

from __future__ import annotations

import re
from typing import Any

__all__ = ["to_adf", "to_summary"]

#: Jira's longest summary.
SUMMARY_CHARS = 255
_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
#: Control characters other than tab and line breaks: Jira's document parser refuses them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def to_adf(text: str) -> dict[str, Any]:
    """A document of paragraphs: blank lines separate them, a single line break inside one
    is a ``hardBreak``. Blank text gives a document with no content."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip("\n")
    paragraphs = [p for p in _BLANK_LINES.split(text) if p.strip()]
    return {"type": "doc", "version": 1, "content": [_paragraph(p) for p in paragraphs]}


def _paragraph(text: str) -> dict[str, Any]:
    content: list[dict[str, Any]] = []
    for number, line in enumerate(text.split("\n")):
        if number:
            content.append({"type": "hardBreak"})
        if line:
            content.append({"type": "text", "text": line})
    return {"type": "paragraph", "content": content}


def to_summary(text: str) -> str:
    """One line of at most 255 characters: line breaks and runs of spaces become one space."""
    line = " ".join(_CONTROL.sub("", text).split())
    if len(line) <= SUMMARY_CHARS:
        return line
    return line[: SUMMARY_CHARS - 1].rstrip() + "…"
