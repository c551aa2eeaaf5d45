"""Kinds of answers: how a question's buttons look, how typed text is read, how a value is shown.

Every kind accepts its buttons' keys and free text in nl, fr and en. A text that cannot be
read raises `AnswerError` with a specific, translatable re-prompt. Values are what the
evaluate contract expects (strings for money and percentages, ints for years, bools).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from dialogs.amounts import NumberError, NumberKind, as_contract_string, parse_number
from dialogs.amounts import parse_whole_years as _parse_years
from dialogs.events import Button
from dialogs.i18n import N_, Translator
from rules import MAX_AMOUNT, region_of_postal_code


class AnswerError(ValueError):
    """A typed answer could not be used; `message` (a msgid) and `params` say why."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message = message
        self.params = params


#: Spaces and punctuation at the start of a string (anchored: linear in its length).
_LEADING_PUNCTUATION = re.compile(r"^[\s\W_]+")


def simplify(text: str) -> str:
    """Lower case, accents and surrounding punctuation removed: "  Oui ! " -> "oui"."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.replace("\u2019", "'")
    # The end is stripped on the reversed string: a "[...]+$" search would retry from
    # every position of a long run of spaces (quadratic in the length of the text).
    plain = _LEADING_PUNCTUATION.sub("", plain, count=1)
    return _LEADING_PUNCTUATION.sub("", plain[::-1], count=1)[::-1]


_NUMBER_ERRORS: dict[str, str] = {
    "empty": N_("Please type a number."),
    "garbage": N_("I could not read “{text}” as a number. Try e.g. {example}."),
    "negative": N_("The number cannot be negative."),
    "decimals": N_("An amount has at most two decimals (cents)."),
    "whole": N_("Please give a whole number of years."),
}


def number_error(
    err: NumberError, text: str, example: str, too_large: AnswerError | None = None
) -> AnswerError:
    """The re-prompt for a number that could not be read; `too_large` is the kind's own
    re-prompt for a number far out of its range (default: "too large to be right")."""
    if err.code == "large":
        return too_large or AnswerError(N_("That number is too large to be right."))
    return AnswerError(
        _NUMBER_ERRORS.get(err.code, _NUMBER_ERRORS["garbage"]), text=text[:40], example=example
    )


class AnswerKind:
    """Base of all answer kinds."""

    #: Mermaid/summary hint of what the kind accepts.
    name = "answer"

    def buttons(self, tr: Translator, now: datetime) -> list[Button]:
        """The closed-set choices of this kind (may be empty)."""
        return []

    def from_button(self, key: str, now: datetime) -> Any:
        """The value of a button key; None when the key is not one of this kind's."""
        return None

    def parse(self, text: str, tr: Translator, now: datetime) -> Any:
        """The value of typed text, or AnswerError."""
        raise AnswerError(N_("Please choose one of the buttons."))

    def show(self, value: Any, tr: Translator) -> str:
        """The value as the person reads it."""
        return str(value)

    def echo(self, value: Any, tr: Translator) -> str | None:
        """A confirmation of how a typed value was understood (numbers), or None."""
        return None


_YES = {"ja", "j", "yes", "y", "oui", "o", "jawel", "zeker", "ok", "si", "true", "waar", "vrai"}
_NO = {"nee", "neen", "n", "no", "non", "nope", "false", "onwaar", "faux", "nein"}


@dataclass(frozen=True)
class YesNo(AnswerKind):
    """Yes or no, typed in any of the three languages or chosen by button."""

    name = "yes/no"

    def buttons(self, tr: Translator, now: datetime) -> list[Button]:
        return [Button("yes", tr(N_("Yes"))), Button("no", tr(N_("No")))]

    def from_button(self, key: str, now: datetime) -> Any:
        return {"yes": True, "no": False}.get(key)

    def parse(self, text: str, tr: Translator, now: datetime) -> Any:
        word = simplify(text)
        if word in _YES:
            return True
        if word in _NO:
            return False
        raise AnswerError(N_("Please answer yes or no (or choose a button)."))

    def show(self, value: Any, tr: Translator) -> str:
        return tr(N_("Yes")) if value else tr(N_("No"))


