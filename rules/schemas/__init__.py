"""JSON Schemas of the evaluate contract, shipped so that the web API can publish them."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from rules.case import Case
from rules.regimes import REGIMES

_HERE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def answer_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an evaluate answer, with one entry per regime of
    the registry (in its order) filled into the shipped file."""
    loaded: dict[str, Any] = json.loads((_HERE / "evaluate-answer.schema.json").read_text("utf-8"))
    names = [regime.name for regime in REGIMES]
    loaded["properties"]["regimes"].update(
        minItems=len(names),
        maxItems=len(names),
        prefixItems=[
            {"$ref": "#/$defs/regime", "properties": {"regime": {"const": name}}} for name in names
        ],
    )
    loaded["$defs"]["regime"]["properties"]["regime"]["enum"] = names
    return loaded


def case_schema() -> dict[str, Any]:
    """The JSON Schema of a case, derived from the case model (serialisation form)."""
    return Case.model_json_schema(mode="serialization")
