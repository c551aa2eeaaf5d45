"""The repayment table as an A4 PDF to sign with the deed (reportlab, built-in Helvetica).

Helvetica's standard encoding has the euro sign and the no-break space but not the
narrow no-break space that French number formats use as a group separator: it is
printed as a no-break space. The file is reproducible: reportlab's `invariant` mode fixes
the creation date and the document id, so the same answer gives the same bytes.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from dialogs.documents import texts as T
from dialogs.documents.texts import amount, field_value
from dialogs.i18n import Translator
from dialogs.render import DISCLAIMER, regime_name, show_answer

MARGIN = 1.8 * cm
FONT, BOLD = "Helvetica", "Helvetica-Bold"
GRID = colors.HexColor("#9aa5b1")
HEAD = colors.HexColor("#e6ebf1")

STYLES = {
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=16, leading=20, spaceAfter=4),
    "subtitle": ParagraphStyle("subtitle", fontName=FONT, fontSize=10, leading=13),
    "h2": ParagraphStyle(
        "h2", fontName=BOLD, fontSize=11.5, leading=14, spaceBefore=10, spaceAfter=4
    ),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, spaceAfter=3),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=7.5, leading=9.5, spaceAfter=2),
    "cell": ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10),
    "num": ParagraphStyle("num", fontName=FONT, fontSize=8, leading=10, alignment=TA_RIGHT),
    "head": ParagraphStyle("head", fontName=BOLD, fontSize=8, leading=9.5),
    "headnum": ParagraphStyle(
        "headnum", fontName=BOLD, fontSize=8, leading=9.5, alignment=TA_RIGHT
    ),
}


def printable(text: str) -> str:
    """Text in Helvetica's encoding (U+202F, narrow no-break space, is not in it)."""
    return text.replace("\u202f", "\u00a0")


def para(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(printable(text)), STYLES[style])


def header(tr: Translator, columns: tuple[str, ...]) -> list[Paragraph]:
    """A header row whose titles wrap inside their column (first left, others right)."""
    return [para(tr(c), "head" if i == 0 else "headnum") for i, c in enumerate(columns)]


def grid_style(header_rows: int = 1, total_row: bool = False) -> TableStyle:
    """Thin grid, grey header (repeated on each page), numbers right-aligned."""
    commands: list[Any] = [
        ("FONT", (0, 0), (-1, -1), FONT, 8),
        ("FONT", (0, 0), (-1, header_rows - 1), BOLD, 8),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), HEAD),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    if total_row:
        commands += [("FONT", (0, -1), (-1, -1), BOLD, 8), ("BACKGROUND", (0, -1), (-1, -1), HEAD)]
    return TableStyle(commands)


