"""JSON Schemas of the evaluate contract, shipped so that the web API can publish them."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from rules.case import Case

_HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def answer_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an evaluate answer."""
    loaded: dict[str, Any] = json.loads((_HERE / "evaluate-answer.schema.json").read_text("utf-8"))
    return loaded


def case_schema() -> dict[str, Any]:
    """The JSON Schema of a case, derived from the case model (serialisation form)."""
    return Case.model_json_schema(mode="serialization")