@dataclass(frozen=True)
class Option:
    """One choice of a closed set: button key, contract value, label, typed synonyms."""

    key: str
    value: Any
    label: str
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Choice(AnswerKind):
    """One of a closed set of options."""

    options: tuple[Option, ...]
    hint: str = N_("Please choose one of the buttons.")
    name = "choice"

    def buttons(self, tr: Translator, now: datetime) -> list[Button]:
        return [Button(o.key, tr(o.label)) for o in self.options]

    def from_button(self, key: str, now: datetime) -> Any:
        for option in self.options:
            if option.key == key:
                return option.value
        return None

    def parse(self, text: str, tr: Translator, now: datetime) -> Any:
        word = simplify(text)
        if len(word) == 1 and word.isdecimal() and 1 <= int(word) <= len(self.options):
            return self.options[int(word) - 1].value
        for option in self.options:
            labels = {simplify(tr(option.label)), simplify(option.label)}
            if word in labels or word in option.words:
                return option.value
        raise AnswerError(self.hint)

    def show(self, value: Any, tr: Translator) -> str:
        for option in self.options:
            if option.value == value:
                return tr(option.label)
        return str(value)


REGION_OPTIONS = (
    Option(
        "region.flanders",
        "flanders",
        N_("Flemish Region"),
        ("vlaanderen", "vlaams gewest", "flandre", "flandres", "flanders", "vl"),
    ),
    Option(
        "region.brussels",
        "brussels",
        N_("Brussels-Capital Region"),
        ("brussel", "bruxelles", "brussels", "bxl", "brussels hoofdstedelijk gewest"),
    ),
    Option(
        "region.wallonia",
        "wallonia",
        N_("Walloon Region"),
        ("wallonie", "wallonia", "wallonien", "waals gewest"),
    ),
    Option(
        "region.abroad",
        "abroad",
        N_("Outside Belgium"),
        ("buitenland", "etranger", "abroad", "l'etranger", "a l'etranger"),
    ),
)


@dataclass(frozen=True)
class Region(Choice):
    """A region: button, region name, or a Belgian postal code."""

    options: tuple[Option, ...] = REGION_OPTIONS
    hint: str = N_("Please choose a region or type a Belgian postal code (4 digits, e.g. 2000).")
    name = "region or postal code"

    def parse(self, text: str, tr: Translator, now: datetime) -> Any:
        word = simplify(text)
        if re.fullmatch(r"(b-?)?\d{4}", word):
            region = region_of_postal_code(int(word[-4:]))
            if region is None:
                raise AnswerError(N_("{code} is not a Belgian postal code."), code=word[-4:])
            return region
        if re.fullmatch(r"\d+", word):
            raise AnswerError(N_("A Belgian postal code has 4 digits (e.g. 1000 or 9000)."))
        return super().parse(text, tr, now)

    def echo(self, value: Any, tr: Translator) -> str | None:
        return self.show(value, tr)


@dataclass(frozen=True)
class _Number(AnswerKind):
    """A typed number, echoed back as understood; an optional "zero" button
    ("nothing", "none") when 0 is a common answer."""

    zero_label: str | None = None

    def buttons(self, tr: Translator, now: datetime) -> list[Button]:
        return [Button("zero", tr(self.zero_label))] if self.zero_label else []

    def from_button(self, key: str, now: datetime) -> Any:
        return "0" if key == "zero" and self.zero_label else None

    def echo(self, value: Any, tr: Translator) -> str | None:
        return self.show(value, tr)


@dataclass(frozen=True)
class Money(_Number):
    """An amount in euro, typed the Belgian way; `positive` refuses 0 (the loan itself)."""

    name = "amount"
    positive: bool = False

    def parse(self, text: str, tr: Translator, now: datetime) -> Any:
        too_large = AnswerError(N_("That amount is too large to be right."))
        try:
            value = parse_number(text, NumberKind.MONEY, tr.locale)
        except NumberError as err:
            raise number_error(err, text, tr.money(Decimal("50000")), too_large) from err
        if value > MAX_AMOUNT:
            raise too_large
        if self.positive and value == 0:
            raise AnswerError(N_("The amount must be more than 0."))
        return as_contract_string(value)

    def show(self, value: Any, tr: Translator) -> str:
        return tr.money(value)


