"""The repayment-table documents read back: the worked examples of simulation.md in the
PDF (text extraction with pypdf) and the CSV (parsed, summed), in nl, fr and en."""

from __future__ import annotations

import copy
import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pypdf import PdfReader

from dialogs.documents import (
    DocumentUnavailable,
    build_document,
    document_request,
    render_document,
    yearly_rows,
    yearly_summary,
)
from dialogs.documents.csvfile import guard
from dialogs.documents.texts import SCHEDULE_COLUMNS, amount
from dialogs.i18n import Translator
from dialogs.regimes import regime_texts
from dialogs.render import regime_name
from rules import evaluate, inputs_hash
from rules.schedule import LoanTerms
from rules.simulation import CreditTerms, simulate
from tests.dialogs.sample_cases import COMPLETE

LANGS = ("nl", "fr", "en")
EXAMPLE_1 = COMPLETE  # winwinlening, 20,000, 2024-03-15, 8 years, 4.5%, monthly annuity
EXAMPLE_1_CREDITS = [
    "230.19", "432.91", "376.70", "317.91", "256.42", "192.11", "124.84", "54.48", "9.25"
]  # fmt: skip


def pdf_lines(content: bytes) -> list[str]:
    """The PDF's text, one cell or line per entry, no-break spaces as spaces."""
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    return [line.strip() for line in text.splitlines() if line.strip()]


