"""`leenwijzer chat` scripted through a pipe (stdin not a terminal), in a subprocess."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.terminal import event_for, render_reply
from dialogs.events import Button, Event, Reply, Table
from tests.dialogs.sample_cases import COMPLETE

ROOT = Path(__file__).resolve().parents[2]


def _chat(args: list[str], lines: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", *args],
        input="".join(f"{line}\n" for line in lines),
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_scripted_conversation_in_dutch_answers_by_number_and_text() -> None:
    # role 2 = lender; 1 = today; a Walloon lender to a Flemish enterprise: no regime
    # applies, so that ends it; 1 = confirm on the summary
    done = _chat(["--lang", "nl"], ["2", "1", "5000", "2000", "1"])
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "[1] Ik zoek een lening voor mijn onderneming" in out
    assert "> 5000" in out
    assert "Genoteerd: Waals Gewest" in out
    assert "Winwinlening: niet mogelijk" in out
    assert "Coup de Pouce-lening: niet mogelijk" in out
    assert "Dit is informatie, geen juridisch of fiscaal advies." in out


def test_prefill_gives_the_result_first_and_the_table_on_request(tmp_path: Path) -> None:
    case = COMPLETE
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    done = _chat(["--lang", "fr", "--prefill", str(path)], ["1"])
    assert done.returncode == 0, done.stderr
    first = done.stdout.split("> ")[0]
    assert "✅ Prêt Winwin\u00a0: possible" in first  # French: no-break space before ":"
    assert "Tableau d'amortissement\u00a0: prêt Winwin" in done.stdout
    years = [line.split()[0] for line in done.stdout.splitlines() if line.strip()[:3] == "203"]
    assert years[-1] == "2032"  # the table per year, down to the last one


def test_a_pdf_asked_for_in_the_terminal_is_written_to_the_current_directory(
    tmp_path: Path,
) -> None:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(COMPLETE), encoding="utf-8")
    done = _chat(["--lang", "nl", "--prefill", str(path)], ["2", "3"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "aflossingstabel-winwin-2024-03-15.pdf"
    csv = tmp_path / "aflossingstabel-winwin-2024-03-15.csv"
    assert pdf.read_bytes().startswith(b"%PDF-") and f"→ {pdf}" in done.stdout
    assert csv.read_bytes().startswith("\ufeff".encode())


def test_unreadable_prefill_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    done = _chat(["--prefill", str(bad)], [])
    assert done.returncode == 2 and "cannot read" in done.stderr


def test_numbers_pick_buttons_and_slashes_are_commands() -> None:
    buttons = [Button("yes", "Ja"), Button("no", "Nee")]
    assert event_for("2", buttons).key == "no"
    assert event_for("7", buttons).text == "7"
    assert event_for("/language fr", buttons).arg == "fr"
    assert event_for("/start", buttons).type == "start"
    assert event_for("²", buttons).text == "²"  # a digit to isdigit(), not to int()


def test_tables_are_aligned() -> None:
    text = render_reply(Reply("t", table=Table(["a", "bb"], [["1", "22"], ["333", "4"]])))
    assert "  a  bb" in text and "333   4" in text


@pytest.mark.parametrize(
    "content", [b"[" * 1000 + b"]" * 1000, b'{"lender": {"region": "flandres \xe9"}}']
)
def test_a_prefill_too_deep_or_not_utf8_exits_2(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    done = _chat(["--prefill", str(bad)], [])
    assert done.returncode == 2 and done.stdout == ""
    assert "cannot read" in done.stderr and "Traceback" not in done.stderr


def test_a_huge_amount_is_re_prompted_and_the_chat_goes_on() -> None:
    # 2 = lender, 1 = today, a Flemish postal code; then the amount question comes later,
    # but a huge number is refused at any numeric question before it: try both at once
    done = _chat(["--lang", "nl"], ["2", "1", "1" * 27, "1" * 24 + "k", "²", "2000"])
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "> 2000" in done.stdout and "Genoteerd: Vlaams Gewest" in done.stdout


def test_a_huge_amount_at_the_amount_question(tmp_path: Path) -> None:
    case = json.loads(json.dumps(COMPLETE))
    del case["loan"]["amount"]
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    # the prefill leaves the role open: 2 = lender, then the amount is asked
    done = _chat(["--lang", "fr", "--prefill", str(path)], ["2", "1" * 27, "1" * 24 + "k", "20k"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Ce montant est trop élevé pour être correct.") == 2
    assert "Noté\u00a0: 20\u202f000,00\u00a0€" in done.stdout


def test_a_failing_turn_in_the_terminal_apologises_and_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from bot import terminal

    real_step = terminal.step

    def breaking_step(state: Any, event: Event, now: datetime) -> Any:
        if event.type == "text" and event.text == "boom":
            raise ZeroDivisionError("a bug in the dialog")
        return real_step(state, event, now)

    monkeypatch.setattr(terminal, "step", breaking_step)
    out = io.StringIO()
    code = terminal.chat("fr", None, io.StringIO("2\nboom\n1\n"), out, interactive=False)
    assert code == 0
    text = out.getvalue()
    sorry = "Désolé, un problème est survenu avec cette réponse. Pourriez-vous réessayer\u00a0?"
    after_boom = text.split("> boom\n", 1)[1]
    assert after_boom.startswith(sorry)
    assert "Noté" not in after_boom.split("> 1\n")[0]  # nothing was answered by "boom"
    # the question after "boom" is the same one, and "1" (today) answers it
    assert "Quand l'acte de prêt" in after_boom.split("> 1\n")[0]
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1
