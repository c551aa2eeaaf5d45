"""Every regime of the rules' registry has its words: a text module, a name and an agency,
and an explanation of each condition id it can report, in nl, fr and en.

The explanations are rendered with the real `detail` of every condition that a rule case
makes fail (tests/rules/cases), so a threshold the text needs but the rules do not give
shows up here, in every language.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest

from dialogs.explain import explain, explanation
from dialogs.i18n import Translator
from dialogs.regimes import regime_texts
from rules import REGIMES, evaluate
from tests.rules.test_rule_cases import ALL_CASES, DEFAULT_TODAY

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("nl", "fr", "en")


@pytest.mark.parametrize("regime", [r.name for r in REGIMES])
def test_every_condition_of_every_regime_has_an_explanation(regime: str) -> None:
    texts = regime_texts(regime)
    assert texts.name and texts.agency
    missing = [cid for cid in REGIMES_BY_NAME[regime].condition_ids if not explanation(regime, cid)]
    assert not missing, f"{regime}: no explanation for {missing}"


REGIMES_BY_NAME = {r.name: r for r in REGIMES}


def _failing_conditions() -> list[tuple[str, dict[str, Any]]]:
    found: dict[tuple[str, str, str], tuple[str, dict[str, Any]]] = {}
    for rule_case in ALL_CASES:
        if rule_case.case is None:
            continue
        answer = evaluate(rule_case.case, today=rule_case.today or DEFAULT_TODAY)
        for part in answer["regimes"]:
            for condition in part["conditions"]:
                if condition["status"] == "fail":
                    key = (part["regime"], condition["id"], str(sorted(condition["detail"])))
                    found.setdefault(key, (part["regime"], condition))
    return list(found.values())


FAILING = _failing_conditions()


def test_the_rule_cases_make_every_condition_fail_somewhere() -> None:
    failed = {(regime, c["id"]) for regime, c in FAILING}
    for regime in REGIMES:
        for cid in regime.condition_ids:
            assert (regime.name, cid) in failed, f"no rule case makes {regime.name} {cid} fail"


@pytest.mark.parametrize("lang", LANGS)
def test_every_failing_condition_is_explained_in_each_language(lang: str) -> None:
    tr, english = Translator(lang), Translator("en")
    for regime, condition in FAILING:
        text = explain(tr, regime, condition)
        assert text.strip() and "{" not in text, (regime, condition)
        assert "A condition is not met" not in explain(english, regime, condition)
        if lang != "en":
            assert text != explain(english, regime, condition), (lang, regime, condition["id"])


def test_no_python_file_but_its_own_names_a_regime() -> None:
    """A regime's key appears in its rules module, its text module and the registry only."""
    for regime in REGIMES:
        listed = subprocess.run(
            ["grep", "-rlw", "--include=*.py", regime.name, "rules", "dialogs", "bot"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        ).stdout.split()
        allowed = {
            f"rules/regimes/{regime.name}.py",
            f"dialogs/regimes/{regime.name}.py",
            "rules/regimes/__init__.py",
        }
        assert set(listed) <= allowed, f"{regime.name} named in {sorted(set(listed) - allowed)}"


def test_dialogs_import_only_the_public_face_of_rules() -> None:
    found = subprocess.run(
        ["grep", "-rnE", r"^\s*(from|import) rules\.", "dialogs", "--include=*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    assert not found, found


def test_today_is_a_fixed_day_for_the_cases() -> None:
    assert isinstance(DEFAULT_TODAY, dt.date)
