"""`leenwijzer evaluate CASE.json`: the evaluate contract on the command line.

Prints the answer JSON on stdout and exits 0; bad input (a field, or a file that is not
UTF-8 JSON) gets a one-line message naming it on stderr, exit 2, and nothing on stdout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from rules import Case, CaseError, evaluate, parse_case

EXIT_BAD_INPUT = 2
TOO_DEEP = "not valid JSON: nested too deeply"


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


def _read_bytes(path: str) -> bytes:
    """The raw bytes of `path`, or of standard input for `-` (decoded by us, not the locale)."""
    if path != "-":
        return Path(path).read_bytes()
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text-only stream (an embedding program replaced sys.stdin)
        return sys.stdin.read().encode("utf-8", "surrogateescape")
    data: bytes = buffer.read()
    return data


class BadCaseInput(ValueError):
    """A case file that cannot be read as a case: the message says why, in one line."""


def read_case(path: str) -> tuple[Any, Case]:
    """The JSON of the case in `path` (`-` = standard input) and the case it validates to.

    Every bad input, JSON nested too deeply or bytes that are not UTF-8 included, raises
    `BadCaseInput` with a one-line message (never a traceback); shared by every command
    that reads a case file.
    """
    try:
        raw = _read_bytes(path)
    except OSError as exc:
        raise BadCaseInput(f"cannot read {path}: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark (Windows editors) is not data
    except UnicodeDecodeError as exc:
        raise BadCaseInput(
            f"not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start}"
        ) from None
    try:
        data = json.loads(text, parse_float=JsonFraction)
    except RecursionError:
        raise BadCaseInput(TOO_DEEP) from None
    except ValueError as exc:
        raise BadCaseInput(f"not valid JSON: {exc}") from None
    try:
        case = parse_case(data)
    except RecursionError:  # the validation's depth budget is what is left of the stack
        raise BadCaseInput(TOO_DEEP) from None
    except CaseError as err:
        raise BadCaseInput("; ".join(f"{f}: {m}" for f, m in err.errors)) from None
    return data, case


def run_evaluate(path: str) -> int:
    """Evaluate the case in `path` (`-` = standard input) and print the answer; bad input
    is a one-line message on stderr and exit 2 (see `read_case`)."""
    try:
        _data, case = read_case(path)
    except BadCaseInput as bad:
        return _fail(str(bad))
    answer = json.dumps(evaluate(case), ensure_ascii=False, indent=2)
    try:
        sys.stdout.write(answer + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # the reader (e.g. `head`) stopped early: not our error
        sys.stderr.close()
    return 0
