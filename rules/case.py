"""The case: what is known about a lender, a borrower, a loan and a project.

This is the input of the evaluate contract (`shared/contracts/evaluate-json.md`). Every
field is optional: a missing field means "not known yet", never false or 0. Money and
percentages are decimal strings (integers are accepted, floats refused: they are not
exact); dates are ISO `YYYY-MM-DD`, a closing date from 1900 to 2100; unknown keys are
refused so that a typo is an error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StrictBool,
    StrictInt,
    ValidationError,
    WithJsonSchema,
)

Region = Literal["flanders", "brussels", "wallonia", "abroad"]
LegalForm = Literal["self_employed", "company", "nonprofit"]
Repayment = Literal["bullet", "annuity", "linear"]
Frequency = Literal["monthly", "quarterly", "half_yearly", "annual"]
#: Who holds a stake in the enterprise: an ordinary enterprise, or one of the investors
#: that may hold 25-50 % without costing its autonomy (shared/domain/common.md).
InvestorKind = Literal[
    "enterprise",
    "public_investment",
    "venture_capital",
    "business_angels",
    "university",
    "research_centre",
    "institutional_investor",
    "local_authority",
]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: Larger amounts are refused as implausible (and to keep exact arithmetic cheap).
MAX_AMOUNT = Decimal("1000000000000")
#: The closing dates a case may carry. Far wider than any regime (the scope rule answers
#: "not covered" before 2015), and far enough from the calendar's end (year 9999) that the
#: longest loan (50 years, every instalment date after the closing) always has a date.
EARLIEST_CLOSING_DATE = dt.date(1900, 1, 1)
LATEST_CLOSING_DATE = dt.date(2100, 12, 31)


def _decimal_from_json(raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        raise ValueError('give a decimal number as a string, e.g. "10000" or "1.5"')
    text = raw.strip() if isinstance(raw, str) else str(raw)
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise ValueError(f'{raw!r} is not a decimal number (use digits and a dot, e.g. "1234.56")')
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already checked
        raise ValueError(f"{raw!r} is not a decimal number") from exc


def _at_most_places(places: int) -> Callable[[Decimal], Decimal]:
    """A validator refusing more decimals than `places` (they would only be rounded away,
    and unbounded decimals would make exact arithmetic arbitrarily slow)."""

    def check(value: Decimal) -> Decimal:
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            raise ValueError(f"give at most {places} decimals")
        return value

    return check


def _non_negative(value: Decimal) -> Decimal:
    if value < 0:
        raise ValueError("must not be negative")
    if value > MAX_AMOUNT:
        raise ValueError("is implausibly large")
    return value


def _more_than_zero(value: Decimal) -> Decimal:
    if value == 0:  # no loan to schedule or simulate: refused here, not crashed on later
        raise ValueError("a loan amount must be more than 0")
    return value


def _percentage(value: Decimal) -> Decimal:
    if value < 0 or value > 100:
        raise ValueError("a percentage lies between 0 and 100")
    return value


def _iso_date(raw: Any) -> dt.date:
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        return raw
    if not isinstance(raw, str) or not _ISO_DATE.fullmatch(raw):
        raise ValueError(f"{raw!r} is not an ISO date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValueError(f"{raw!r} is not a valid date") from exc


def _plausible_closing_date(value: dt.date) -> dt.date:
    if not EARLIEST_CLOSING_DATE <= value <= LATEST_CLOSING_DATE:
        raise ValueError(
            f"{value.isoformat()} is out of range: a closing date lies between "
            f"{EARLIEST_CLOSING_DATE.isoformat()} and {LATEST_CLOSING_DATE.isoformat()}"
        )
    return value


# What the validators above accept, as JSON Schema, so that the published schema (the
# web API's OpenAPI) says exactly that: a decimal string (or a JSON integer), never a float.
_MONEY_SCHEMA = WithJsonSchema(
    {
        "anyOf": [
            {
                "type": "string",
                "pattern": r"^\s*0*([0-9]{1,12}(\.[0-9]{1,2})?|1000000000000(\.0{1,2})?)\s*$",
            },
            {"type": "integer", "minimum": 0, "maximum": int(MAX_AMOUNT)},
        ],
        "description": 'A decimal string, at most 2 decimals, 0 to 1000000000000 ("1234.56").',
    },
    mode="validation",
)
_LOAN_AMOUNT_SCHEMA = WithJsonSchema(
    {
        "anyOf": [
            {
                "type": "string",
                "pattern": (
                    r"^\s*0*([1-9][0-9]{0,11}(\.[0-9]{1,2})?|0\.(0[1-9]|[1-9][0-9]?)"
                    r"|1000000000000(\.0{1,2})?)\s*$"
                ),
            },
            {"type": "integer", "minimum": 1, "maximum": int(MAX_AMOUNT)},
        ],
        "description": (
            'A decimal string, at most 2 decimals, more than 0 and at most 1000000000000 ("1234.56").'
        ),
    },
    mode="validation",
)
_PERCENT_SCHEMA = WithJsonSchema(
    {
        "anyOf": [
            {
                "type": "string",
                "pattern": r"^\s*0*([0-9]{1,2}(\.[0-9]{1,4})?|100(\.0{1,4})?)\s*$",
            },
            {"type": "integer", "minimum": 0, "maximum": 100},
        ],
        "description": 'A percentage as a decimal string, at most 4 decimals, 0 to 100 ("1.5").',
    },
    mode="validation",
)
_CLOSING_DATE_SCHEMA = WithJsonSchema(
    {
        "type": "string",
        "format": "date",
        "pattern": r"^(19[0-9]{2}|20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
        "description": "ISO date YYYY-MM-DD, from 1900-01-01 to 2100-12-31.",
    },
    mode="validation",
)

_as_string = PlainSerializer(lambda v: format(v, "f"), return_type=str, when_used="json")
Money = Annotated[
    Decimal,
    BeforeValidator(_decimal_from_json),
    AfterValidator(_non_negative),
    AfterValidator(_at_most_places(2)),
    _as_string,
    _MONEY_SCHEMA,
]
#: The loan's principal: money, and more than 0 (a schedule needs something to repay).
LoanAmount = Annotated[
    Decimal,
    BeforeValidator(_decimal_from_json),
    AfterValidator(_non_negative),
    AfterValidator(_more_than_zero),
    AfterValidator(_at_most_places(2)),
    _as_string,
    _LOAN_AMOUNT_SCHEMA,
]
Percent = Annotated[
    Decimal,
    BeforeValidator(_decimal_from_json),
    AfterValidator(_percentage),
    AfterValidator(_at_most_places(4)),
    _as_string,
    _PERCENT_SCHEMA,
]
Years = Annotated[StrictInt, Field(ge=1, le=50)]
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
ClosingDate = Annotated[IsoDate, AfterValidator(_plausible_closing_date), _CLOSING_DATE_SCHEMA]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Lender(_Part):
    """The would-be lender: a friend, family member or acquaintance of the borrower."""

    region: Region | None = None
    natural_person: StrictBool | None = None
    professional_capacity: StrictBool | None = None
    employee_of_borrower: StrictBool | None = None
    spouse_of_borrower: StrictBool | None = None
    director_of_borrower: StrictBool | None = None
    shareholding_pct: Percent | None = None
    borrower_in_other_loan: StrictBool | None = None
    already_lent: Money | None = None
    lent_this_year: Money | None = None


class Partner(_Part):
    """A partner (figures added in proportion) or linked (added in full) enterprise."""

    held_pct: Percent
    linked: StrictBool = False
    investor_kind: InvestorKind = "enterprise"
    staff: Money | None = None
    turnover: Money | None = None
    balance_sheet: Money | None = None


class Borrower(_Part):
    """The enterprise that borrows: self-employed person, company or non-profit."""

    legal_form: LegalForm | None = None
    region: Region | None = None
    economic_activity: StrictBool | None = None
    staff: Money | None = None
    turnover: Money | None = None
    balance_sheet: Money | None = None
    partners: list[Partner] | None = None
    public_control_pct: Percent | None = None
    sme_declared: StrictBool | None = None
    years_registered: Annotated[StrictInt, Field(ge=0, le=200)] | None = None
    excluded_sector: StrictBool | None = None
    excluded_activity: StrictBool | None = None
    exemplary: StrictBool | None = None
    already_borrowed: Money | None = None


class Loan(_Part):
    """The friends-and-family loan being considered."""

    amount: LoanAmount | None = None
    rate_pct: Percent | None = None
    years: Years | None = None
    repayment: Repayment | None = None
    frequency: Frequency | None = None
    grace_years: Annotated[StrictInt, Field(ge=0, le=50)] | None = None


class Project(_Part):
    """The entrepreneur's investment project (only for PMV's co-financing)."""

    investment_need: Money | None = None
    own_contribution: Money | None = None
    partner_financing: Money | None = None
    partner_years: Years | None = None
    pmv_years: Years | None = None
    pmv_grace_years: Annotated[StrictInt, Field(ge=0, le=50)] | None = None
    pmv_amount: Money | None = None


class Case(_Part):
    """Everything known so far. `Case()` is a valid, empty case."""

    closing_date: ClosingDate | None = None
    lender: Lender = Field(default_factory=Lender)
    borrower: Borrower = Field(default_factory=Borrower)
    loan: Loan = Field(default_factory=Loan)
    project: Project = Field(default_factory=Project)

    def to_json(self) -> dict[str, Any]:
        """The case as contract JSON (only the known fields)."""
        return self.model_dump(mode="json", exclude_none=True)


class CaseError(ValueError):
    """Invalid case input. `field` is the dotted path of the first offending field;
    `errors` lists every (field, message) pair found."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = errors
        self.field, self.message = errors[0]
        super().__init__(f"{self.field}: {self.message}")


def _field_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(case)"


def _message(error: Any) -> str:
    message = str(error["msg"])
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return "unknown field"
    return message


def parse_case(data: Any) -> Case:
    """Validate contract JSON (a dict) into a `Case`, or raise `CaseError` naming the field."""
    if isinstance(data, Case):
        return data
    if not isinstance(data, dict):
        raise CaseError([("(case)", "a case is a JSON object")])
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise CaseError([(_field_path(e["loc"]), _message(e)) for e in exc.errors()]) from None
