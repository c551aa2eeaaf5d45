"""The EU SME test (Commission Recommendation 2003/361/EC), with partner and linked
enterprises aggregated and the public-control rule (`shared/domain/common.md`).

Aggregation only ever adds to the enterprise's own figures, so own figures over the
limits already decide "not an SME" before the partners are known.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from rules.case import Borrower, Partner
from rules.conditions import Check, Context, money
from rules.params import load_all

SOURCE = "Commission Recommendation 2003/361/EC, annex arts. 2-3; shared/domain/common.md"


def partner_thresholds(on: date) -> tuple[Decimal, Decimal]:
    """(partner from, linked above): a holding from the first counts in proportion, one
    above the second in full (the conversation asks figures only when they count)."""
    common = load_all()["common"]
    return (
        common["sme_partner_threshold_pct"].at(on),
        common["sme_linked_threshold_pct"].at(on),
    )


def partner_figures_count(held_pct: Decimal, linked: bool, investor_kind: str, on: date) -> bool:
    """Whether a related enterprise's figures are added at all (linked, or a partner
    holding that is not an exempt investor's): the conversation asks them only then."""
    _, linked_above = partner_thresholds(on)
    partner_from, _ = partner_thresholds(on)
    if linked or held_pct > linked_above:
        return True
    return investor_kind not in EXEMPT_INVESTORS and held_pct >= partner_from


#: Holders that may hold up to the linked threshold (50 %) without costing autonomy: their
#: figures are not added (Recommendation 2003/361/EC, annex art. 3 §2; common.md).
EXEMPT_INVESTORS = frozenset(
    {
        "public_investment",
        "venture_capital",
        "business_angels",
        "university",
        "research_centre",
        "institutional_investor",
        "local_authority",
    }
)
#: The exempt holders that are public bodies: above the linked threshold their holding
#: counts toward public control (up to it, it does not).
PUBLIC_INVESTORS = frozenset({"public_investment", "local_authority"})


def partner_weight(partner: Partner, ctx: Context) -> Decimal:
    """Share of a related enterprise's figures that counts: all, in proportion, or none.

    Linked (a majority, or control): all. An exempt investor up to the linked threshold:
    none. Another holding from the partner threshold: in proportion. Below it: none.
    """
    linked_above = ctx.value("sme_linked_threshold_pct", shared=True)
    partner_from = ctx.value("sme_partner_threshold_pct", shared=True)
    if partner.linked or partner.held_pct > linked_above:
        return Decimal(1)
    if partner.investor_kind in EXEMPT_INVESTORS:
        return Decimal(0)
    if partner.held_pct >= partner_from:
        return partner.held_pct / 100
    return Decimal(0)


def public_control(borrower: Borrower, ctx: Context) -> Decimal | None:
    """The share public bodies control: `public_control_pct` (exempt investors not
    counted) plus the holdings of public investors above the linked threshold; None while
    `public_control_pct` is unknown and no such holding decides it already."""
    linked_above = ctx.value("sme_linked_threshold_pct", shared=True)
    public_partners = sum(
        (
            p.held_pct
            for p in borrower.partners or []
            if p.investor_kind in PUBLIC_INVESTORS and p.held_pct > linked_above
        ),
        Decimal(0),
    )
    if borrower.public_control_pct is None:
        return public_partners if public_partners > 0 else None
    return borrower.public_control_pct + public_partners


class Figure:
    """One aggregated figure: a lower bound (own figure plus the related enterprises'
    known shares) and whether it is complete (nothing that counts is still unknown).

    `low` is None while the own figure is unknown; `floor` is what is already known to
    count even then (the related enterprises' shares), so a linked enterprise's figures
    over a limit decide before the enterprise's own are given.
    """

    def __init__(self, borrower: Borrower, attribute: str, ctx: Context):
        own: Decimal | None = getattr(borrower, attribute)
        self.own_known = own is not None
        self.floor = own if own is not None else Decimal(0)
        self.complete = own is not None and borrower.partners is not None
        for partner in borrower.partners or []:
            weight = partner_weight(partner, ctx)
            figure: Decimal | None = getattr(partner, attribute)
            if weight == 0:
                continue
            if figure is None:
                self.complete = False
            else:
                self.floor += figure * weight
        self.low: Decimal | None = self.floor if own is not None else None

    def over(self, limit: Decimal, *, inclusive: bool = False) -> bool:
        """Already over the limit (aggregation only adds: the bound can only grow)."""
        return self.floor >= limit if inclusive else self.floor > limit

    def within(self, limit: Decimal, *, strict: bool = False) -> bool:
        """Known to be within the limit."""
        if not self.complete or self.low is None:
            return False
        return self.low < limit if strict else self.low <= limit


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

    public = public_control(borrower, ctx)
    if public is not None and public >= public_limit:
        controlled = {"public_control_pct": money(public), "limits": limits}
        return ctx.check("borrower.sme", "fail", {"reason": "public_control", **controlled}, SOURCE)

    staff = Figure(borrower, "staff", ctx)
    turnover = Figure(borrower, "turnover", ctx)
    balance = Figure(borrower, "balance_sheet", ctx)
    detail: dict[str, Any] = {"limits": limits}
    for name, figure in (("staff", staff), ("turnover", turnover), ("balance_sheet", balance)):
        if figure.low is not None:
            detail[name] = money(figure.low.quantize(Decimal("0.01")))
    if borrower.partners:
        counted = [p for p in borrower.partners if partner_weight(p, ctx) > 0]
        detail["partners_counted"] = len(counted)

    if staff.over(staff_limit, inclusive=True):
        return ctx.check("borrower.sme", "fail", {"reason": "staff", **detail}, SOURCE)
    if turnover.over(turnover_limit) and balance.over(balance_limit):
        return ctx.check("borrower.sme", "fail", {"reason": "financial", **detail}, SOURCE)

    staff_ok = staff.within(staff_limit, strict=True)
    financial_ok = turnover.within(turnover_limit) or balance.within(balance_limit)
    if staff_ok and financial_ok and borrower.public_control_pct is not None:
        return ctx.check("borrower.sme", "pass", {"basis": "figures", **detail}, SOURCE)
    related = any(partner_weight(p, ctx) > 0 for p in borrower.partners or [])
    if borrower.sme_declared and not related:
        # what the person declared, no figure contradicting it: the figures not given are
        # taken as declared (under the thresholds below). A partner or linked enterprise
        # that counts contradicts the declaration: then the figures decide.
        return ctx.check("borrower.sme", "pass", {"basis": "declared", **detail}, SOURCE)

    needs: list[str] = []
    if not staff_ok and not staff.own_known:
        needs.append("borrower.staff")
    if not financial_ok:
        if not turnover.own_known:
            needs.append("borrower.turnover")
        if not balance.own_known and (not turnover.own_known or turnover.over(turnover_limit)):
            needs.append("borrower.balance_sheet")
    undecided = not (staff_ok and financial_ok)
    if borrower.partners is None or (undecided and not needs):  # a partner's figure is missing
        needs.append("borrower.partners")
    if borrower.public_control_pct is None:
        needs.append("borrower.public_control_pct")
    return ctx.check("borrower.sme", "unknown", detail, SOURCE, tuple(dict.fromkeys(needs)))
