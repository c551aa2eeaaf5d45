"""The receipt hash of a case: what a stored result and a printed table both show.

A result row (`bot.storage`) and a repayment-table document (`dialogs.documents`) name
the inputs they were computed from by the same digest, so a printed table can be matched
to the receipt of the conversation (or API call) that produced it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def inputs_hash(case: Any) -> str:
    """SHA-256 of the canonical JSON of a case (sorted keys, no spaces, UTF-8)."""
    canonical = json.dumps(
        case, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
