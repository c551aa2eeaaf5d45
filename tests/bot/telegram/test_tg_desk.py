"""The desk on Telegram: consent, the case's topic and card, the user's messages in it,
a topic deleted by hand recreated (PTB and aiogram, polling and webhook, both databases)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.triage.route import DeskConfig
from dialogs.handoff import OfficeHours
from tests.bot.telegram.fake_bot_api import FakeBotApi
from tests.bot.telegram.harness import Bot

USER = 7101
DESK_CHAT = -1001234
DESK = DeskConfig(
    chat_id=DESK_CHAT,
    name="Boekhouding Peeters",
    hours=OfficeHours.parse("Mon-Sun 00:00-23:59"),
    response_minutes=120,
    lang="nl",
)


@pytest.fixture(params=[("ptb", "polling"), ("aiogram", "webhook")], ids=lambda p: "-".join(p))
async def desk_bot(
    request: pytest.FixtureRequest, fake: FakeBotApi, database_url: str
) -> AsyncIterator[Bot]:
    library, mode = request.param
    running = Bot(fake, library, mode, database_url, desk=DESK)
    await running.start()
    yield running
    await running.stop()


async def open_case(bot: Bot) -> tuple[int, str]:
    await bot.say(USER, "/start")
    await bot.say(USER, "/advisor")
    assert bot.fake.last_keys(USER) == ["handoff.yes", "handoff.no"]
    assert "Boekhouding Peeters" in bot.fake.texts_to(USER)[-1]
    await bot.press(USER, "handoff.yes")
    confirmation = bot.fake.texts_to(USER)[-1]
    code = confirmation.split("dossiernummer is ")[1][:7]
    ((chat, topic),) = bot.fake.topics
    assert chat == DESK_CHAT and bot.fake.topics[(chat, topic)]["name"].startswith(code)
    return topic, code


async def test_consent_opens_a_topic_with_the_case_card(desk_bot: Bot) -> None:
    topic, code = await open_case(desk_bot)
    (card,) = desk_bot.fake.topic_texts(DESK_CHAT, topic)
    assert card.startswith(f"Dossier {code}") and "Nog niet geclaimd" in card
    (message,) = [m for m in desk_bot.fake.sent_to(DESK_CHAT)]
    keys = [b["callback_data"] for b in message["reply_markup"]["inline_keyboard"][0]]
    assert keys == [f"desk.claim.{code}", f"desk.close.{code}", f"desk.transcript.{code}"]


async def test_the_users_messages_reach_the_topic_and_the_bot_stays_quiet(desk_bot: Bot) -> None:
    topic, _code = await open_case(desk_bot)
    before = len(desk_bot.fake.texts_to(USER))
    await desk_bot.say(USER, "Mag mijn broer ook lenen?")
    await desk_bot.say(USER, "En mijn zus?")
    assert len(desk_bot.fake.texts_to(USER)) == before  # quiet
    assert desk_bot.fake.topic_texts(DESK_CHAT, topic)[1:] == [
        "Gebruiker: Mag mijn broer ook lenen?",
        "Gebruiker: En mijn zus?",
    ]


async def test_a_topic_deleted_by_hand_is_recreated_with_its_card(desk_bot: Bot) -> None:
    topic, code = await open_case(desk_bot)
    desk_bot.fake.delete_topic(DESK_CHAT, topic)
    await desk_bot.say(USER, "Nog een vraag")
    new_topics = [t for (c, t), v in desk_bot.fake.topics.items() if not v["deleted"]]
    (again,) = new_topics
    texts = desk_bot.fake.topic_texts(DESK_CHAT, again)
    assert texts[0].startswith(f"Dossier {code}") and texts[1:] == ["Gebruiker: Nog een vraag"]


async def test_the_end_button_tells_the_desk_and_returns_to_the_bot(desk_bot: Bot) -> None:
    topic, _code = await open_case(desk_bot)
    await desk_bot.press(USER, "handoff.end")
    assert "afgesloten" in desk_bot.fake.texts_to(USER)[-1]
    assert desk_bot.fake.topic_texts(DESK_CHAT, topic)[-1].startswith("Systeem: ")
