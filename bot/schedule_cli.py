"""`leenwijzer schedule CASE.json --regime KEY --format pdf --lang nl -o FILE`.

Writes the regime's repayment table for the case as a PDF or CSV (`-o -`: standard
output; without `-o`: the document's own file name in the current directory) and prints
the path on stderr. Bad input exits 2 naming the field; a regime that gives no table for
this case (not eligible, not decided, loan incomplete) exits 3 saying why, in the
language. Nothing is written in either case.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bot.evaluate_cli import BadCaseInput, read_case
from rules import evaluate

EXIT_BAD_INPUT = 2
EXIT_NO_TABLE = 3


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    print(f"leenwijzer schedule: {message}", file=sys.stderr)
    return code


def run_schedule(path: str, regime: str, fmt: str, lang: str, output: str | None) -> int:
    """Write the document; 0 when written, 2 on bad input, 3 when no table applies."""
    from dialogs.documents import DocumentUnavailable, build_document
    from dialogs.i18n import Translator

    try:
        data, case = read_case(path)
    except BadCaseInput as bad:
        return _fail(str(bad))
    answer = evaluate(case)
    known = [part["regime"] for part in answer["regimes"]]
    if regime not in known:
        return _fail(f"unknown regime {regime!r} (one of: {', '.join(known)})")
    try:
        document = build_document(answer, regime, fmt, lang, data)
    except DocumentUnavailable as refused:
        return _fail(refused.message(Translator(lang)), EXIT_NO_TABLE)
    if output == "-":
        sys.stdout.buffer.write(document.content)
        sys.stdout.flush()
        return 0
    target = Path(output) if output else Path.cwd() / document.filename
    try:
        target.write_bytes(document.content)
    except OSError as exc:
        return _fail(f"cannot write {target}: {exc.strerror}")
    print(f"{target} ({len(document.content)} bytes)", file=sys.stderr)
    return 0