def flat(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def follows(lines: list[str], cells: list[str]) -> bool:
    """Whether `cells` appear as consecutive lines (one table row)."""
    cells = [flat(c) for c in cells]
    return any(lines[i : i + len(cells)] == cells for i in range(len(lines)))


def csv_rows(content: bytes, lang: str) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    text = content.decode("utf-8")[1:]
    return list(csv.reader(io.StringIO(text), delimiter=";" if lang != "en" else ","))


def decimal_of(cell: str, lang: str) -> Decimal:
    return Decimal(cell.replace(",", ".") if lang != "en" else cell)


@pytest.fixture(scope="module")
def example_1() -> dict[str, Any]:
    return evaluate(EXAMPLE_1)


@pytest.mark.parametrize("lang", LANGS)
def test_example_1_reads_back_from_the_pdf(example_1: dict[str, Any], lang: str) -> None:
    tr = Translator(lang)
    done = build_document(example_1, "winwin", "pdf", lang, EXAMPLE_1)
    assert done.media_type == "application/pdf" and done.content.startswith(b"%PDF-")
    lines = pdf_lines(done.content)
    text = "\n".join(lines)
    assert flat(tr("Repayment table: {regime}", regime=regime_name(tr, "winwin"))) in lines
    # the last instalment: 2032-03-15, interest 0.93, capital 248.05, balance 0
    last = [tr.date("2032-03-15"), amount(tr, "0.93"), amount(tr, "248.05"), amount(tr, "0")]
    assert follows(lines, ["96", *last])
    # totals: interest, capital (= the principal), withholding, net interest
    assert follows(lines, [tr("Total"), *(amount(tr, v) for v in ("3852.68", "20000"))])
    assert follows(lines, [amount(tr, "1155.86"), amount(tr, "2696.82")])
    for year, credit in zip(range(2024, 2033), EXAMPLE_1_CREDITS, strict=True):
        assert follows(lines, [str(year), tr.pct("2.5")]) and flat(amount(tr, credit)) in lines
    assert follows(lines, [tr("Total"), amount(tr, "1994.81")])
    assert flat(tr.money("5947.96")) in text  # the one-time credit, 30% of 19,826.54
    assert inputs_hash(EXAMPLE_1) in text and example_1["rules_version"] in text
    assert flat(tr.date("2024-03-15")) in text
    assert "PMV" in text and "3" in text
    assert flat(tr("This is information, not legal or tax advice.")) in flat(" ".join(lines))
    pages = len(PdfReader(io.BytesIO(done.content)).pages)
    assert flat(tr("Page {page} of {pages}", page=pages, pages=pages)) in text


@pytest.mark.parametrize("lang", LANGS)
def test_example_1_csv_sums_to_the_principal(example_1: dict[str, Any], lang: str) -> None:
    tr = Translator(lang)
    done = build_document(example_1, "winwin", "csv", lang, EXAMPLE_1)
    assert done.media_type == "text/csv; charset=utf-8"
    header, *rows = csv_rows(done.content, lang)
    assert header == [tr(column) for column in SCHEDULE_COLUMNS]
    assert len(rows) == 96 and rows[-1][:2] == ["96", "2032-03-15"]
    assert sum(decimal_of(row[3], lang) for row in rows) == Decimal("20000.00")
    assert sum(decimal_of(row[2], lang) for row in rows) == Decimal("3852.68")
    assert sum(decimal_of(row[5], lang) for row in rows) == Decimal("1155.86")
    assert rows[0][2:] == (
        ["75,00", "173,46", "19826,54", "22,50", "52,50"]
        if lang != "en"
        else ["75.00", "173.46", "19826.54", "22.50", "52.50"]
    )


def test_example_2_schedule_mechanics_in_both_documents() -> None:
    """Example 2 (quarterly linear with a capital holiday) is no regime's loan today
    (winwin refuses a holiday), so the rules' simulation is put into an answer by hand."""
    terms = LoanTerms(
        Decimal("30000"), Decimal("2.25"), 6, "linear", "quarterly", date(2025, 1, 1), 1
    )
    credit = CreditTerms(
        rate_pct_for_year=lambda _year: Decimal("2.5"),
        base_cap=Decimal(75000),
        default_rate_pct=Decimal(30),
    )
    sim = simulate(terms, lambda _day: Decimal("30"), credit)
    answer = {
        "rules_version": "test",
        "closing_date": "2025-01-01",
        "regimes": [{"regime": "winwin", "verdict": "eligible", "simulation": sim}],
    }
    case = {"closing_date": "2025-01-01", "loan": {"amount": "30000", "grace_years": 1}}
    tr = Translator("nl")
    lines = pdf_lines(build_document(answer, "winwin", "pdf", "nl", case).content)
    assert follows(lines, ["4", tr.date("2026-01-01"), "168,75", "0,00", "30.000,00"])
    assert follows(lines, ["5", tr.date("2026-04-01"), "168,75", "1.500,00", "28.500,00"])
    assert follows(lines, ["24", tr.date("2031-01-01"), "8,44", "1.500,00", "0,00"])
    assert follows(lines, [tr("Total"), "2.446,90", "30.000,00"])
    assert follows(lines, [tr("Total"), "2.718,75"])
    rows = csv_rows(build_document(answer, "winwin", "csv", "nl", case).content, "nl")[1:]
    assert sum(decimal_of(row[3], "nl") for row in rows) == Decimal("30000.00")


def test_same_input_gives_the_same_bytes(example_1: dict[str, Any]) -> None:
    for fmt in ("pdf", "csv"):
        first = build_document(example_1, "winwin", fmt, "fr", EXAMPLE_1).content
        again = build_document(evaluate(copy.deepcopy(EXAMPLE_1)), "winwin", fmt, "fr", EXAMPLE_1)
        assert first == again.content


def test_a_stored_request_renders_the_same_document(example_1: dict[str, Any]) -> None:
    request = document_request(example_1, EXAMPLE_1, "winwin", "pdf", "nl")
    assert request.filename == "aflossingstabel-winwin-2024-03-15.pdf"
    rendered = render_document(request)
    assert rendered.content == build_document(example_1, "winwin", "pdf", "nl", EXAMPLE_1).content


def test_a_proxi_loan_over_the_switch_from_4_to_2_5_percent() -> None:
    case = copy.deepcopy(EXAMPLE_1)
    case["lender"].update(region="brussels", lent_this_year="0")
    case["borrower"].update(region="brussels", excluded_sector=False)
    answer = evaluate(case)
    for lang in LANGS:
        tr = Translator(lang)
        lines = pdf_lines(build_document(answer, "proxi", "pdf", lang, case).content)
        assert flat(tr("Repayment table: {regime}", regime=regime_name(tr, "proxi"))) in lines
        for year in (2024, 2025, 2026):  # the closing year and the next two
            assert follows(lines, [str(year), tr.pct("4")])
        for year in range(2027, 2033):
            assert follows(lines, [str(year), tr.pct("2.5")])
        assert follows(lines, [str(2024), tr.pct("4"), amount(tr, "9207.62"), amount(tr, "368.30")])
        text = flat(" ".join(lines))
        assert flat(tr(
            "Sign the deed (made with the official online form) and this repayment table in "
            "three copies; send one to the Brussels Guarantee Fund within 3 months, by "
            "registered letter or as a scanned PDF."
        )) in text  # fmt: skip


def test_coup_de_pouce_loan_the_official_example() -> None:
    """wallonie.be: 10,000 lent for 6 years gives 400 x 4 + 250 x 2 = 2,100 of credits (a
    bullet loan closed on 1 January, coupdepouce.md), read back in each language."""
    case = copy.deepcopy(EXAMPLE_1)
    case["closing_date"] = "2022-01-01"
    case["lender"].update(region="wallonia")
    case["borrower"].update(region="wallonia", excluded_activity=False)
    case["loan"] = {
        "amount": "10000",
        "rate_pct": "1.5",
        "years": 6,
        "repayment": "bullet",
        "frequency": "annual",
    }
    answer = evaluate(case)
    for lang in LANGS:
        tr = Translator(lang)
        lines = pdf_lines(build_document(answer, "coup_de_pouce", "pdf", lang, case).content)
        title = tr("Repayment table: {regime}", regime=regime_name(tr, "coup_de_pouce"))
        assert flat(title) in lines
        for year in (2022, 2023, 2024, 2025):
            assert follows(lines, [str(year), tr.pct("4"), amount(tr, "10000"), amount(tr, "400")])
        for year in (2026, 2027):
            assert follows(
                lines, [str(year), tr.pct("2.5"), amount(tr, "10000"), amount(tr, "250")]
            )
        assert follows(lines, [tr("Total"), amount(tr, "2100")])
        text = flat(" ".join(lines))
        assert flat(tr(regime_texts("coup_de_pouce").deed or "")) in text
        rows = csv_rows(build_document(answer, "coup_de_pouce", "csv", lang, case).content, lang)
        assert sum(decimal_of(row[3], lang) for row in rows[1:]) == Decimal("10000.00")


def test_a_regime_that_does_not_apply_gives_a_reason_not_an_empty_table(
    example_1: dict[str, Any],
) -> None:
    with pytest.raises(DocumentUnavailable) as refused:
        build_document(example_1, "proxi", "pdf", "nl", EXAMPLE_1)
    assert refused.value.reason == "not_eligible"
    assert "Proxi-lening" in refused.value.message(Translator("nl"))
    incomplete = copy.deepcopy(EXAMPLE_1)
    del incomplete["loan"]["rate_pct"]
    with pytest.raises(DocumentUnavailable) as open_:
        build_document(evaluate(incomplete), "winwin", "csv", "fr", incomplete)
    assert open_.value.reason == "needs_info" and "loan.rate_pct" in open_.value.missing
    with pytest.raises(DocumentUnavailable) as unknown:
        build_document(example_1, "nonsense", "pdf", "en", EXAMPLE_1)
    assert unknown.value.reason == "unknown_regime"
    with pytest.raises(ValueError):
        build_document(example_1, "winwin", "docx", "en", EXAMPLE_1)


def test_text_cells_are_guarded_against_spreadsheet_formulas() -> None:
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert guard(dangerous) == "'" + dangerous
    assert guard("Rente") == "Rente" and guard("2024-04-15") == "2024-04-15"


def test_the_chat_table_is_one_row_per_year_and_adds_up(example_1: dict[str, Any]) -> None:
    sim = example_1["regimes"][0]["simulation"]
    rows = yearly_rows(sim)
    assert [row["year"] for row in rows] == list(range(2024, 2033))
    assert sum(row["interest"] for row in rows) == Decimal(sim["total_interest"])
    assert sum(row["capital"] for row in rows) == Decimal("20000.00")
    assert rows[0]["balance"] == Decimal("18415.24") and rows[-1]["balance"] == 0
    assert [str(row["credit"]) for row in rows] == EXAMPLE_1_CREDITS
    table = yearly_summary(Translator("fr"), sim)
    assert table is not None and len(table.rows) == 9 and len(table.columns) == 6
    assert table.rows[0] == [
        "2024",
        "651,38",
        "1\u202f584,76",
        "18\u202f415,24",
        "455,96",
        "230,19",
    ]
