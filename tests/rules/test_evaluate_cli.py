"""`leenwijzer evaluate`: answer JSON on stdout and exit 0, or a clear error and exit 2."""

from __future__ import annotations

import json
import os
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


def _run_bytes(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "evaluate", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        check=False,
        env={**os.environ, **(env or {})},
    )


def assert_refused(done: subprocess.CompletedProcess[bytes], named: str) -> None:
    """Exit 2, nothing on stdout, one line on stderr naming the problem, no traceback."""
    assert done.returncode == 2, done.stderr.decode(errors="replace")
    assert done.stdout == b""
    message = done.stderr.decode()
    assert message.count("\n") == 1 and message.startswith("leenwijzer evaluate: ")
    assert named in message and "Traceback" not in message


DEEP = {
    "array": b"[" * 1000 + b"]" * 1000,
    "object": b'{"a":' * 1000 + b"1" + b"}" * 1000,
    "very deep": b"[" * 200_000 + b"]" * 200_000,
    "inside a case": b'{"lender": {"region": ' + b"[" * 1000 + b"]" * 1000 + b"}}",
}


@pytest.mark.parametrize("name", DEEP)
def test_json_nested_too_deeply_is_refused_as_bad_input(tmp_path: Path, name: str) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(DEEP[name])
    assert_refused(_run_bytes(str(path)), "nested too deeply")
    assert_refused(_run_bytes("-", stdin=DEEP[name]), "nested too deeply")


NOT_UTF8 = b'{"closing_date": "2024-03-15", "lender": {"region": "flandres \xe9"}}'


def test_a_file_that_is_not_utf8_is_refused_as_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(NOT_UTF8)
    assert_refused(_run_bytes(str(path)), "not UTF-8")


@pytest.mark.parametrize(
    "env", [{"PYTHONUTF8": "1"}, {"PYTHONUTF8": "0", "LC_ALL": "C", "PYTHONIOENCODING": ""}]
)
def test_standard_input_that_is_not_utf8_is_refused_as_bad_input(env: dict[str, str]) -> None:
    """Whatever the locale makes of standard input (strict UTF-8, or the C locale's
    surrogate escapes), bytes that are not UTF-8 are bad input."""
    assert_refused(_run_bytes("-", stdin=NOT_UTF8, env=env), "not UTF-8")


def test_recursion_in_the_case_validation_is_bad_input_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """JSON that the decoder still takes may be too deep for the validation (its depth
    budget is what is left of the stack): that is the same bad input."""
    from bot import evaluate_cli

    def too_deep(_data: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(evaluate_cli, "parse_case", too_deep)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")
    assert evaluate_cli.run_evaluate(str(path)) == 2
    out, err = capsys.readouterr()
    assert out == "" and "nested too deeply" in err


def test_a_utf8_byte_order_mark_is_not_data(tmp_path: Path) -> None:
    path = tmp_path / "notepad.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(CASE).encode())
    done = _run_bytes(str(path))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["closing_date"] == "2024-03-15"


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe{}", b"[" * 100000, b'\xef\xbb\xbf{"closing_date": "2024-03-15"'],
)
def test_schedule_refuses_bad_files_like_evaluate(tmp_path: Path, content: bytes) -> None:
    """`leenwijzer schedule` reads the case with evaluate's reader: exit 2, no traceback."""
    path = tmp_path / "case.json"
    path.write_bytes(content)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "schedule", str(path), "--regime", "winwin"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert done.stdout == ""
