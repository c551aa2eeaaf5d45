"""The schedule as CSV for a spreadsheet: one row per instalment, a header in the language.

UTF-8 with a byte order mark (so that Excel reads the accents), `;` with decimal commas
for nl/fr (what a Belgian spreadsheet expects), `,` with decimal points for en. Dates are
ISO (2024-04-15), which every spreadsheet reads as a date whatever its language. Amounts
have no thousands separator and no currency sign, so they stay numbers. A text cell that
a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return)
gets a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.numbers import format_decimal

from dialogs.documents.texts import AMOUNT_FIELDS, SCHEDULE_COLUMNS
from dialogs.i18n import CENT, Translator

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def guard(text: str) -> str:
    """A text cell that no spreadsheet runs as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def delimiter(tr: Translator) -> str:
    """`;` where the decimal mark is a comma (nl, fr), `,` otherwise (en)."""
    return ";" if tr.lang in ("nl", "fr") else ","


def number(tr: Translator, value: str | Decimal) -> str:
    """An amount as a spreadsheet reads it in the language: 1234,50 / 1234.50."""
    cents = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return format_decimal(cents, format="0.00", locale=tr.locale)


def schedule_csv(tr: Translator, sim: dict[str, Any]) -> bytes:
    """The schedule's rows (no., date, interest, capital, outstanding, withholding, net)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter(tr), lineterminator="\r\n")
    writer.writerow([guard(tr(column)) for column in SCHEDULE_COLUMNS])
    for instalment in sim["instalments"]:
        writer.writerow(
            [
                str(int(instalment["n"])),
                guard(str(instalment["date"])),
                *(number(tr, instalment[name]) for name in AMOUNT_FIELDS),
            ]
        )
    return (BOM + out.getvalue()).encode("utf-8")
