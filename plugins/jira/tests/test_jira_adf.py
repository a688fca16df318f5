"""Plain text as Jira shows it: paragraphs, line breaks, a one-line summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hookyard_jira import to_adf, to_summary

if TYPE_CHECKING:
    from typing import Any


def texts(document: dict[str, Any]) -> list[list[str]]:
    """Each paragraph's nodes: the text, or ``|`` for a hard break."""
    return [
        [node.get("text", "|") for node in paragraph["content"]]
        for paragraph in document["content"]
    ]


def test_blank_lines_separate_paragraphs_and_line_breaks_stay() -> None:
    document = to_adf("Hello,\r\nmy order\n\n\n  \nOrder 1234.\n")
    assert (document["type"], document["version"]) == ("doc", 1)
    assert texts(document) == [["Hello,", "|", "my order"], ["Order 1234."]]


def test_an_empty_line_inside_a_paragraph_is_two_breaks_and_no_empty_text() -> None:
    """Jira refuses a text node with empty text."""
    assert texts(to_adf("a\n\nb")) == [["a"], ["b"]]
    assert texts(to_adf("a\n \tb")) == [["a", "|", " \tb"]]
    assert all(n.get("text") != "" for p in to_adf("x\n\ny\n").get("content") for n in p["content"])


def test_blank_text_is_an_empty_document() -> None:
    assert to_adf(" \n\n\t\n")["content"] == []


def test_control_characters_are_dropped() -> None:
    assert texts(to_adf("bell\x07 and nul\x00")) == [["bell and nul"]]


def test_a_summary_is_one_line_of_at_most_255_characters() -> None:
    assert to_summary("Order\n  not\tdelivered ") == "Order not delivered"
    long = to_summary("word " * 100)
    assert len(long) == 255 and long.endswith("…")
