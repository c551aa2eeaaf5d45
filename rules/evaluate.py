"""`evaluate(case)`: the answer of the evaluate contract for one case.

Per regime of the registry (`rules.regimes.REGIMES`, in its order): the verdict, every
condition with its status and source, what is still missing (most decisive first), the
limits for this case on the closing date, and the simulation once eligible.

A parameter whose date or value the sources dispute is reported (`parameter_uncertain`)
only where it decides the answer: when it has another value in the disputed window, the
regime is assessed again with that value and the parameter is named only if the answer
changes; a value disputed for want of sources (no other value known) is named where it
decided a condition (a failing one for a regime that does not apply) or a figure.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from rules.case import Case, parse_case
from rules.conditions import Check, Context, ordered_missing, verdict
from rules.friends_loan import in_force
from rules.params import COMMON, ParameterSet, load_all, load_meta
from rules.regime import Regime
from rules.regimes import REGIMES

CONTRACT = "leenwijzer.evaluate/1"
#: Closing dates are Belgian dates: "today" is today in Brussels.
BELGIAN_TIME = ZoneInfo("Europe/Brussels")
REGIME_ORDER = tuple(regime.name for regime in REGIMES)
LEGAL_RATE = f"{COMMON}.legal_interest_rate"


def rules_version() -> str:
    """The version of the rules (parameters and conditions) every answer carries."""
    return load_meta().rules_version


def _regime_answer(
    name: str,
    checks: list[Check],
    limits: dict[str, Any],
    figure_fields: list[str] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    outcome = verdict(checks)
    missing: list[str] = []
    if outcome == "needs_info":
        missing = ordered_missing(checks)
    elif outcome == "eligible":
        missing = list(figure_fields)
    return {
        "regime": name,
        "verdict": outcome,
        "conditions": [c.to_json() for c in checks],
        "missing": missing,
        "limits": limits,
    }


def _not_covered(name: str, on: dt.date, covered_from: dt.date) -> dict[str, Any]:
    check = Check(
        "regime.in_force",
        "fail",
        {
            "reason": "not_covered",
            "covered_from": covered_from.isoformat(),
            "given": on.isoformat(),
        },
        "leenwijzer covers loans closed from 2015-01-01 (shared/domain/README.md, Scope)",
    )
    return _regime_answer(name, [check], {})


class _Assessed:
    """One regime assessed once: its answer, the doubts its conditions and figures
    raised, and every parameter it read."""

    def __init__(self, answer: dict[str, Any], ctx: Context, checks: list[Check]):
        self.answer, self.ctx, self.checks = answer, ctx, checks
        self.figure_doubts: list[tuple[str, str]] = []

    def deciding_check_doubts(self) -> list[tuple[str, str]]:
        """Doubts of the conditions that decide: the failing ones of a regime that does not
        apply, every known one of a regime that does (or may)."""
        deciding = "fail" if self.answer["verdict"] == "not_eligible" else None
        return [
            doubt
            for check in self.checks
            if check.status != "unknown" and (deciding is None or check.status == deciding)
            for doubt in check.doubts
        ]


def _decided(answer: dict[str, Any]) -> tuple[Any, ...]:
    """What a person is told that a parameter can change: the verdict, each condition's
    status, what is still asked and the figures of the simulation (a limit shown in a
    condition's detail alone is not a different answer). A regime that does not apply
    either way is the same answer, whichever of its conditions fail."""
    if answer["verdict"] == "not_eligible":
        return ("not_eligible",)
    return (
        answer["verdict"],
        [(c["id"], c["status"]) for c in answer["conditions"]],
        answer["missing"],
        answer.get("simulation"),
    )


class _Evaluation:
    """One evaluation: every regime's answer and the warnings they raise."""

    def __init__(self, case: Case, on: dt.date, params: dict[str, ParameterSet]):
        self.case, self.on, self.params = case, on, params
        self.uncertain: list[tuple[str, str]] = []
        self.read: set[str] = set()

    def assess(
        self, regime: Regime, earlier: dict[str, dict[str, Any]], overrides: dict[str, Any]
    ) -> _Assessed:
        ctx = Context(self.case, self.on, self.params[regime.name], self.params[COMMON])
        ctx.overrides = overrides
        start = in_force(ctx)
        if start.status == "fail":
            return _Assessed(_regime_answer(regime.name, [start], {}), ctx, [start])
        assessment = regime.assess(ctx, earlier)
        checks = [start, *assessment.checks]
        ctx.doubts = []
        answer = _regime_answer(regime.name, checks, assessment.limits, assessment.figure_fields)
        assessed = _Assessed(answer, ctx, checks)
        if answer["verdict"] == "eligible" and assessment.simulate is not None:
            simulation = assessment.simulate()
            if simulation is not None:
                answer["simulation"] = simulation
            assessed.figure_doubts = list(ctx.doubts)
        return assessed

    def regime(self, regime: Regime, earlier: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """A regime's answer, noting the disputed parameters that decide it."""
        first = self.assess(regime, earlier, {})
        self.read |= first.ctx.read
        doubted = dict.fromkeys([*first.deciding_check_doubts(), *first.figure_doubts])
        for key, note in self._doubts_read(first.ctx):
            alternatives = self._alternatives(key)
            if not alternatives:
                continue  # no other value known: decided by the rule above
            doubted.pop((key, note), None)
            for value in alternatives:
                again = self.assess(regime, earlier, {key: value})
                if _decided(again.answer) != _decided(first.answer):
                    doubted[(key, note)] = None
                    break
        for parameter, note in doubted:
            if all(note != seen for _, seen in self.uncertain):
                self.uncertain.append((parameter, note))
        return first.answer

    def _doubts_read(self, ctx: Context) -> list[tuple[str, str]]:
        """(parameter key, note) of every parameter read that is disputed on the date."""
        found = []
        for key in sorted(ctx.read):
            file, name = key.split(".", 1)
            note = self.params[file][name].doubt(self.on)
            if note:
                found.append((key, note))
        return found

    def _alternatives(self, key: str) -> tuple[Any, ...]:
        file, name = key.split(".", 1)
        return self.params[file][name].alternatives(self.on)


def evaluate(case: Case | dict[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    """Evaluate a case (a `Case` or contract JSON) on its closing date.

    Without a closing date the case is evaluated as of `today` (default: the system date)
    and says so in a `closing_date_assumed` warning. Raises `CaseError` on invalid input.
    """
    parsed = parse_case(case)
    meta = load_meta()
    warnings: list[dict[str, Any]] = []
    on = parsed.closing_date
    if on is None:
        on = today or dt.datetime.now(BELGIAN_TIME).date()
        warnings.append({"code": "closing_date_assumed", "detail": {"date": on.isoformat()}})

    if on < meta.covered_from:
        warnings.append(
            {"code": "date_not_covered", "detail": {"covered_from": meta.covered_from.isoformat()}}
        )
        regimes = [_not_covered(name, on, meta.covered_from) for name in REGIME_ORDER]
    else:
        run = _Evaluation(parsed, on, load_all())
        answers: dict[str, dict[str, Any]] = {}
        for regime in REGIMES:
            answers[regime.name] = run.regime(regime, answers)
        regimes = list(answers.values())
        legal_rate = run.params[COMMON]["legal_interest_rate"]
        if LEGAL_RATE in run.read and legal_rate.is_provisional(on):
            warnings.append({"code": "legal_rate_provisional", "detail": {"year": on.year}})
        warnings.extend(
            {"code": "parameter_uncertain", "detail": {"parameter": parameter, "note": note}}
            for parameter, note in run.uncertain
        )
        warnings.extend(
            {
                "code": "regime_status_unconfirmed",
                "detail": {
                    "regime": answer["regime"],
                    "last_known_end": answer["conditions"][0]["detail"]["last_known_end"],
                },
            }
            for answer in regimes
            if answer["conditions"][0]["detail"].get("reason") == "status_unconfirmed"
        )

    return {
        "contract": CONTRACT,
        "rules_version": meta.rules_version,
        "closing_date": on.isoformat(),
        "warnings": warnings,
        "regimes": regimes,
    }
