"""Consent, the case it opens, and the quiet bot while the case is open (real dialog)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot import service
from bot.storage.models import Case, CaseMessage, Conversation
from bot.triage import cases
from bot.triage.route import DeskConfig
from dialogs.events import Event
from dialogs.handoff import OfficeHours

#: A Tuesday, 10:00 in Brussels: the desk is open.
OPEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
#: A Saturday: closed until Monday 09:00.
CLOSED = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
DESK = DeskConfig(
    chat_id=-100777,
    name="Boekhouding Peeters",
    hours=OfficeHours.parse("Mon-Fri 09:00-17:00"),
    response_minutes=120,
    lang="nl",
)


@pytest.fixture
def db(database_url: str) -> Iterator[str]:
    service.configure(database_url, desk=DESK)
    yield database_url
    service.engine().dispose()


def turn(
    event: Event, user: str = "u1", now: datetime = OPEN, channel: str = "telegram"
) -> service.TurnResult:
    return service.handle_sync(channel, user, event, now=now)


def all_cases() -> list[Case]:
    with Session(service.engine()) as session:
        return list(session.exec(select(Case)).all())


def transcript(user: str = "u1") -> list[tuple[str, str]]:
    with Session(service.engine()) as session:
        rows = session.exec(select(CaseMessage).where(CaseMessage.user_key == user)).all()
        return [(m.sender, m.text) for m in sorted(rows, key=lambda m: m.seq)]


def consent_and_open(user: str = "u1", lang: str = "nl", now: datetime = OPEN) -> str:
    turn(Event.start(lang=lang), user)
    asked = turn(Event.command("advisor"), user)
    assert [b.key for b in asked.replies[-1].buttons] == ["handoff.yes", "handoff.no"]
    done = turn(Event.button("handoff.yes"), user, now=now)
    (case,) = [c for c in all_cases() if c.user_key == user and c.status == "open"]
    assert case.code in done.replies[-1].text
    return case.code


def test_without_a_desk_advisor_shows_the_agencies(database_url: str) -> None:
    service.configure(database_url, desk=None)
    turn(Event.start(lang="nl"))
    result = turn(Event.command("advisor"))
    assert "handoff.yes" not in [b.key for r in result.replies for b in r.buttons]
    assert "agentschap" in result.replies[0].text.lower() or "contact" in result.replies[0].text
    assert all_cases() == []
    service.engine().dispose()


def test_consent_asks_first_and_names_the_desk(db: str) -> None:
    turn(Event.start(lang="nl"))
    asked = turn(Event.command("advisor"))
    assert "Boekhouding Peeters" in asked.replies[-1].text
    assert "Akkoord?" in asked.replies[-1].text  # in the user's language
    assert [b.label for b in asked.replies[-1].buttons] == [
        "Ja, met een adviseur praten",
        "Nee, nu niet",
    ]
    assert all_cases() == []  # nothing shared before the yes


def test_yes_opens_one_case_with_code_and_expected_answer_in_office_hours(db: str) -> None:
    code = consent_and_open()
    (case,) = all_cases()
    assert case.code == code and case.lang == "nl" and case.status == "open"
    assert case.card["answers"] == {} and case.card["code"] == code
    reply = turn(Event.typed("Mag mijn broer meedoen?"))
    assert reply.replies == []  # quiet: the advisor answers
    assert transcript()[-1] == ("user", "Mag mijn broer meedoen?")


def test_out_of_hours_the_confirmation_says_when_the_desk_opens(db: str) -> None:
    turn(Event.start(lang="fr"))
    turn(Event.command("advisor"), now=CLOSED)
    done = turn(Event.button("handoff.yes"), now=CLOSED)
    assert (
        "il ouvre le lundi 7 décembre" in done.replies[-1].text and "09:00" in done.replies[-1].text
    )


def test_no_shares_nothing_and_asks_the_question_again(db: str) -> None:
    first = turn(Event.start(lang="en"))
    turn(Event.command("advisor"))
    no = turn(Event.button("handoff.no"))
    assert all_cases() == []
    assert "nothing was shared" in no.replies[0].text
    assert [b.key for b in no.replies[-1].buttons] == [b.key for b in first.replies[-1].buttons]


def test_a_yes_that_was_not_asked_opens_nothing(db: str) -> None:
    turn(Event.start(lang="nl"))
    turn(Event.button("handoff.yes"))
    assert all_cases() == []


def test_restart_closes_the_case_and_the_bot_answers_again(db: str) -> None:
    code = consent_and_open()
    back = turn(Event.typed("/restart"))
    assert back.replies and [c.status for c in all_cases()] == ["closed"]
    again = turn(Event.typed("hallo"))
    assert again.replies  # the bot speaks again
    assert code


def test_end_button_closes_the_case_and_returns_to_the_question(db: str) -> None:
    code = consent_and_open(lang="en")
    ended = turn(Event.button("handoff.end"))
    assert code in ended.replies[0].text and [c.status for c in all_cases()] == ["closed"]
    assert ("system", "the user ended the chat") in transcript()


def test_forget_during_a_case_erases_its_messages(db: str) -> None:
    consent_and_open(lang="en")
    turn(Event.typed("my question"))
    asked = turn(Event.typed("/forget"))
    assert "forget.yes" in [b.key for b in asked.replies[-1].buttons]
    turn(Event.button("forget.yes"))
    (case,) = all_cases()
    assert case.status == "erased" and case.card == {} and transcript() == []
    with Session(service.engine()) as session:
        assert session.exec(select(Conversation)).all() == []


def test_the_web_channel_is_quiet_too(db: str) -> None:
    turn(Event.start(lang="nl"), "w1", channel="web")
    turn(Event.command("advisor"), "w1", channel="web")
    turn(Event.button("handoff.yes"), "w1", channel="web")
    assert turn(Event.typed("vraag"), user="w1", channel="web").replies == []
    assert transcript("w1")[-1] == ("user", "vraag")


def test_two_advisors_claiming_at_once_give_one_owner(db: str) -> None:
    consent_and_open()
    (case,) = all_cases()
    barrier = threading.Barrier(2)
    outcomes: list[cases.ClaimOutcome] = []

    def press(advisor_id: int, name: str) -> None:
        with Session(service.engine()) as session:
            barrier.wait()
            outcomes.append(cases.claim(session, case.id or 0, advisor_id, name))
            session.commit()

    threads = [threading.Thread(target=press, args=(i, n)) for i, n in ((1, "Marie"), (2, "Jan"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(o.won for o in outcomes) == [False, True]
    (claimed,) = all_cases()
    winner = next(o for o in outcomes if o.won)
    assert claimed.status == "claimed" and claimed.owner == winner.owner
    assert {o.owner for o in outcomes} == {claimed.owner}


def test_codes_look_like_lw_and_four_unambiguous_characters() -> None:
    for _ in range(200):
        code = cases.new_code()
        assert len(code) == 7 and code.startswith("LW-")
        assert not set(code[3:]) & set("01ILO")