@dataclass(frozen=True)
class Percent(_Number):
    """A percentage between 0 and 100 ("1,5", "1.5 %")."""

    name = "percentage"

    def parse(self, text: str, tr: Translator, now: datetime) -> Any:
        out_of_range = AnswerError(N_("A percentage lies between 0 and 100."))
        try:
            value = parse_number(text, NumberKind.PERCENT, tr.locale)
        except NumberError as err:
            raise number_error(err, text, tr.pct("2.5"), out_of_range) from err
        if value > 100:
            raise out_of_range
        if value != value.quantize(Decimal("0.0001")):
            raise AnswerError(N_("Please give at most four decimals."))
        return as_contract_string(value)

    def show(self, value: Any, tr: Translator) -> str:
        return tr.pct(value)


@dataclass(frozen=True)
class Count(_Number):
    """A head count in full-time equivalents (decimals allowed: "12,5")."""

    name = "number"

    def parse(self, text: str, tr: Translator, now: datetime) -> Any:
        try:
            value = parse_number(text, NumberKind.COUNT, tr.locale)
        except NumberError as err:
            raise number_error(err, text, tr.number("12.5")) from err
        if value > 10_000_000:
            raise AnswerError(N_("That number is too large to be right."))
        # the case takes two decimals; the echo shows the rounded figure
        return as_contract_string(value.quantize(Decimal("0.01"), ROUND_HALF_UP))

    def show(self, value: Any, tr: Translator) -> str:
        return tr.number(value)


@dataclass(frozen=True)
class Years(AnswerKind):
    """A duration in whole years within [low, high]; buttons for the usual values."""

    low: int = 1
    high: int = 30
    suggested: tuple[int, ...] = ()
    zero_label: str | None = None
    name = "years"

    def buttons(self, tr: Translator, now: datetime) -> list[Button]:
        found = [Button("zero", tr(self.zero_label))] if self.zero_label else []
        return found + [
            Button(f"years.{n}", tr.plural("{n} year", "{n} years", n)) for n in self.suggested
        ]

    def from_button(self, key: str, now: datetime) -> Any:
        """Only the offered buttons: a forged "years.51" is not a way round [low, high]."""
        if key == "zero" and self.zero_label:
            return 0
        for n in self.suggested:
            if key == f"years.{n}":
                return n
        return None

    def parse(self, text: str, tr: Translator, now: datetime) -> Any:
        out_of_range = AnswerError(
            N_("Please give a number of years between {low} and {high}."),
            low=self.low,
            high=self.high,
        )
        try:
            years = _parse_years(text)
        except NumberError as err:
            raise number_error(err, text, "5", out_of_range) from err
        if not self.low <= years <= self.high:
            raise out_of_range
        return years

    def show(self, value: Any, tr: Translator) -> str:
        return tr.plural("{n} year", "{n} years", int(value))


_TODAY_WORDS = {"today", "vandaag", "aujourd'hui", "aujourdhui", "auj", "now", "nu"}


@dataclass(frozen=True)
class ClosingDate(AnswerKind):
    """The date the deed is (or was) signed: a "today" button or a typed date."""

    name = "date"

    def buttons(self, tr: Translator, now: datetime) -> list[Button]:
        return [Button("today", tr(N_("Today ({date})"), date=tr.date(now.date())))]

    def from_button(self, key: str, now: datetime) -> Any:
        return now.date().isoformat() if key == "today" else None

    def parse(self, text: str, tr: Translator, now: datetime) -> Any:
        word = simplify(text)
        if word in _TODAY_WORDS:
            return now.date().isoformat()
        type_a_date = AnswerError(
            N_("Please type a date as day/month/year, e.g. {example}."),
            example="15/03/" + str(now.year),
        )
        if len(word) > 40:  # no date is that long; the patterns would try every split of it
            raise type_a_date
        found = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", word)
        if found:
            year, month, day = (int(g) for g in found.groups())
        else:
            found = re.fullmatch(r"(\d{1,2})\s*[/.\- ]\s*(\d{1,2})\s*[/.\- ]\s*(\d{2,4})", word)
            if not found:
                raise type_a_date
            day, month, year = (int(g) for g in found.groups())
            if year < 100:
                year += 2000
        try:
            day_value = date(year, month, day)
        except ValueError as err:
            raise AnswerError(N_("That date does not exist.")) from err
        if not 1990 <= day_value.year <= now.year + 5:
            raise AnswerError(N_("Please give a date between 1990 and {year}."), year=now.year + 5)
        return day_value.isoformat()

    def show(self, value: Any, tr: Translator) -> str:
        return tr.date(value)

    def echo(self, value: Any, tr: Translator) -> str | None:
        return self.show(value, tr)
