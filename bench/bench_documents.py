"""Benchmark of the repayment-table documents: PDF and CSV of a 120-row schedule.

Run from the repository root: `python bench/bench_documents.py [--runs N]`. Prints, per
format and language, the document's size in bytes and the median and 95th percentile
generation time in milliseconds (`dialogs.documents.build_document` from an evaluate
answer computed once; the answer's own cost is `bench_rules.py`'s `evaluate`). Timings
are reported, never asserted in tests.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "bench"))
from bench_rules import ELIGIBLE_CASE  # noqa: E402

from dialogs.documents import build_document  # noqa: E402
from rules import evaluate  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    case = copy.deepcopy(ELIGIBLE_CASE)
    answer = evaluate(case)
    rows = len(
        next(p for p in answer["regimes"] if p["regime"] == "winwin")["simulation"]["instalments"]
    )
    print(f"winwin, {rows} instalments, {args.runs} runs each")
    for fmt in ("pdf", "csv"):
        for lang in ("nl", "fr", "en"):
            for _ in range(3):  # warm-up: imports, catalogs, fonts
                build_document(answer, "winwin", fmt, lang, case)
            times = []
            size = 0
            for _ in range(args.runs):
                start = time.perf_counter()
                size = len(build_document(answer, "winwin", fmt, lang, case).content)
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
            print(
                f"{fmt} {lang}: {size:>6} bytes  median {statistics.median(times):7.2f} ms"
                f"  p95 {p95:7.2f} ms"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
