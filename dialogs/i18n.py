"""Translations (gettext catalogs, English msgids) and Babel formatting for nl_BE/fr_BE/en.

Catalogs live in `locales/<lang>/LC_MESSAGES/messages.mo`: in a source checkout at the
repository root, in an installed wheel inside this package (`dialogs/locales`, see
pyproject's force-include). Both places are searched, the package first.

Texts in the code are marked with `N_()` (a no-op that pybabel extracts) and translated at
render time through a `Translator`, because the language can change mid-conversation.
Placeholders use `str.format` names ("{amount}"), never positional ones.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal
from babel.support import NullTranslations, Translations

#: Conversation language -> Babel locale used for numbers, money and dates.
LOCALES: dict[str, str] = {"nl": "nl_BE", "fr": "fr_BE", "en": "en"}
DOMAIN = "messages"
CENT = Decimal("0.01")


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


def catalog_dirs() -> list[Path]:
    """Where compiled catalogs may be: the installed package, then the source checkout."""
    here = Path(__file__).resolve().parent
    return [here / "locales", here.parent / "locales"]


def locale_dir() -> Path | None:
    """The first catalog directory that holds compiled catalogs, if any."""
    for candidate in catalog_dirs():
        if (candidate / "nl" / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file():
            return candidate
    return None


@lru_cache(maxsize=8)
def translations(lang: str) -> NullTranslations:
    """The gettext catalog of `lang` (English and unknown languages: the msgids)."""
    directory = locale_dir()
    if lang == "en" or directory is None:
        return NullTranslations()
    return Translations.load(str(directory), [lang], domain=DOMAIN)


def normalise_lang(hint: str | None) -> str:
    """ "nl-BE", "fr_FR", "NL" -> "nl"/"fr"; anything else -> "en"."""
    if not hint:
        return "en"
    code = hint.strip().lower().replace("_", "-").split("-")[0]
    return code if code in ("nl", "fr") else "en"


class Translator:
    """Translate and format for one language; cheap to create per turn."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LOCALES else "en"
        self.locale = LOCALES[self.lang]
        self._catalog = translations(self.lang)

    def __call__(self, message: str, **params: Any) -> str:
        """Translate `message` and fill its `{name}` placeholders."""
        text = self._catalog.gettext(message)
        return text.format(**params) if params else text

    def plural(self, singular: str, plural: str, n: int, **params: Any) -> str:
        """Translate with a plural form chosen by `n` (also available as `{n}`)."""
        text = self._catalog.ngettext(singular, plural, n)
        return text.format(n=n, **params)

    def money(self, value: Decimal | str) -> str:
        """€ 250.000,00 / 250 000,00 € / €250,000.00 (rounded half up to the cent)."""
        amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
        return format_currency(amount, "EUR", locale=self.locale)

    def number(self, value: Decimal | str | int) -> str:
        """A plain number with the locale's marks (1.234,5 / 1 234,5 / 1,234.5)."""
        return format_decimal(Decimal(value), locale=self.locale, decimal_quantization=False)

    def pct(self, value: Decimal | str) -> str:
        """A percentage as typed in the rules ("2.875" -> "2,875%" / "2,875 %")."""
        number = self.number(Decimal(value).normalize())
        return f"{number}\u00a0%" if self.lang == "fr" else f"{number}%"

    def listing(self, items: list[str]) -> str:
        """ "a, b and c" in the user's language (Babel's list patterns)."""
        return format_list(items, locale=self.locale)

    def date(self, value: date | str) -> str:
        """15 maart 2024 / 15 mars 2024 / March 15, 2024."""
        day = date.fromisoformat(value) if isinstance(value, str) else value
        return format_date(day, "long", locale=self.locale)
