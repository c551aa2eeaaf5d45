"""docs/parameters.md is generated from the parameter files and must be up to date."""

from __future__ import annotations

from rules.reference import DEFAULT_PATH, render


def test_reference_page_is_up_to_date() -> None:
    assert DEFAULT_PATH.read_text(encoding="utf-8") == render(), (
        "docs/parameters.md is out of date: run `python -m rules.reference`"
    )
