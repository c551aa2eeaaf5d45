"""`leenwijzer evaluate CASE.json`: the evaluate contract on the command line.

Prints the answer JSON on stdout and exits 0; bad input gets a message naming the
field on stderr, exit 2, and nothing on stdout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rules import CaseError, evaluate, parse_case

EXIT_BAD_INPUT = 2


def _fail(message: str) -> int:
    print(f"leenwijzer evaluate: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


class JsonFraction:
    """A JSON number with a fraction or an exponent, kept apart (not a float, not a
    string) so that the case validation refuses it by field instead of reading a float."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def run_evaluate(path: str) -> int:
    """Evaluate the case in `path` (`-` = standard input) and print the answer."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        return _fail(f"cannot read {path}: {exc.strerror}")
    try:
        data = json.loads(text, parse_float=JsonFraction)
    except ValueError as exc:
        return _fail(f"not valid JSON: {exc}")
    try:
        case = parse_case(data)
    except CaseError as err:
        return _fail("; ".join(f"{field}: {message}" for field, message in err.errors))
    answer = json.dumps(evaluate(case), ensure_ascii=False, indent=2)
    try:
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader (e.g. `head`) stopped early: not our error
        sys.stderr.close()
    return 0
