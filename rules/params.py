"""Dated parameters: the legal amounts, rates and dates, loaded from `rules/parameters/*.yaml`.

Each parameter holds values keyed by the date from which they apply (the value in force
for a loan closed on a given date), each with its source, in the manner of OpenFisca.
The loader is strict: unknown keys, duplicate dates, values of the wrong unit and
missing sources are errors, never silently accepted.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PARAMETERS_DIR = Path(__file__).resolve().parent / "parameters"
Unit = Literal["EUR", "percent", "count", "years", "date", "flag", "choices"]
ParamValue = Decimal | int | bool | dt.date | tuple[int, ...] | tuple[str, ...]
#: The parameter file of the parameters every regime shares; the others are one per regime.
COMMON = "common"


class ParameterError(ValueError):
    """A parameter file breaks the schema (the message names the file and the key)."""


class _StrictLoader(yaml.SafeLoader):
    """A YAML loader that refuses a repeated key in a mapping instead of overwriting it."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise ParameterError(f"duplicate key {key!r} at line {key_node.start_mark.line + 1}")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class DatedValue(BaseModel):
    """One value and where it comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: Any
    source: str = Field(min_length=3)
    note: str | None = None


class UncertainWindow(BaseModel):
    """Closing dates for which the sources disagree about this parameter.

    When the dispute is about the value rather than the date it changed, `alternative` is
    the value the other sources give (in the parameter's unit): the evaluation then names
    the parameter only where that value would change the answer.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    note: str = Field(min_length=3)
    alternative: Any = None

    @model_validator(mode="after")
    def _ordered(self) -> UncertainWindow:
        if self.end < self.start:
            raise ValueError("'to' is before 'from'")
        return self


def _as_decimal(raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ValueError(f"{raw!r}: give amounts and rates as integers or quoted decimals")
    try:
        number = Decimal(str(raw))
    except InvalidOperation as exc:
        raise ValueError(f"{raw!r} is not a number") from exc
    if not number.is_finite():
        raise ValueError(f"{raw!r} is not a finite number")
    return number


def _convert(unit: Unit, raw: Any) -> ParamValue:
    """Check one raw YAML value against its unit and return it typed."""
    if unit in ("EUR", "percent"):
        number = _as_decimal(raw)
        if number < 0:
            raise ValueError(f"{raw!r}: must not be negative")
        if unit == "percent" and number > 100:
            raise ValueError(f"{raw!r}: a percentage is at most 100")
        return number
    if unit == "count":
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            raise ValueError(f"{raw!r}: a count is a whole number >= 0")
        return raw
    if unit == "years":
        if not isinstance(raw, list) or not raw:
            raise ValueError(f"{raw!r}: durations are a non-empty list of whole years")
        if any(isinstance(y, bool) or not isinstance(y, int) or y <= 0 for y in raw):
            raise ValueError(f"{raw!r}: durations are whole years > 0")
        return tuple(sorted(raw))
    if unit == "date":
        if not isinstance(raw, dt.date):
            raise ValueError(f"{raw!r}: an ISO date is expected")
        return raw
    if unit == "choices":
        if not isinstance(raw, list) or not raw:
            raise ValueError(f"{raw!r}: choices are a non-empty list of codes")
        if any(not isinstance(c, str) or not re.fullmatch(r"[a-z_]+", c) for c in raw):
            raise ValueError(f"{raw!r}: choices are lower-case codes such as annuity")
        return tuple(raw)
    if not isinstance(raw, bool):  # unit == "flag"
        raise ValueError(f"{raw!r}: true or false is expected")
    return raw


class Parameter(BaseModel):
    """A named parameter with its dated values (ascending).

    The start dates, sorted, and the typed values are computed once, when the file is
    loaded: a lookup is then a bisection (evaluate reads parameters hundreds of times).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = Field(min_length=3)
    unit: Unit
    period: Literal["calendar_year"] | None = None
    values: dict[dt.date, DatedValue]
    uncertain: tuple[UncertainWindow, ...] = ()

    @field_validator("values", mode="before")
    @classmethod
    def _date_keys(cls, raw: Any) -> Any:
        if not isinstance(raw, dict) or not raw:
            raise ValueError("values must be a non-empty mapping of ISO dates to values")
        for key in raw:
            if not isinstance(key, dt.date) or isinstance(key, dt.datetime):
                raise ValueError(f"{key!r} is not an ISO date (YYYY-MM-DD)")
        return raw

    @model_validator(mode="after")
    def _typed_values(self) -> Parameter:
        """Check each value against the unit; then build the lookup table, at load."""
        for day, dated in self.values.items():
            try:
                _convert(self.unit, dated.value)
            except ValueError as exc:
                raise ValueError(f"value of {day.isoformat()}: {exc}") from exc
            if self.period == "calendar_year" and (day.month, day.day) != (1, 1):
                raise ValueError(f"{day.isoformat()}: a calendar-year value starts on 1 January")
        for window in self.uncertain:
            if window.alternative is not None:
                try:
                    _convert(self.unit, window.alternative)
                except ValueError as exc:
                    raise ValueError(f"alternative from {window.start}: {exc}") from exc
        self._lookup  # noqa: B018 - computed now, not in the first evaluate
        return self

    @cached_property
    def _lookup(self) -> tuple[tuple[dt.date, ...], tuple[ParamValue, ...]]:
        """The start dates, sorted, and their typed values (immutable: Decimal, int, bool,
        date, tuple). A cached property, not a pydantic private attribute: those are
        read through `BaseModel.__getattr__`, thirty times slower than this."""
        dates = tuple(sorted(self.values))
        return dates, tuple(_convert(self.unit, self.values[day].value) for day in dates)

    def entry(self, on: dt.date) -> tuple[dt.date, DatedValue]:
        """The (start date, value) in force on `on`; the earliest one before the first date."""
        dates = self._lookup[0]
        day = dates[max(bisect_right(dates, on) - 1, 0)]
        return day, self.values[day]

    def at(self, on: dt.date) -> Any:
        """The typed value in force on `on` (a Decimal, int, bool, date or tuple of years)."""
        dates, typed = self._lookup
        return typed[max(bisect_right(dates, on) - 1, 0)]

    def is_provisional(self, on: dt.date) -> bool:
        """True for a calendar-year parameter whose value for `on`'s year is not known yet."""
        return self.period == "calendar_year" and self.entry(on)[0].year != on.year

    def doubt(self, on: dt.date) -> str | None:
        """The note of the uncertainty window containing `on`, if any."""
        window = self._window(on)
        return window.note if window else None

    def _window(self, on: dt.date) -> UncertainWindow | None:
        for window in self.uncertain:
            if window.start <= on <= window.end:
                return window
        return None

    def alternatives(self, on: dt.date) -> tuple[Any, ...]:
        """The values the disputed sources would give instead, for a date in an uncertainty
        window: those in force just before and just after the window, and the window's
        `alternative`, when they differ from the value chosen. Empty outside a window, or
        when the dispute is about the value's only source (no other value is known)."""
        window = self._window(on)
        if window is None:
            return ()
        chosen = self.at(on)
        edges = (window.start - dt.timedelta(days=1), window.end + dt.timedelta(days=1))
        candidates = [self.at(day) for day in edges]
        if window.alternative is not None:
            candidates.append(_convert(self.unit, window.alternative))
        found: list[Any] = []
        for value in candidates:
            if value != chosen and value not in found:
                found.append(value)
        return tuple(found)


class ParameterSet(BaseModel):
    """All parameters of one file (a regime, or the shared ones)."""

    model_config = ConfigDict(frozen=True)

    name: str
    parameters: dict[str, Parameter]

    def __getitem__(self, key: str) -> Parameter:
        return self.parameters[key]


class Meta(BaseModel):
    """`_meta.yaml`: the version of the rules and the first covered closing date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules_version: str = Field(pattern=r"^\d{4}\.\d{1,2}\.\d+$")
    covered_from: dt.date


def read_strict_yaml(path: Path) -> Any:
    """A YAML file (safe subset) that refuses repeated keys; also for the rule cases.
    Raises ParameterError naming the file."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)  # noqa: S506
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: an impossible date
        raise ParameterError(f"{path.name}: {exc}") from exc


def load_parameter_file(path: Path) -> ParameterSet:
    """Load and validate one parameter file; raise ParameterError naming what is wrong."""
    raw = read_strict_yaml(path)
    if not isinstance(raw, dict):
        raise ParameterError(f"{path.name}: expected a mapping of parameter names")
    parameters: dict[str, Parameter] = {}
    for name, body in raw.items():
        if not isinstance(body, dict):
            raise ParameterError(f"{path.name}: {name}: expected a mapping")
        try:
            parameters[name] = Parameter.model_validate({"name": name, **body})
        except ValueError as exc:
            raise ParameterError(f"{path.name}: {name}: {exc}") from exc
    return ParameterSet(name=path.stem, parameters=parameters)


@lru_cache(maxsize=1)
def load_meta() -> Meta:
    """The rules version and scope (read once)."""
    try:
        return Meta.model_validate(read_strict_yaml(PARAMETERS_DIR / "_meta.yaml"))
    except ValueError as exc:
        raise ParameterError(f"_meta.yaml: {exc}") from exc


@lru_cache(maxsize=1)
def load_all() -> dict[str, ParameterSet]:
    """Every parameter file, keyed by its name: `common` and one per regime (the file's
    stem is the regime's contract key). Files starting with `_` are not parameters."""
    paths = sorted(p for p in PARAMETERS_DIR.glob("*.yaml") if not p.name.startswith("_"))
    return {path.stem: load_parameter_file(path) for path in paths}
