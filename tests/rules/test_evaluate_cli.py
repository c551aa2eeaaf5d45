"""`leenwijzer evaluate`: answer JSON on stdout and exit 0, or a clear error and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CASE = {"closing_date": "2024-03-15", "lender": {"region": "wallonia"}}


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "evaluate", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_file_argument(tmp_path: Path) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")
    done = _run(str(path))
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert [r["verdict"] for r in answer["regimes"][:2]] == ["not_eligible", "not_eligible"]


def test_stdin() -> None:
    done = _run("-", stdin=json.dumps(CASE))
    assert done.returncode == 0
    assert json.loads(done.stdout)["closing_date"] == "2024-03-15"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('{"lender": {"region": "mars"}}', "lender.region"),
        ('{"loan": {"amount": "-5"}}', "loan.amount"),
        ('{"loan": {"amount": "vijftig"}}', "loan.amount"),
        ('{"closing_date": "2024/03/15"}', "closing_date"),
        ('{"closing_date": "9999-12-31"}', "closing_date"),
        ('{"loan": {"years": "8"}}', "loan.years"),
        ('{"loan": {"rate_pct": 1.5}}', "loan.rate_pct"),
        ('{"loan": {"years": 5.0}}', "loan.years"),
        ('{"loan": {"amount": 1e3}}', "loan.amount"),
        ("{not json", "JSON"),
    ],
)
def test_bad_input_exits_2_with_nothing_on_stdout(text: str, named: str) -> None:
    done = _run("-", stdin=text)
    assert done.returncode == 2
    assert done.stdout == ""
    assert named in done.stderr


def test_missing_file() -> None:
    done = _run("/nonexistent/case.json")
    assert done.returncode == 2 and done.stdout == "" and "cannot read" in done.stderr
