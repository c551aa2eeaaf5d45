"""The EU SME test (Commission Recommendation 2003/361/EC), with partner and linked
enterprises aggregated and the public-control rule (`shared/domain/common.md`).

Aggregation only ever adds to the enterprise's own figures, so own figures over the
limits already decide "not an SME" before the partners are known.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rules.case import Borrower, Partner
from rules.conditions import Check, Context, money

SOURCE = "Commission Recommendation 2003/361/EC, annex arts. 2-3; shared/domain/common.md"


def partner_weight(partner: Partner, ctx: Context) -> Decimal:
    """Share of a related enterprise's figures that counts: all, in proportion, or none."""
    linked_above = ctx.value("sme_linked_threshold_pct", shared=True)
    partner_from = ctx.value("sme_partner_threshold_pct", shared=True)
    if partner.linked or partner.held_pct > linked_above:
        return Decimal(1)
    if partner.held_pct >= partner_from:
        return partner.held_pct / 100
    return Decimal(0)


def _aggregate(own: Decimal, partners: list[Partner], attribute: str, ctx: Context) -> Decimal:
    total = own
    for partner in partners:
        total += getattr(partner, attribute) * partner_weight(partner, ctx)
    return total


def check_sme(borrower: Borrower, ctx: Context) -> Check:
    """`borrower.sme`: staff under 250 and (turnover <= 50 M or balance sheet <= 43 M)."""
    staff_limit = Decimal(ctx.value("sme_staff_limit", shared=True))
    turnover_limit = ctx.value("sme_turnover_limit", shared=True)
    balance_limit = ctx.value("sme_balance_sheet_limit", shared=True)
    public_limit = ctx.value("sme_public_control_pct", shared=True)
    limits = {
        "staff": money(staff_limit),
        "turnover": money(turnover_limit),
        "balance_sheet": money(balance_limit),
        "public_control_pct": money(public_limit),
    }

    if borrower.public_control_pct is not None and borrower.public_control_pct >= public_limit:
        public = {"public_control_pct": money(borrower.public_control_pct), "limits": limits}
        return ctx.check("borrower.sme", "fail", {"reason": "public_control", **public}, SOURCE)

    partners = borrower.partners or []
    staff = None if borrower.staff is None else _aggregate(borrower.staff, partners, "staff", ctx)
    turnover = (
        None
        if borrower.turnover is None
        else _aggregate(borrower.turnover, partners, "turnover", ctx)
    )
    balance = (
        None
        if borrower.balance_sheet is None
        else _aggregate(borrower.balance_sheet, partners, "balance_sheet", ctx)
    )
    detail: dict[str, Any] = {"limits": limits}
    for name, figure in (("staff", staff), ("turnover", turnover), ("balance_sheet", balance)):
        if figure is not None:
            detail[name] = money(figure.quantize(Decimal("0.01")))
    if partners:
        detail["partners_counted"] = len([p for p in partners if partner_weight(p, ctx) > 0])

    staff_over = staff is not None and staff >= staff_limit
    turnover_over = turnover is not None and turnover > turnover_limit
    balance_over = balance is not None and balance > balance_limit
    if staff_over:
        return ctx.check("borrower.sme", "fail", {"reason": "staff", **detail}, SOURCE)
    if turnover_over and balance_over:
        return ctx.check("borrower.sme", "fail", {"reason": "financial", **detail}, SOURCE)

    needs: list[str] = []
    if staff is None:
        needs.append("borrower.staff")
    if turnover is None:
        needs.append("borrower.turnover")
    if balance is None and (turnover is None or turnover_over):
        needs.append("borrower.balance_sheet")
    if borrower.partners is None:
        needs.append("borrower.partners")
    if borrower.public_control_pct is None:
        needs.append("borrower.public_control_pct")
    if needs:
        return ctx.check("borrower.sme", "unknown", detail, SOURCE, tuple(needs))
    return ctx.check("borrower.sme", "pass", detail, SOURCE)
