"""The documents' wording. What is said per regime (its name, where the signed deed and
its table go and by when) is in the regime's text module (`dialogs.regimes.<key>`,
`TEXTS.name` and `TEXTS.deed`), from the "Form" sections of `shared/domain/<regime>.md`.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.numbers import format_decimal

from dialogs.i18n import CENT, N_, Translator
from dialogs.regimes import regime_texts

TITLE = N_("Repayment table: {regime}")
PARTIES = N_("Annex to the loan deed between the lender and the borrower")
LENDER = N_("Lender")
BORROWER = N_("Borrower")
LOAN_TERMS = N_("Loan terms")
SCHEDULE = N_("Schedule")
TAX_CREDITS = N_("Annual tax credits per income year")
ONE_TIME = N_(
    "If the borrower fails just after the first instalment: a one-time tax credit of "
    "{rate} on the lost principal of {lost}, that is {credit}."
)
NET_RETURN = N_(
    "Net return for the lender (net interest + tax credits): {amount}, a yield of {irr} per year."
)
WITHHOLDING = N_(
    "The borrower withholds the withholding tax on each interest payment and pays it to the "
    "tax office (form 273)."
)
CONVENTIONS = N_(
    "Conventions: periodic rate = annual rate / payments per year; amounts rounded to the "
    "cent; tax credits counted on 30 June of the next year for the yield."
)
RULES = N_("Rules applied: those in force on {date} (leenwijzer rules {version}).")
RECEIPT = N_("Receipt (SHA-256 of the inputs): {hash}")
SIGN_LENDER = N_("Date and signature of the lender")
SIGN_BORROWER = N_("Date and signature of the borrower")
PAGE = N_("Page {page} of {pages}")
TOTAL = N_("Total")
CLOSING = N_("Closing date")

#: Column titles of the schedule (PDF and CSV alike).
SCHEDULE_COLUMNS: tuple[str, ...] = (
    N_("No."),
    N_("Date"),
    N_("Interest"),
    N_("Capital"),
    N_("Outstanding"),
    N_("Withholding tax"),
    N_("Net interest"),
)
#: Column titles of the tax credits.
CREDIT_COLUMNS: tuple[str, ...] = (
    N_("Income year"),
    N_("Rate"),
    N_("Base"),
    N_("Tax credit"),
)
#: Instalment fields in the order of SCHEDULE_COLUMNS[2:].
AMOUNT_FIELDS: tuple[str, ...] = ("interest", "capital", "balance", "withholding", "net_interest")

#: The loan's terms as shown, by case field, in this order.
TERM_FIELDS: tuple[str, ...] = (
    "loan.amount",
    "loan.rate_pct",
    "loan.years",
    "loan.repayment",
    "loan.frequency",
    "loan.grace_years",
)
#: What the parties' lines say about each party, by case field.
LENDER_FIELDS: tuple[str, ...] = ("lender.region",)
BORROWER_FIELDS: tuple[str, ...] = ("borrower.legal_form", "borrower.region")


def registration(tr: Translator, regime: str) -> str:
    """Where the signed deed goes and by when (empty for a regime without one)."""
    text = regime_texts(regime).deed
    return tr(text) if text else ""


def amount(tr: Translator, value: Decimal | str) -> str:
    """An amount without the currency sign, grouped, two decimals (17.316,34 / 17,316.34)."""
    cents = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    return format_decimal(cents, format="#,##0.00", locale=tr.locale)


def field_value(case: dict[str, Any], dotted: str) -> Any:
    """A `section.field` of a nested case, or None."""
    section, _, name = dotted.partition(".")
    part = case.get(section)
    return part.get(name) if isinstance(part, dict) else None
