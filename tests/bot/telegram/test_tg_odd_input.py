"""Issue 8 on Telegram: a huge amount, forged buttons and a failing turn get an answer.

Before, each of these raised inside the turn: in polling mode the user never heard back,
in webhook mode the update got 500 on every redelivery (a poison update). Both
libraries, polling and webhook, both databases; the real dialog, the fake Bot API.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import pytest

from bot import service
from dialogs import step
from dialogs.events import Event, Reply
from dialogs.i18n import Translator
from tests.bot.telegram.harness import Bot
from tests.bot.telegram.test_tg_scenarios import CHAT, WINWIN_NL, inbox_rows

TOO_LARGE = "Dat bedrag is te groot om te kloppen."
EARLIER = "Die knop hoort bij een eerdere vraag."
SORRY = "Sorry, something went wrong with that answer. Could you try again?"
#: The turns of the Flemish lender until the loan amount is asked.
UNTIL_AMOUNT = WINWIN_NL[: WINWIN_NL.index(("say", "20k"))]
UNTIL_YEARS = WINWIN_NL[: WINWIN_NL.index(("press", "years.8"))]


async def play(bot: Bot, turns: list[tuple[str, str]]) -> None:
    await bot.say(CHAT, "/start")
    for action, value in turns:
        await (bot.press(CHAT, value) if action == "press" else bot.say(CHAT, value))


def errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_27_digit_amount_is_re_prompted_once_even_when_redelivered(
    bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    fake = bot.fake
    await play(bot, UNTIL_AMOUNT)
    question = fake.texts_to(CHAT)[-1]
    before = len(fake.sent_to(CHAT))
    update = fake.text_update(CHAT, "1" * 27)
    statuses = await bot.turn(update, update, update)  # Telegram retrying the webhook
    (answer,) = fake.texts_to(CHAT)[before:]
    assert answer.startswith(TOO_LARGE) and answer.endswith(question)
    assert bot.delivered[-3:] == [(update["update_id"], False), *[(update["update_id"], True)] * 2]
    assert inbox_rows(bot.database_url, update["update_id"]) == 1
    if bot.mode == "webhook":
        assert statuses == [200, 200, 200]

    await bot.say(CHAT, "1" * 24 + "k")
    assert fake.texts_to(CHAT)[-1].startswith(TOO_LARGE)
    await bot.say(CHAT, "20k")
    assert "Genoteerd: €\u00a020.000,00" in fake.texts_to(CHAT)[-1]
    assert errors(caplog) == []


async def test_forged_years_buttons_are_refused(bot: Bot) -> None:
    fake = bot.fake
    await play(bot, UNTIL_YEARS)
    question = fake.texts_to(CHAT)[-1]
    for key in ("years.0", "years.51", "years.999999", "years.31", "years.50"):
        forged = fake.press_update(CHAT, "years.8")  # a press on the question, data changed
        forged["callback_query"]["data"] = key
        await bot.turn(forged)
        answer = fake.texts_to(CHAT)[-1]
        assert answer.startswith(EARLIER) and answer.endswith(question), key
    await bot.press(CHAT, "years.8")  # an offered one still answers: the next question
    assert not fake.texts_to(CHAT)[-1].startswith(EARLIER)
    assert fake.texts_to(CHAT)[-1] != question


def breaking_step(
    state: dict[str, Any] | None, event: Event, now: datetime
) -> tuple[dict[str, Any], list[Reply]]:
    """The real dialog, except that the text "boom" raises (a bug nobody foresaw)."""
    if event.type == "text" and event.text == "boom":
        raise ZeroDivisionError("a bug in the dialog")
    return step(state, event, now)


async def test_a_failing_turn_is_answered_once_through_the_outbox_and_logged_once(
    bot: Bot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fake = bot.fake
    monkeypatch.setattr(service, "_step", breaking_step)
    await bot.say(CHAT, "/start", lang="fr")
    (question,) = fake.sent_to(CHAT)
    update = fake.text_update(CHAT, "boom", lang="fr")
    statuses = await bot.turn(update, update, update)
    (_, apology) = fake.sent_to(CHAT)
    assert apology["text"] == Translator("fr")(SORRY) + "\n\n" + question["text"]
    assert apology["reply_markup"] == question["reply_markup"]  # the same buttons again
    assert bot.delivered[-3:] == [(update["update_id"], False), *[(update["update_id"], True)] * 2]
    assert inbox_rows(bot.database_url, update["update_id"]) == 1
    if bot.mode == "webhook":
        assert statuses == [200, 200, 200]
    (logged,) = errors(caplog)
    assert logged.name == "bot.storage.turns"
    assert str(update["update_id"]) in logged.getMessage()

    await bot.press(CHAT, "role.lender", lang="fr")  # the conversation goes on
    assert "Quand l'acte de prêt" in fake.texts_to(CHAT)[-1]