def numbered_canvas(tr: Translator, footer: str) -> type[Canvas]:
    """A canvas that writes "Page n of N" and a footer line once the page count is known."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self.setFont(FONT, 7.5)
                self.setFillColor(colors.HexColor("#4a5562"))
                self.drawString(MARGIN, 1.0 * cm, printable(footer))
                self.drawRightString(
                    A4[0] - MARGIN,
                    1.0 * cm,
                    printable(tr(T.PAGE, page=number, pages=total)),
                )
                super().showPage()
            super().save()

    return NumberedCanvas


def _terms(tr: Translator, case: dict[str, Any], closing: str) -> Table:
    from dialogs.flow import QUESTIONS

    rows = [[para(tr(T.CLOSING), "cell"), para(tr.date(closing), "cell")]]
    for name in T.TERM_FIELDS:
        value = field_value(case, name)
        if value is None and name == "loan.grace_years":
            value = 0
        if value is None:
            continue
        rows.append(
            [para(tr(QUESTIONS[name].label), "cell"), para(show_answer(name, value, tr), "cell")]
        )
    table = Table(rows, colWidths=[5.5 * cm, 8 * cm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, GRID),
                ("BACKGROUND", (0, 0), (0, -1), HEAD),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _party(tr: Translator, label: str, case: dict[str, Any], fields: tuple[str, ...]) -> Paragraph:
    known = [
        show_answer(name, field_value(case, name), tr)
        for name in fields
        if field_value(case, name) is not None
    ]
    about = f" ({', '.join(known)})" if known else ""
    return para(f"{tr(label)}: {'_' * 44}{about}")


def _schedule(tr: Translator, sim: dict[str, Any]) -> LongTable:
    rows: list[list[Any]] = [header(tr, T.SCHEDULE_COLUMNS)]
    for i in sim["instalments"]:
        rows.append(
            [str(i["n"]), printable(tr.date(i["date"]))]
            + [printable(amount(tr, i[name])) for name in T.AMOUNT_FIELDS]
        )
    capital = sum((Decimal(i["capital"]) for i in sim["instalments"]), Decimal(0))
    rows.append(
        [
            printable(tr(T.TOTAL)),
            "",
            printable(amount(tr, sim["total_interest"])),
            printable(amount(tr, capital)),
            "",
            printable(amount(tr, sim["total_withholding"])),
            printable(amount(tr, sim["total_net_interest"])),
        ]
    )
    widths = [1.0 * cm, 3.4 * cm] + [2.6 * cm] * 5
    table = LongTable(rows, colWidths=widths, repeatRows=1)
    table.setStyle(grid_style(total_row=True))
    return table


def _credits(tr: Translator, sim: dict[str, Any]) -> Table:
    rows: list[list[Any]] = [header(tr, T.CREDIT_COLUMNS)]
    for credit in sim["tax_credits"]:
        rows.append(
            [
                str(credit["year"]),
                printable(tr.pct(credit["rate_pct"])),
                printable(amount(tr, credit["base"])),
                printable(amount(tr, credit["credit"])),
            ]
        )
    rows.append([printable(tr(T.TOTAL)), "", "", printable(amount(tr, sim["total_tax_credits"]))])
    table = Table(rows, colWidths=[3.2 * cm, 2.2 * cm, 3.0 * cm, 3.0 * cm], hAlign="LEFT")
    table.setStyle(grid_style(total_row=True))
    return table


def _signatures(tr: Translator) -> Table:
    cells = [
        [
            para(tr(T.SIGN_LENDER), "cell"),
            para(tr(T.SIGN_BORROWER), "cell"),
        ],
        ["", ""],
    ]
    table = Table(cells, colWidths=[8.4 * cm, 8.4 * cm], rowHeights=[None, 2.2 * cm])
    table.setStyle(
        TableStyle([("BOX", (0, 0), (0, -1), 0.4, GRID), ("BOX", (1, 0), (1, -1), 0.4, GRID)])
    )
    return table


def schedule_pdf(
    tr: Translator,
    answer: dict[str, Any],
    part: dict[str, Any],
    case: dict[str, Any],
    receipt: str,
) -> bytes:
    """The document: title and parties, terms, schedule, credits, notes, signatures."""
    sim = part["simulation"]
    regime = part["regime"]
    name = regime_name(tr, regime)
    title = tr(T.TITLE, regime=name)
    closing = answer["closing_date"]
    story: list[Any] = [
        para(title, "title"),
        para(tr(T.PARTIES), "subtitle"),
        Spacer(1, 6),
        _party(tr, T.LENDER, case, T.LENDER_FIELDS),
        _party(tr, T.BORROWER, case, T.BORROWER_FIELDS),
        para(tr(T.LOAN_TERMS), "h2"),
        _terms(tr, case, closing),
        para(tr(T.SCHEDULE), "h2"),
        _schedule(tr, sim),
    ]
    if sim.get("tax_credits"):
        story += [KeepTogether([para(tr(T.TAX_CREDITS), "h2"), _credits(tr, sim)])]
    story.append(Spacer(1, 8))
    default = sim.get("default_credit") or {}
    if default and Decimal(default.get("rate_pct", "0")) > 0:
        story.append(
            para(
                tr(
                    T.ONE_TIME,
                    rate=tr.pct(default["rate_pct"]),
                    lost=tr.money(default["on_lost_principal"]),
                    credit=tr.money(default["credit"]),
                )
            )
        )
    if sim.get("tax_credits"):
        story.append(
            para(tr(T.NET_RETURN, amount=tr.money(sim["net_return"]), irr=tr.pct(sim["irr_pct"])))
        )
        story.append(para(tr(T.WITHHOLDING)))
    story += [
        para(tr(T.CONVENTIONS), "small"),
        para(tr(T.RULES, date=tr.date(closing), version=answer["rules_version"]), "small"),
        para(tr(T.RECEIPT, hash=receipt), "small"),
        Spacer(1, 6),
        para(T.registration(tr, regime)),
        para(tr(DISCLAIMER)),
        Spacer(1, 10),
        KeepTogether([_signatures(tr)]),
    ]
    out = io.BytesIO()
    footer = f"leenwijzer · {title} · {tr.date(closing)}"
    document = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=printable(title),
        author="leenwijzer",
        subject=printable(tr(T.PARTIES)),
        creator="leenwijzer",
        lang=tr.lang,
        invariant=1,
    )
    document.build(story, canvasmaker=numbered_canvas(tr, footer))
    return out.getvalue()
