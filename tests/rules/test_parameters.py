"""The parameter files load through a strict schema, and `at(date)` picks the dated value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from rules.params import ParameterError, load_all, load_parameter_file
from rules.regimes import REGIMES

VALID = """
cap:
  description: A cap
  unit: EUR
  values:
    2015-01-01: {value: 50000, source: "a law"}
    2020-10-07: {value: 75000, source: "another law", note: "disputed"}
  uncertain:
    - {from: 2020-10-02, to: 2020-10-06, note: "sources disagree"}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sample.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_value_in_force_on_each_side_of_a_date(tmp_path: Path) -> None:
    cap = load_parameter_file(_write(tmp_path, VALID))["cap"]
    assert cap.at(dt.date(2020, 10, 6)) == Decimal(50000)
    assert cap.at(dt.date(2020, 10, 7)) == Decimal(75000)
    assert cap.doubt(dt.date(2020, 10, 2)) == "sources disagree"
    assert cap.doubt(dt.date(2020, 10, 7)) is None


@pytest.mark.parametrize(
    ("broken", "complaint"),
    [
        (VALID.replace("    2020-10-07:", "    2015-01-01:"), "duplicate key"),
        (VALID.replace("unit: EUR", "unit: EUR\n  colour: red"), "colour"),
        (VALID.replace('source: "a law"', 'source: "a law", sauce: "x"'), "sauce"),
        (VALID.replace("value: 50000", "value: -5"), "negative"),
        (VALID.replace("value: 50000", "value: 2.5"), "quoted decimals"),
        (VALID.replace("value: 50000", 'value: "lots"'), "not a number"),
        (VALID.replace('{value: 50000, source: "a law"}', "{value: 50000}"), "source"),
        (VALID.replace("unit: EUR", "unit: euro"), "unit"),
        (VALID.replace("2015-01-01:", "2015-13-01:"), "month must be in"),
        (VALID.replace("2015-01-01:", '"2015":'), "ISO date"),
        (
            VALID.replace("{from: 2020-10-02, to: 2020-10-06", "{from: 2020-10-06, to: 2020-10-02"),
            "before",
        ),
    ],
    ids=[
        "duplicate-date",
        "unknown-key",
        "unknown-value-key",
        "negative",
        "float",
        "not-number",
        "no-source",
        "bad-unit",
        "impossible-date",
        "not-a-date",
        "window-reversed",
    ],
)
def test_strict_schema_rejects(tmp_path: Path, broken: str, complaint: str) -> None:
    with pytest.raises(ParameterError, match=complaint):
        load_parameter_file(_write(tmp_path, broken))


def test_percent_over_100_is_refused(tmp_path: Path) -> None:
    text = VALID.replace("unit: EUR", "unit: percent").replace("value: 75000", 'value: "101"')
    with pytest.raises(ParameterError, match="at most 100"):
        load_parameter_file(_write(tmp_path, text))


def test_every_shipped_value_has_a_source_and_loads() -> None:
    sets = load_all()
    # one file per regime of the registry, and the shared one
    assert set(sets) == {"common"} | {regime.name for regime in REGIMES}
    for parameter_set in sets.values():
        for parameter in parameter_set.parameters.values():
            for day in parameter.values:
                parameter.at(day)
                assert parameter.values[day].source


def test_legal_rate_is_provisional_beyond_the_table() -> None:
    legal = load_all()["common"]["legal_interest_rate"]
    assert legal.at(dt.date(2024, 6, 1)) == Decimal("5.75")
    assert not legal.is_provisional(dt.date(2026, 12, 31))
    assert legal.is_provisional(dt.date(2027, 1, 1))
    assert legal.at(dt.date(2027, 1, 1)) == Decimal("4.50")


def test_withholding_changes_on_new_year() -> None:
    withholding = load_all()["common"]["withholding_tax_rate"]
    assert withholding.at(dt.date(2016, 12, 31)) == Decimal(27)
    assert withholding.at(dt.date(2017, 1, 1)) == Decimal(30)


def test_withholding_rates_change_on_1_january_only() -> None:
    """rules.evaluate looks the withholding rate up once per calendar year."""
    withholding = load_all()["common"]["withholding_tax_rate"]
    assert all((day.month, day.day) == (1, 1) for day in withholding.values)


def test_a_disputed_window_knows_the_other_value(tmp_path: Path) -> None:
    """The value on the other side of a disputed date, or the window's stated alternative,
    is what the evaluation tries to see whether the dispute decides anything."""
    cap = load_parameter_file(_write(tmp_path, VALID))["cap"]
    assert cap.alternatives(dt.date(2020, 10, 4)) == (Decimal(75000),)
    assert cap.alternatives(dt.date(2020, 10, 7)) == ()
    stated = VALID.replace(
        'note: "sources disagree"}', 'note: "sources disagree", alternative: 60000}'
    )
    cap = load_parameter_file(_write(tmp_path, stated))["cap"]
    assert cap.alternatives(dt.date(2020, 10, 4)) == (Decimal(75000), Decimal(60000))


def test_an_alternative_of_the_wrong_unit_is_refused(tmp_path: Path) -> None:
    text = VALID.replace('note: "sources disagree"}', 'note: "sources disagree", alternative: yes}')
    with pytest.raises(ParameterError, match="alternative"):
        load_parameter_file(_write(tmp_path, text))
