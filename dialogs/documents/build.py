"""Which regime's table, in which format: checks, file names, and the one entry point.

`build_document(answer, regime, fmt, lang, case)` takes the rules core's answer for
`case` and returns the bytes; `render_document(Document)` evaluates a stored request
first (what a transport calls when it sends a reply with an attachment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from dialogs.events import DOCUMENT_FORMATS, Document, DocumentFormat
from dialogs.i18n import N_, Translator
from rules import evaluate, inputs_hash

#: The file name's first word, ASCII in every language.
FILE_WORD = N_("repayment-table")
MEDIA_TYPES: dict[str, str] = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}

#: Why a regime gives no table, in words (the `reason` of DocumentUnavailable).
REASONS: dict[str, str] = {
    "unknown_regime": N_("leenwijzer knows no regime called {regime}."),
    "not_eligible": N_("{regime} does not apply to this case, so there is no repayment table."),
    "needs_info": N_(
        "{regime} is not decided yet for this case, so there is no repayment table; it still "
        "depends on: {fields}."
    ),
    "incomplete_loan": N_(
        "The loan is not complete (amount, rate, duration, repayment and payments), so there "
        "is no repayment table for {regime}."
    ),
}


class DocumentUnavailable(Exception):
    """The case gives no repayment table for this regime (never an empty document)."""

    def __init__(self, regime: str, reason: str, missing: tuple[str, ...] = ()) -> None:
        super().__init__(f"{regime}: {reason}")
        self.regime = regime
        self.reason = reason
        self.missing = missing

    def message(self, tr: Translator) -> str:
        """Why, in the person's language."""
        from dialogs.render import regime_name

        name = regime_name(tr, self.regime)
        return tr(REASONS[self.reason], regime=name, fields=", ".join(self.missing))


@dataclass(frozen=True)
class RenderedDocument:
    """A document's bytes with what a transport needs to send it."""

    content: bytes
    media_type: str
    filename: str


def schedule_part(answer: dict[str, Any], regime: str) -> dict[str, Any]:
    """The regime's part of the answer when it has a simulation, else DocumentUnavailable."""
    for part in answer["regimes"]:
        if part["regime"] != regime:
            continue
        if part.get("simulation"):
            return dict(part)
        if part["verdict"] == "not_eligible":
            raise DocumentUnavailable(regime, "not_eligible")
        missing = tuple(part.get("missing", []))
        if part["verdict"] == "needs_info" and missing:
            raise DocumentUnavailable(regime, "needs_info", missing)
        raise DocumentUnavailable(regime, "incomplete_loan")
    raise DocumentUnavailable(regime, "unknown_regime")


def document_filename(tr: Translator, regime: str, fmt: str, closing_date: str) -> str:
    """ASCII file name in the language: aflossingstabel-<regime key>-2024-03-15.pdf."""
    word = tr(FILE_WORD)
    return f"{word}-{regime}-{closing_date}.{fmt}"


def document_request(
    answer: dict[str, Any], case: dict[str, Any], regime: str, fmt: DocumentFormat, lang: str
) -> Document:
    """The attachment a reply carries: checked now, rendered by the transport later."""
    schedule_part(answer, regime)
    tr = Translator(lang)
    return Document(
        format=fmt,
        regime=regime,
        lang=tr.lang,
        filename=document_filename(tr, regime, fmt, answer["closing_date"]),
        case=case,
        on=answer["closing_date"],
    )


def build_document(
    answer: dict[str, Any], regime: str, fmt: str, lang: str, case: dict[str, Any]
) -> RenderedDocument:
    """The regime's repayment table for `case` (whose rules answer is `answer`) as `fmt`."""
    if fmt not in DOCUMENT_FORMATS:
        raise ValueError(f"unknown document format {fmt!r}")
    part = schedule_part(answer, regime)
    tr = Translator(lang)
    if fmt == "pdf":
        from dialogs.documents.pdf import schedule_pdf

        content = schedule_pdf(tr, answer, part, case, inputs_hash(case))
    else:
        from dialogs.documents.csvfile import schedule_csv

        content = schedule_csv(tr, part["simulation"])
    return RenderedDocument(
        content, MEDIA_TYPES[fmt], document_filename(tr, regime, fmt, answer["closing_date"])
    )


def render_document(document: Document) -> RenderedDocument:
    """A stored request's bytes: the case evaluated again (same rules, same figures)."""
    answer = evaluate(document.case, today=date.fromisoformat(document.on))
    return build_document(answer, document.regime, document.format, document.lang, document.case)
