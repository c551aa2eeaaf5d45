"""The repayment schedule by calendar year: a table that fits a phone screen.

One row per calendar year (= income year): the interest, capital and net interest paid
in that year, the outstanding principal at its end and the year's annual tax credit. The
figures are the rules core's, added up per year; the full schedule is in the documents.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dialogs.documents.texts import amount
from dialogs.events import Table
from dialogs.i18n import N_, Translator

YEARLY_COLUMNS: tuple[str, ...] = (
    N_("Year"),
    N_("Interest"),
    N_("Capital"),
    N_("Outstanding 31/12"),
    N_("Net interest"),
    N_("Tax credit"),
)


def yearly_rows(sim: dict[str, Any]) -> list[dict[str, Any]]:
    """Per calendar year: interest, capital, net interest, balance at year end, credit.

    The years run from the first instalment's or credit's year to the last; a year
    without an instalment (a December closing with yearly payments) keeps the balance
    of the year before (the principal before the first payment).
    """
    instalments = sim["instalments"]
    credits = {int(c["year"]): Decimal(c["credit"]) for c in sim.get("tax_credits", [])}
    years = {int(i["date"][:4]) for i in instalments} | set(credits)
    if not years:
        return []
    balance = sum((Decimal(i["capital"]) for i in instalments), Decimal(0))
    rows = []
    for year in range(min(years), max(years) + 1):
        paid = [i for i in instalments if int(i["date"][:4]) == year]
        if paid:
            balance = Decimal(paid[-1]["balance"])
        rows.append(
            {
                "year": year,
                "interest": sum((Decimal(i["interest"]) for i in paid), Decimal(0)),
                "capital": sum((Decimal(i["capital"]) for i in paid), Decimal(0)),
                "balance": balance,
                "net_interest": sum((Decimal(i["net_interest"]) for i in paid), Decimal(0)),
                "credit": credits.get(year),
            }
        )
    return rows


def yearly_summary(tr: Translator, sim: dict[str, Any] | None) -> Table | None:
    """The yearly rows as formatted cells (amounts in euro, without the sign)."""
    if not sim or not sim.get("instalments"):
        return None
    rows = [
        [
            str(row["year"]),
            amount(tr, row["interest"]),
            amount(tr, row["capital"]),
            amount(tr, row["balance"]),
            amount(tr, row["net_interest"]),
            amount(tr, row["credit"]) if row["credit"] is not None else "–",
        ]
        for row in yearly_rows(sim)
    ]
    return Table([tr(column) for column in YEARLY_COLUMNS], rows)
