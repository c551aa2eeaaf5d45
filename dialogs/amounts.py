"""Parsing of numbers typed the Belgian way: amounts, percentages, head counts, years.

Belgians write "€ 50.000", "50 000", "50.000,50", "1.234,56", "50k"; some type the English
"250,000" or "1234.56". The rules below read every one of these the way the person meant
it, for nl_BE and fr_BE alike (the dot is a thousands mark in both), and never misread
"250.000" as 250 or "1234.56" as 123456:

- Spaces (also the narrow no-break space of fr_BE) and currency words are ignored.
- With both "." and ",", the rightmost one is the decimal mark ("1.234,56", "1,234.56").
- With one kind of mark only, appearing several times: thousands marks ("1.250.000").
- With one mark appearing once: followed by exactly three digits it is a thousands mark
  for money ("250.000", "250,000": an amount never has three decimals); otherwise it is
  the decimal mark ("1234.56", "50,5"). For percentages and head counts a single mark is
  always the decimal mark ("2.875 %", "12,5 FTE").
- "k" means thousand and "m"/"mio" million ("50k", "1,2 mio").
- The digits are read exactly, however many there are (no 28-digit rounding); a number
  of a quadrillion or more is refused as too large before anything is computed with it,
  so a 27-digit amount is a re-prompt, not an arithmetic error.

Errors carry a code so the conversation can give a specific re-prompt.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation, localcontext
from enum import Enum

from babel.numbers import get_decimal_symbol


class NumberKind(Enum):
    """What a number stands for: it decides how a lone separator is read."""

    MONEY = "money"
    PERCENT = "percent"
    COUNT = "count"  # staff in full-time equivalents: decimals allowed


class NumberError(ValueError):
    """A typed number could not be read; `code` names the reason for the re-prompt."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


#: Words and signs stripped before reading the digits (lower case).
_NOISE = re.compile(
    r"(€|eur(?:o's|os|o)?\b|euro|%|procent|pour\s*cent|percent|pct|fte|vte|etp|"
    r"werknemers|personen|personnes|salariés|employees|people)",
    re.IGNORECASE,
)
_MULTIPLIERS: dict[str, Decimal] = {
    "k": Decimal(1000),
    "duizend": Decimal(1000),
    "mille": Decimal(1000),
    "thousand": Decimal(1000),
    "m": Decimal(1_000_000),
    "mio": Decimal(1_000_000),
    "miljoen": Decimal(1_000_000),
    "million": Decimal(1_000_000),
    "millions": Decimal(1_000_000),
}
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']+")
_NUMBER = re.compile(r"^[0-9.,]+$")
#: The trailing word that may be a multiplier. The look-behind makes it start where the
#: word starts: without it a long run of letters is searched from every position (slow).
_TRAILING_WORD = re.compile(r"(?<![a-z])([a-z]+)\.?$")
#: Numbers of 10**LARGE_EXPONENT or more are "large": far above any amount, head count or
#: percentage the conversation accepts, so each kind answers with its own "too large".
LARGE_EXPONENT = 15
#: Whole years are read from at most this many digits (int() refuses over 4300 digits).
_YEAR_DIGITS = 6


def _clean(text: str) -> tuple[str, Decimal, bool]:
    """Strip noise; return the digits-and-marks core, its multiplier and whether negative."""
    s = text.strip().lower()
    s = _NOISE.sub(" ", s)
    s = s.strip()
    negative = False
    if s.startswith(("-", "\u2212")):
        negative = True
        s = s[1:].strip()
    multiplier = Decimal(1)
    match = _TRAILING_WORD.search(s)
    if match and match.group(1) in _MULTIPLIERS:
        multiplier = _MULTIPLIERS[match.group(1)]
        s = s[: match.start()].strip()
    s = _SPACES.sub("", s)
    if s.endswith((",-", ".-")):  # "50.000,-" is a Belgian way to write a round sum
        s = s[:-2]
    if s.startswith(("-", "\u2212")):  # "€ -50" after stripping the euro sign
        negative = True
        s = s[1:]
    return s, multiplier, negative


def _to_plain(core: str, kind: NumberKind, decimal_mark: str) -> str:
    """Turn "1.234,56" and friends into "1234.56" (see the module docstring)."""
    dots, commas = core.count("."), core.count(",")
    if dots and commas:
        decimal = "." if core.rfind(".") > core.rfind(",") else ","
        thousands = "," if decimal == "." else "."
        if core.count(decimal) > 1:
            raise NumberError("garbage")
        return core.replace(thousands, "").replace(decimal, ".")
    mark = "." if dots else ","
    count = dots or commas
    if count == 0:
        return core
    if count > 1:
        groups = core.split(mark)
        if not groups[0] or any(len(g) != 3 for g in groups[1:]):
            raise NumberError("garbage")
        return core.replace(mark, "")
    whole, frac = core.split(mark)
    if kind is NumberKind.MONEY and len(frac) == 3 and whole.strip("0"):
        return whole + frac
    if not frac:
        return whole
    del decimal_mark  # the locale's mark agrees with the rule above for nl, fr and en
    return (whole or "0") + "." + frac


def parse_number(text: str, kind: NumberKind, locale: str) -> Decimal:
    """Read `text` as a number of `kind` typed by someone using `locale` (e.g. "nl_BE").

    Raises NumberError with code "empty", "garbage", "negative", "decimals" or "large"
    (10**LARGE_EXPONENT or more).
    """
    core, multiplier, negative = _clean(text)
    if not core:
        raise NumberError("empty")
    if not _NUMBER.match(core) or not any(ch.isdigit() for ch in core):
        raise NumberError("garbage")
    plain = _to_plain(core, kind, get_decimal_symbol(locale))
    try:
        number = Decimal(plain)  # exact: the constructor does not round
    except InvalidOperation as exc:
        raise NumberError("garbage") from exc
    if number and number.adjusted() + multiplier.adjusted() >= LARGE_EXPONENT:
        raise NumberError("large")
    with localcontext() as exact:  # enough digits that nothing below is rounded
        exact.prec = max(exact.prec, len(plain) + 10)
        value = number * multiplier
        if negative and value != 0:
            raise NumberError("negative")
        if kind is NumberKind.MONEY and value != value.quantize(Decimal("0.01")):
            raise NumberError("decimals")
    return value


def parse_whole_years(text: str) -> int:
    """Read a duration in whole years: "5", "8 jaar", "10 ans", "5 years".

    Raises NumberError with code "negative", "whole", "garbage" or "large" (more than a
    few digits: no duration is that long).
    """
    s = re.sub(r"(jaren|jaar|ans|an|années|année|years|year|yrs|j)\.?$", "", text.strip().lower())
    s = s.strip()
    if s.startswith("-"):
        raise NumberError("negative")
    if not re.fullmatch(r"[0-9]+", s):
        if re.fullmatch(r"\d+[.,]\d+", s):
            raise NumberError("whole")
        raise NumberError("garbage")
    if len(s.lstrip("0")) > _YEAR_DIGITS:
        raise NumberError("large")
    return int(s)


def as_contract_string(value: Decimal) -> str:
    """The contract's decimal string: no exponent, no trailing zeros ("50000", "1.5")."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
