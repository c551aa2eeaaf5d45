"""The questionnaire, as data: every question leenwijzer can ask, in the order of the rules.

Which question comes next is not decided here but by the rules core: the engine asks the
first field that the regimes still in play list as `missing` (see `dialogs.engine`). This
file only says, per field, how to ask it (for an entrepreneur and for a would-be lender),
which buttons it offers, how a typed answer is read, and how the answer is shown.

`When` says how a question gets asked:
- ROLE: the very first question (who is asking);
- FIRST: asked right after the role when not known (the closing date decides every
  parameter);
- RULES: asked when a regime still in play lists the field as missing;
- PARTNER: the loop that collects partner and linked enterprises, one at a time;
- EDIT: never asked on its own, only changed from the summary.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from dialogs.answers import (
    AnswerKind,
    Choice,
    ClosingDate,
    Count,
    Money,
    Option,
    Percent,
    Region,
    Years,
    YesNo,
)
from dialogs.i18n import N_


class When(Enum):
    """How a question comes to be asked (see the module docstring)."""

    ROLE = "role"
    FIRST = "first"
    RULES = "rules"
    PARTNER = "partner"
    EDIT = "edit"


@dataclass(frozen=True)
class Question:
    """One question: the case field it fills, its wording, its answer kind.

    `ask` is the wording for an entrepreneur (or the only wording); `ask_lender` the
    wording for a would-be lender, when it differs. `label` names the answer in the summary.
    """

    field: str
    label: str
    ask: str
    answer: AnswerKind
    ask_lender: str | None = None
    when: When = When.RULES
    unknown: bool = True

    def wording(self, role: str | None) -> str:
        """The msgid to show to this person."""
        return self.ask_lender if role == "lender" and self.ask_lender else self.ask


ROLE = Choice(
    (
        Option(
            "role.entrepreneur",
            "entrepreneur",
            N_("I am looking for a loan for my business"),
            (
                "entrepreneur",
                "ondernemer",
                "borrower",
                "kredietnemer",
                "emprunteur",
                "lenen",
                "emprunter",
            ),
        ),
        Option(
            "role.lender",
            "lender",
            N_("I would like to lend to a business"),
            ("lender", "kredietgever", "preteur", "uitlenen", "preter"),
        ),
    )
)
LEGAL_FORM = Choice(
    (
        Option(
            "form.self_employed",
            "self_employed",
            N_("Self-employed person"),
            ("zelfstandige", "independant", "eenmanszaak", "self employed", "freelancer"),
        ),
        Option(
            "form.company",
            "company",
            N_("Company"),
            ("vennootschap", "societe", "bv", "nv", "cv", "srl", "sa", "sc", "bvba", "sprl"),
        ),
        Option(
            "form.nonprofit",
            "nonprofit",
            N_("Non-profit (vzw/asbl)"),
            ("vzw", "asbl", "non-profit", "nonprofit", "non profit", "association"),
        ),
    ),
    hint=N_("Please choose: self-employed person, company or non-profit."),
)
REPAYMENT = Choice(
    (
        Option(
            "repay.annuity",
            "annuity",
            N_("Equal instalments (annuity)"),
            ("annuity", "annuiteit", "annuite", "annuites", "mensualites"),
        ),
        Option(
            "repay.linear",
            "linear",
            N_("Equal capital parts (linear)"),
            ("linear", "lineair", "lineaire"),
        ),
        Option(
            "repay.bullet",
            "bullet",
            N_("All capital at the end (bullet)"),
            ("bullet", "einde", "fin", "in fine", "eindvervaldag"),
        ),
    ),
    hint=N_("Please choose how the capital is repaid."),
)
FREQUENCY = Choice(
    (
        Option("freq.monthly", "monthly", N_("Monthly"), ("maandelijks", "mensuel", "maand")),
        Option(
            "freq.quarterly",
            "quarterly",
            N_("Quarterly"),
            ("driemaandelijks", "trimestriel", "kwartaal"),
        ),
        Option(
            "freq.half_yearly",
            "half_yearly",
            N_("Half-yearly"),
            ("halfjaarlijks", "semestriel", "semi-annual"),
        ),
        Option("freq.annual", "annual", N_("Yearly"), ("jaarlijks", "annuel", "annual")),
    ),
    hint=N_("Please choose how often the borrower pays."),
)

INVESTOR_KIND = Choice(
    (
        Option(
            "investor.enterprise",
            "enterprise",
            N_("None of these: an ordinary enterprise"),
            ("none", "geen", "aucun"),
        ),
        Option(
            "investor.public_investment",
            "public_investment",
            N_("A public investment company (such as PMV)"),
            (),
        ),
        Option("investor.venture_capital", "venture_capital", N_("A venture-capital company"), ()),
        Option("investor.business_angels", "business_angels", N_("Business angels"), ()),
        Option("investor.university", "university", N_("A university"), ()),
        Option(
            "investor.research_centre", "research_centre", N_("A non-profit research centre"), ()
        ),
        Option(
            "investor.institutional_investor",
            "institutional_investor",
            N_("An institutional investor"),
            (),
        ),
        Option("investor.local_authority", "local_authority", N_("A small local authority"), ()),
    ),
    hint=N_("Please choose the kind of holder."),
)

FLOW: tuple[Question, ...] = (
    Question(
        "role",
        N_("You are"),
        N_(
            "Hello! I am leenwijzer. I tell you which of these fits your plan ({regimes}), "
            "and what it costs or yields. First: who are you?"
        ),
        ROLE,
        when=When.ROLE,
        unknown=False,
    ),
    Question(
        "closing_date",
        N_("Closing date"),
        N_(
            "When will the loan deed be signed? The rules in force on that date apply. "
            "Type a date (day/month/year) or choose today."
        ),
        ClosingDate(),
        when=When.FIRST,
    ),
    # -- where the people are: this alone rules most regimes in or out
    Question(
        "lender.region",
        N_("Lender's region"),
        N_(
            "Where does the lender (the friend or relative who would lend) live for tax "
            "purposes? Choose a region or type a Belgian postal code."
        ),
        Region(),
        ask_lender=N_(
            "Where do you live for tax purposes? Choose a region or type your Belgian postal code."
        ),
    ),
    Question(
        "borrower.region",
        N_("Enterprise's region"),
        N_(
            "Where is your enterprise's operating seat or establishment unit? Choose a "
            "region or type its postal code."
        ),
        Region(),
        ask_lender=N_(
            "Where is the operating seat or establishment unit of the enterprise "
            "you would lend to? Choose a region or type its postal code."
        ),
    ),
    # -- who may lend
    Question(
        "lender.natural_person",
        N_("Lender is a natural person"),
        N_("Is the lender a natural person (not a company)?"),
        YesNo(),
        ask_lender=N_("Would you lend as a natural person (not through a company)?"),
    ),
    Question(
        "lender.professional_capacity",
        N_("Lent as part of a professional activity"),
        N_("Would the lender lend as part of his own business or professional activity?"),
        YesNo(),
        ask_lender=N_("Would you lend as part of your own business or professional activity?"),
    ),
    Question(
        "borrower.legal_form",
        N_("Legal form"),
        N_("What is your enterprise's legal form?"),
        LEGAL_FORM,
        ask_lender=N_("What is the legal form of the enterprise you would lend to?"),
    ),
    Question(
        "lender.employee_of_borrower",
        N_("Lender is an employee of the borrower"),
        N_("Is the lender an employee of your enterprise?"),
        YesNo(),
        ask_lender=N_("Are you an employee of that enterprise?"),
    ),
    Question(
        "lender.spouse_of_borrower",
        N_("Lender is the borrower's spouse"),
        N_("Is the lender your spouse or legal cohabitant?"),
        YesNo(),
        ask_lender=N_("Are you the spouse or legal cohabitant of the self-employed person?"),
    ),
    Question(
        "lender.director_of_borrower",
        N_("Lender or spouse holds a mandate"),
        N_(
            "Is the lender, or his spouse or legal cohabitant, a director, manager or "
            "similar in your enterprise?"
        ),
        YesNo(),
        ask_lender=N_(
            "Are you, or your spouse or legal cohabitant, a director, manager "
            "or similar in that enterprise?"
        ),
    ),
    Question(
        "lender.shareholding_pct",
        N_("Lender's shareholding"),
        N_(
            "What share of the capital or voting rights does the lender hold in your "
            "enterprise, together with his spouse or partner, convertible rights "
            "included? Type a percentage."
        ),
        Percent(zero_label=N_("None")),
        ask_lender=N_(
            "What share of the capital or voting rights do you hold in that "
            "enterprise, together with your spouse or partner, convertible "
            "rights included? Type a percentage."
        ),
    ),
    Question(
        "lender.borrower_in_other_loan",
        N_("Lender borrows under another such loan"),
        N_(
            "Is the lender himself a borrower under another friends-and-family loan of "
            "the same kind (a regional loan with a tax credit)?"
        ),
        YesNo(),
        ask_lender=N_(
            "Are you yourself a borrower under another friends-and-family loan of the "
            "same kind (a regional loan with a tax credit)?"
        ),
    ),
    # -- who may borrow
    Question(
        "borrower.economic_activity",
        N_("Economic activity"),
        N_("Does your non-profit have an economic activity (selling goods or services)?"),
        YesNo(),
        ask_lender=N_("Does the non-profit have an economic activity (selling goods or services)?"),
    ),
    Question(
        "borrower.excluded_sector",
        N_("Excluded sector"),
        N_(
            "Is your enterprise mainly active in one of these sectors: oil, coal, "
            "tobacco, weapons, gambling, public administration, or a financial or holding "
            "company in a tax haven?"
        ),
        YesNo(),
        ask_lender=N_(
            "Is the enterprise mainly active in one of these sectors: oil, coal, "
            "tobacco, weapons, gambling, public administration, or a financial "
            "or holding company in a tax haven?"
        ),
    ),
    Question(
        "borrower.excluded_activity",
        N_("Excluded activity"),
        N_(
            "Is your enterprise an investment, financing or cash-management business, a "
            "real-estate company whose property its directors use privately, a "
            "management company, or a listed company?"
        ),
        YesNo(),
        ask_lender=N_(
            "Is the enterprise an investment, financing or cash-management business, a "
            "real-estate company whose property its directors use privately, a "
            "management company, or a listed company?"
        ),
    ),
    Question(
        "borrower.years_registered",
        N_("Years since registration"),
        N_(
            "For how many whole years has your enterprise been registered in the "
            "Crossroads Bank for Enterprises (KBO/BCE) on the closing date?"
        ),
        Years(low=0, high=200, suggested=(0, 1, 2, 3, 4, 5)),
        ask_lender=N_(
            "For how many whole years has the enterprise been registered in the "
            "Crossroads Bank for Enterprises (KBO/BCE) on the closing date?"
        ),
    ),
    Question(
        "borrower.staff",
        N_("Staff (FTE)"),
        N_(
            "How many people does your enterprise employ, in full-time equivalents "
            "(annual work units)? A self-employed person alone: 0."
        ),
        Count(),
        ask_lender=N_(
            "How many people does the enterprise employ, in full-time "
            "equivalents (annual work units)?"
        ),
    ),
    Question(
        "borrower.turnover",
        N_("Turnover"),
        N_("What is your enterprise's annual turnover (last closed financial year)?"),
        Money(),
        ask_lender=N_("What is the enterprise's annual turnover (last closed financial year)?"),
    ),
    Question(
        "borrower.balance_sheet",
        N_("Balance-sheet total"),
        N_("What is your enterprise's balance-sheet total?"),
        Money(),
        ask_lender=N_("What is the enterprise's balance-sheet total?"),
    ),
    Question(
        "borrower.partners",
        N_("Partner or linked enterprises"),
        N_(
            "Does another enterprise hold 25 percent or more of your enterprise's capital or "
            "votes, or does yours hold 25 percent or more of another (partner or linked "
            "enterprises)?"
        ),
        YesNo(),
        ask_lender=N_(
            "Does another enterprise hold 25 percent or more of that enterprise's "
            "capital or votes, or does it hold 25 percent or more of another (partner "
            "or linked enterprises)?"
        ),
    ),
    Question(
        "partner.held_pct",
        N_("Share held"),
        N_(
            "Partner enterprise {n}: what percentage of the capital or votes is held "
            "(by it in yours, or by yours in it)?"
        ),
        Percent(),
        when=When.PARTNER,
    ),
    Question(
        "partner.linked",
        N_("Linked"),
        N_(
            "Partner enterprise {n}: does one of the two control the other (majority of "
            "votes, right to appoint the board, dominant influence)?"
        ),
        YesNo(),
        when=When.PARTNER,
    ),
    Question(
        "partner.investor_kind",
        N_("Kind of holder"),
        N_(
            "Partner enterprise {n}: is the holder one of these investors? Their holding "
            "of up to half does not count against the SME status."
        ),
        INVESTOR_KIND,
        when=When.PARTNER,
        unknown=False,
    ),
    Question(
        "partner.staff",
        N_("Staff (FTE)"),
        N_("Partner enterprise {n}: its staff in full-time equivalents?"),
        Count(),
        when=When.PARTNER,
    ),
    Question(
        "partner.turnover",
        N_("Turnover"),
        N_("Partner enterprise {n}: its annual turnover?"),
        Money(),
        when=When.PARTNER,
    ),
    Question(
        "partner.balance_sheet",
        N_("Balance-sheet total"),
        N_("Partner enterprise {n}: its balance-sheet total?"),
        Money(),
        when=When.PARTNER,
    ),
    Question(
        "partner.more",
        N_("Another partner"),
        N_("Is there another partner or linked enterprise?"),
        YesNo(),
        when=When.PARTNER,
        unknown=False,
    ),
    Question(
        "borrower.public_control_pct",
        N_("Held by public bodies"),
        N_(
            "What share of your enterprise do public bodies control (directly or "
            "jointly)? Type a percentage."
        ),
        Percent(zero_label=N_("None")),
        ask_lender=N_(
            "What share of the enterprise do public bodies control (directly or "
            "jointly)? Type a percentage."
        ),
    ),
    # -- the loan
    Question(
        "loan.amount",
        N_("Loan amount"),
        N_("How much would the friend or relative lend you? (e.g. 50.000 or 50k)"),
        Money(positive=True),
        ask_lender=N_("How much would you lend? (e.g. 50.000 or 50k)"),
    ),
    Question(
        "lender.already_lent",
        N_("Already lent under the regime"),
        N_(
            "How much does the lender already have outstanding in such loans (for the "
            "Winwinlening: winwinleningen and friends' shares together), this loan not "
            "included?"
        ),
        Money(zero_label=N_("Nothing")),
        ask_lender=N_(
            "How much do you already have outstanding in such loans (for the "
            "Winwinlening: winwinleningen and friends' shares together), this "
            "loan not included?"
        ),
    ),
    Question(
        "lender.lent_this_year",
        N_("Lent in the year of closing"),
        N_("How much has the lender already lent in such loans in the year of closing?"),
        Money(zero_label=N_("Nothing")),
        ask_lender=N_("How much have you already lent in such loans in the year of closing?"),
    ),
    Question(
        "borrower.already_borrowed",
        N_("Already borrowed under the regime"),
        N_(
            "How much has your enterprise already borrowed and still owes in such loans "
            "from other lenders?"
        ),
        Money(zero_label=N_("Nothing")),
        ask_lender=N_(
            "How much has the enterprise already borrowed and still owes in such "
            "loans from other lenders?"
        ),
    ),
    Question(
        "loan.years",
        N_("Duration"),
        N_("For how many years would the loan run?"),
        Years(low=1, high=30, suggested=(5, 8, 10)),
    ),
    Question(
        "loan.rate_pct",
        N_("Interest rate"),
        N_("What interest rate would the loan carry, per year? {rate_hint}"),
        Percent(),
    ),
    Question("loan.repayment", N_("Repayment"), N_("How would the capital be repaid?"), REPAYMENT),
    Question(
        "loan.frequency",
        N_("Payments"),
        N_("How often would the borrower pay (interest and capital)?"),
        FREQUENCY,
    ),
    Question(
        "loan.grace_years",
        N_("Capital holiday"),
        N_("How many years without capital repayment (capital holiday) at the start?"),
        Years(low=0, high=9, zero_label=N_("None")),
        when=When.EDIT,
    ),
    Question(
        "borrower.exemplary",
        N_("Socially or environmentally exemplary"),
        N_(
            "Is your enterprise recognised as socially or environmentally exemplary? "
            "(It raises the lender's one-time tax credit if the loan is lost.)"
        ),
        YesNo(),
        ask_lender=N_(
            "Is the enterprise recognised as socially or environmentally "
            "exemplary? (It raises your one-time tax credit if the loan is lost.)"
        ),
    ),
    # -- PMV co-financing (entrepreneurs only)
    Question(
        "project.investment_need",
        N_("Investment need"),
        N_(
            "PMV co-financing: what is the whole investment need of your project "
            "(tangible, intangible and working capital)?"
        ),
        Money(),
    ),
    Question(
        "project.own_contribution",
        N_("Own contribution"),
        N_("How much do you bring in yourself (own funds, definitively granted subsidies)?"),
        Money(zero_label=N_("Nothing")),
    ),
    Question(
        "project.partner_financing",
        N_("Partner financing"),
        N_(
            "How much would a PMV partner (bank, business angel, fund, crowdfunding "
            "platform) finance?"
        ),
        Money(zero_label=N_("Nothing")),
    ),
    Question(
        "project.pmv_years",
        N_("PMV loan duration"),
        N_("Over how many years would PMV's loan run?"),
        Years(low=1, high=30, suggested=(3, 5, 7, 10)),
    ),
    Question(
        "project.partner_years",
        N_("Partner loan duration"),
        N_("Over how many years would the partner's financing run?"),
        Years(low=1, high=40, suggested=(3, 5, 7, 10)),
    ),
    Question(
        "project.pmv_grace_years",
        N_("PMV capital holiday"),
        N_("How many years without capital repayment at the start of PMV's loan?"),
        Years(low=0, high=9, zero_label=N_("None")),
        when=When.EDIT,
    ),
    Question(
        "project.pmv_amount",
        N_("Amount asked from PMV"),
        N_("How much would you ask PMV? (Without an answer I use the maximum.)"),
        Money(),
        when=When.EDIT,
    ),
)

QUESTIONS: dict[str, Question] = {q.field: q for q in FLOW}
#: Fields of the evaluate case that a question fills (everything but role and partner.*).
CASE_FIELDS: tuple[str, ...] = tuple(
    q.field for q in FLOW if q.when not in (When.ROLE, When.PARTNER)
)
PARTNER_FIELDS: tuple[str, ...] = tuple(q.field for q in FLOW if q.when is When.PARTNER)
