"""docs/flow.md is generated from the flow definition and must be current."""

from __future__ import annotations

from dialogs.diagram import DOC_PATH, render
from dialogs.flow import FLOW


def test_flow_page_is_up_to_date() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render(), (
        "docs/flow.md is out of date: run python -m dialogs.diagram"
    )


def test_every_question_is_in_the_diagram() -> None:
    page = render()
    assert "```mermaid" in page
    for question in FLOW:
        assert f"<small>{question.field}</small>" in page
