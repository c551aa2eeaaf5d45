"""`leenwijzer schedule`: the repayment table written as a file, or a clear refusal."""

from __future__ import annotations

import copy
import io
import json
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from tests.dialogs.sample_cases import COMPLETE

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "schedule", *args],
        capture_output=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def _case(tmp_path: Path, case: dict[str, object]) -> str:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    return str(path)


def test_a_french_pdf_to_a_named_file(tmp_path: Path) -> None:
    target = tmp_path / "tableau.pdf"
    done = _run(_case(tmp_path, COMPLETE), "--regime", "winwin", "--format", "pdf",
                "--lang", "fr", "-o", str(target))  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(target.read_bytes())).pages)
    assert "Tableau d'amortissement" in text and "Fonds" not in text and "PMV" in text


def test_a_csv_under_its_own_name_and_on_stdout(tmp_path: Path) -> None:
    case = _case(tmp_path, COMPLETE)
    done = _run(case, "--regime", "winwin", "--format", "csv", "--lang", "nl", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = (tmp_path / "aflossingstabel-winwin-2024-03-15.csv").read_bytes()
    out = _run(case, "--regime", "winwin", "--format", "csv", "--lang", "nl", "-o", "-")
    assert out.stdout == written and written.startswith("\ufeffNr.;Datum;".encode())


def test_bad_input_exits_2_and_no_table_exits_3_writing_nothing(tmp_path: Path) -> None:
    bad = copy.deepcopy(COMPLETE)
    bad["loan"]["years"] = "eight"
    target = tmp_path / "out.pdf"
    done = _run(_case(tmp_path, bad), "--regime", "winwin", "-o", str(target))
    assert done.returncode == 2 and b"loan.years" in done.stderr and not target.exists()
    done = _run(_case(tmp_path, COMPLETE), "--regime", "proxi", "--lang", "nl", "-o", str(target))
    assert done.returncode == 3 and "Proxi-lening" in done.stderr.decode() and not target.exists()
    done = _run(_case(tmp_path, COMPLETE), "--regime", "nope", "-o", str(target))
    assert done.returncode == 2 and b"unknown regime" in done.stderr
