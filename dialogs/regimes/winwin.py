"""The Winwinlening's words: its name, PMV as the registering agency, the deed's deadline,
and its disputed parameters (`rules/parameters/winwin.yaml`)."""

from __future__ import annotations

from dialogs.i18n import N_
from dialogs.regimes import RegimeTexts

REFORM_2020 = N_("the Winwinlening limits of the 2020 reform")

TEXTS = RegimeTexts(
    name=N_("Winwinlening"),
    agency=N_("PMV (Participatiemaatschappij Vlaanderen), pmv.eu; more on vlaio.be"),
    registration=N_(
        "Sign the deed from the official model with its repayment table in three copies; "
        "the third goes to PMV within 3 months of closing."
    ),
    deed=N_(
        "Sign the deed (the official model) and this repayment table in three copies; send "
        "the third to PMV (Participatiemaatschappij Vlaanderen) within 3 months of the "
        "closing."
    ),
    uncertain={
        "lender_cap": REFORM_2020,
        "borrower_cap": REFORM_2020,
        "allowed_years": REFORM_2020,
        "max_shareholding_pct": REFORM_2020,
        "annual_credit_base_cap": REFORM_2020,
        "default_credit_rate": N_("the 40 percent one-time credit of the COVID measure"),
        "capital_holiday_allowed": N_("whether PMV accepts a Winwinlening with a capital holiday"),
    },
)
